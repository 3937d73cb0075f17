/**
 * Savina PingPong on nact (same protocol as `../missive/pingpong.ts`).
 * @module
 */
import { dispatch, type Ref } from "nact";
import { allOf, expectEqual } from "../../util/check.ts";
import type { SavinaParams, WorkloadRun } from "../common.ts";
import { spawnActor, stopAll, syncAll } from "./nact-util.ts";

type PongMsg = { type: "ping"; from: Ref<PingMsg> };
type PingMsg = { type: "pong" } | { type: "start"; pings: number };

/** Runs PingPong under `system`. */
export async function runPingPongNact(system: Ref<never>, { pings }: SavinaParams["pingpong"]): Promise<WorkloadRun> {
  const done = Promise.withResolvers<number>();
  const pongState = { pings: 0 };
  const pong = spawnActor<typeof pongState, PongMsg>(system, pongState, (s, msg) => {
    s.pings++;
    dispatch(msg.from, { type: "pong" });
  });
  const ping: Ref<PingMsg> = spawnActor(system, { left: 0, pongs: 0 }, (s, msg: PingMsg) => {
    if (msg.type === "start") {
      s.left = msg.pings - 1;
      dispatch(pong, { type: "ping", from: ping });
    } else {
      s.pongs++;
      if (s.left > 0) {
        s.left--;
        dispatch(pong, { type: "ping", from: ping });
      } else done.resolve(s.pongs);
    }
  });
  await syncAll([ping, pong]);
  const started = performance.now();
  dispatch(ping, { type: "start", pings });
  const pongs = await done.promise;
  const elapsedMs = performance.now() - started;
  stopAll([ping, pong]);
  return {
    elapsedMs,
    messages: 2 * pings,
    check: allOf(expectEqual("pings seen by pong", pongState.pings, pings), expectEqual("pongs", pongs, pings)),
  };
}

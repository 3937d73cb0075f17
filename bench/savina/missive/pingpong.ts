/**
 * Savina PingPong on Missive: `Ping` sends `ping`, `Pong` answers `pong` to the sender,
 * `pings` times. Messages: 2 × pings.
 * @module
 */
import { type ActorContext, type ActorRef, defineActor } from "../../../mod.ts";
import { allOf, expectEqual } from "../../util/check.ts";
import type { SavinaParams, WorkloadRun } from "../common.ts";
import { openLatch, releaseLatch } from "../latch.ts";
import { quit, quitAll } from "./children.ts";

/** Answers every `ping` with a `pong` to its sender. */
export const Pong = defineActor(import.meta.url, {
  name: "SavinaPong",
  init: () => ({ pings: 0 }),
  handlers: {
    ping(state, _: void, ctx) {
      state.pings++;
      ctx.sender!.tell("pong");
    },
    count(state): number {
      return state.pings;
    },
    quit,
  },
});

/** Sends `pings` pings, one at a time; releases the latch with the pongs it received. */
export const Ping = defineActor(import.meta.url, {
  name: "SavinaPing",
  init: (pong: ActorRef<typeof Pong>) => ({ pong, left: 0, pongs: 0, latch: 0 }),
  handlers: {
    start(state, req: { pings: number; latch: number }) {
      Object.assign(state, { left: req.pings - 1, pongs: 0, latch: req.latch });
      state.pong.tell("ping");
    },
    pong(state) {
      state.pongs++;
      if (state.left > 0) {
        state.left--;
        state.pong.tell("ping");
      } else releaseLatch(state.latch, state.pongs);
    },
    quit,
  },
});

/** Runs PingPong among children of the driver. */
export async function runPingPong(ctx: ActorContext, { pings }: SavinaParams["pingpong"]): Promise<WorkloadRun> {
  const pong = await ctx.spawn(Pong);
  const ping = await ctx.spawn(Ping, pong);
  const { id, done } = openLatch<number>();
  const started = performance.now();
  ping.tell("start", { pings, latch: id });
  const pongs = await done;
  const elapsedMs = performance.now() - started;
  const seen = await pong.ask("count");
  await quitAll([ping, pong]);
  return {
    elapsedMs,
    messages: 2 * pings,
    check: allOf(expectEqual("pings seen by pong", seen, pings), expectEqual("pongs", pongs, pings)),
  };
}

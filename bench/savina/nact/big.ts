/**
 * Savina Big on nact (same protocol as `../missive/big.ts`).
 * @module
 */
import { dispatch, type Ref } from "nact";
import { allOf, expectEqual } from "../../util/check.ts";
import { nextRandom, type SavinaParams, seedOf, type WorkloadRun } from "../common.ts";
import { spawnActor, stopAll, syncAll } from "./nact-util.ts";

type SinkMsg = { type: "exit"; pings: number; bad: number };
type BigMsg = { type: "setup"; neighbors: Ref<BigMsg>[] } | { type: "ping"; from: number } | { type: "pong"; from: number };

/** Runs Big under `system`. */
export async function runBigNact(system: Ref<never>, { actors, pings }: SavinaParams["big"]): Promise<WorkloadRun> {
  const done = Promise.withResolvers<{ pings: number; bad: number }>();
  const sink = spawnActor(system, { exits: 0, pings: 0, bad: 0 }, (s, msg: SinkMsg) => {
    s.pings += msg.pings;
    s.bad += msg.bad;
    if (++s.exits === actors) done.resolve({ pings: s.pings, bad: s.bad });
  });
  const all = Array.from(
    { length: actors },
    (_, index) =>
      spawnActor(
        system,
        { index, rng: seedOf(index), neighbors: [] as Ref<BigMsg>[], left: pings, sent: 0, expected: -1, bad: 0 },
        (s, msg: BigMsg) => {
          if (msg.type === "setup") s.neighbors = msg.neighbors;
          else if (msg.type === "ping") dispatch(s.neighbors[msg.from]!, { type: "pong", from: s.index });
          else {
            if (msg.from !== s.expected) s.bad++;
            if (s.left === 0) {
              dispatch(sink, { type: "exit", pings: s.sent, bad: s.bad });
              return;
            }
            s.rng = nextRandom(s.rng);
            const target = s.rng % s.neighbors.length;
            s.expected = target;
            s.left--;
            s.sent++;
            dispatch(s.neighbors[target]!, { type: "ping", from: s.index });
          }
        },
      ),
  );
  for (const a of all) dispatch(a, { type: "setup", neighbors: all });
  await syncAll([sink, ...all]);
  const started = performance.now();
  for (const a of all) dispatch(a, { type: "pong", from: -1 });
  const result = await done.promise;
  const elapsedMs = performance.now() - started;
  stopAll([sink, ...all]);
  return {
    elapsedMs,
    messages: 2 * actors * pings + actors,
    check: allOf(expectEqual("pings sent", result.pings, actors * pings), expectEqual("pongs from an unexpected actor", result.bad, 0)),
  };
}

/**
 * Spawn: actors created, asked their first message, and stopped (by a handler calling
 * `ctx.stop()`), per second.
 *
 * - `spawn-main`: from the main loop, `lanes` concurrent lanes across every worker
 *   (`system.spawn` → `ask("hello")` → `ask("stop")`). No baseline: it is Missive's own
 *   cross-thread path.
 * - `spawn-local`: a `Spawner` actor does the same with its own children on its worker;
 *   nact does the same in-process (`spawn` → `query` → `stop`).
 *
 * Checks: every actor answered with its own id, and an ask to the last actor of each
 * lane afterwards fails with `ActorStoppedError` (the stop really happened).
 * @module
 */
import { dispatch, query, type Ref, spawn, start, stop } from "nact";
import { ActorStoppedError } from "../../mod.ts";
import { Ephemeral } from "../actors/ephemeral.ts";
import { Spawner } from "../actors/spawner.ts";
import type { BenchmarkFactory, CaseRunner, CaseSpec } from "../harness/types.ts";
import { allOf, expectEqual } from "../util/check.ts";
import { rateMetric, startSystem, timed } from "./common.ts";

const sumBelow = (n: number): number => (n * (n - 1)) / 2;

/** `spawn-main`: spawn + first ask + stop, driven from the main loop. */
export const spawnFromMain: BenchmarkFactory = (size) => {
  const count = size === "full" ? 5_000 : 200;
  const lanes = 32;
  const missive: CaseSpec = {
    name: "missive",
    role: "missive",
    async setup(): Promise<CaseRunner> {
      const { system, close } = await startSystem();
      return {
        async run() {
          let next = 0;
          let sum = 0;
          const lane = async (): Promise<number> => {
            let last = null;
            while (next < count) {
              const id = next++;
              const ref = await system.spawn(Ephemeral, id);
              const answer = await ref.ask("hello");
              sum += answer;
              await ref.ask("stop");
              last = ref;
            }
            if (last === null) return 0;
            return last.ask("hello").then(() => 0, (e) => (e instanceof ActorStoppedError ? 1 : 0));
          };
          const { value, ms } = await timed(() => Promise.all(Array.from({ length: lanes }, lane)));
          const confirmed = value.reduce((a, b) => a + b, 0);
          return {
            metrics: { rate: (count / ms) * 1000 },
            check: allOf(
              expectEqual("sum of first answers", sum, sumBelow(count)),
              expectEqual("stops confirmed", confirmed, Math.min(lanes, count)),
            ),
          };
        },
        close,
      };
    },
  };
  return {
    name: "spawn-main",
    title: "spawn + first ask + stop, from the main loop",
    metrics: [rateMetric("actors/s")],
    params: { actors: count, lanes },
    notes: [],
    cases: [missive],
  };
};

type EphemeralMsg = { type: "hello"; reply: Ref<number> } | { type: "stop"; reply: Ref<number> };

/** `spawn-local`: spawn + first ask + stop of children on the spawner's own loop. */
export const spawnLocal: BenchmarkFactory = (size) => {
  const count = size === "full" ? 20_000 : 500;
  const lanes = 32;
  const missive: CaseSpec = {
    name: "missive",
    role: "missive",
    async setup(): Promise<CaseRunner> {
      const { system, close } = await startSystem({ workers: 1 });
      const spawner = await system.spawn(Spawner, undefined, { worker: 0 });
      return {
        async run() {
          const { value, ms } = await timed(() => spawner.ask("run", { count, lanes }, { timeout: 170_000 }));
          return {
            metrics: { rate: (count / ms) * 1000 },
            check: allOf(
              expectEqual("actors answered", value.answered, count),
              expectEqual("sum of first answers", value.sum, sumBelow(count)),
              expectEqual("stops confirmed", value.stopsConfirmed, Math.min(lanes, count)),
            ),
          };
        },
        close,
      };
    },
  };
  const nact: CaseSpec = {
    name: "nact",
    role: "baseline",
    setup(): Promise<CaseRunner> {
      const system = start();
      const behaviour = (state: { id: number }, msg: EphemeralMsg) => {
        dispatch(msg.reply, state.id);
        return state;
      };
      return Promise.resolve({
        async run() {
          let next = 0;
          let sum = 0;
          const lane = async (): Promise<number> => {
            let last: Ref<EphemeralMsg> | null = null;
            while (next < count) {
              const id = next++;
              const ref = spawn(system, behaviour, undefined, { initialState: { id } }) as Ref<EphemeralMsg>;
              const answer: number = await query(ref, (reply: Ref<number>) => ({ type: "hello", reply }) as EphemeralMsg, 10_000);
              sum += answer;
              await query(ref, (reply: Ref<number>) => ({ type: "stop", reply }) as EphemeralMsg, 10_000);
              stop(ref);
              last = ref;
            }
            if (last === null) return 0;
            // nact rejects a query to a stopped actor at once.
            return query(last, (reply: Ref<number>) => ({ type: "hello", reply }) as EphemeralMsg, 1_000).then(() => 0, () => 1);
          };
          const { value, ms } = await timed(() => Promise.all(Array.from({ length: lanes }, lane)));
          const confirmed = value.reduce((a, b) => a + b, 0);
          return {
            metrics: { rate: (count / ms) * 1000 },
            check: allOf(
              expectEqual("sum of first answers", sum, sumBelow(count)),
              expectEqual("stops confirmed", confirmed, Math.min(lanes, count)),
            ),
          };
        },
        close: () => Promise.resolve(stop(system)),
      });
    },
  };
  return {
    name: "spawn-local",
    title: "spawn + first ask + stop, on the spawner's own loop",
    metrics: [rateMetric("actors/s")],
    params: { actors: count, lanes },
    notes: [],
    cases: [missive, nact],
  };
};

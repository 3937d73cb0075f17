/**
 * `idle-actors`: the heap an idle actor costs. An {@link IdleHost} on one worker spawns
 * `n` children (its own `ctx.spawn`, each answering once so it is known to be alive) and
 * they sit idle; the worker's heap is read before and after, each after a full garbage
 * collection, and so is the main thread's (its share: what crash recovery needs to know).
 * Reported per actor, in bytes; the host's array of refs to its children is included.
 * Issue 13's bar: ≤ 1 KiB per actor on the worker, a few dozen bytes on the main loop.
 * @module
 */
import { heapUsedAfterGc, IdleHost } from "../actors/idle-host.ts";
import type { BenchmarkFactory, CaseRunner } from "../harness/types.ts";
import { allOf, expectEqual } from "../util/check.ts";
import { startSystem } from "./common.ts";

/** `idle-actors`: bytes of heap per idle actor, on its worker and on the main thread. */
export const idleActors: BenchmarkFactory = (size) => {
  const n = size === "full" ? 1_000_000 : 20_000;
  return {
    name: "idle-actors",
    title: `heap per idle actor, ${n.toLocaleString("en-US")} actors on one worker`,
    metrics: [
      { key: "worker", label: "worker B/actor", unit: "B", better: "lower" },
      { key: "main", label: "main B/actor", unit: "B", better: "lower" },
    ],
    params: { actors: n },
    notes: ["heap used after a full collection (gc), read in the worker and in the main thread; includes the host's refs"],
    cases: [{
      name: "missive",
      role: "missive",
      async setup(): Promise<CaseRunner> {
        const { system, close } = await startSystem({ workers: 1 });
        const host = await system.spawn(IdleHost, undefined, { worker: 0 });
        return {
          async run() {
            const mainBefore = await heapUsedAfterGc();
            const fill = await host.ask("fill", { n }, { timeout: 900_000 });
            const mainAfter = await heapUsedAfterGc();
            const released = await host.ask("release", undefined, { timeout: 900_000 });
            return {
              metrics: {
                worker: Math.max(0, (fill.after - fill.before) / n),
                main: Math.max(0, (mainAfter.bytes - mainBefore.bytes) / n),
              },
              check: allOf(
                expectEqual("sum of the children's answers", fill.sum, (n * (n - 1)) / 2),
                expectEqual("children stopped, each confirmed", released, n),
                expectEqual("a full collection before each reading", fill.collected && mainAfter.collected, true),
              ),
            };
          },
          close,
        };
      },
    }],
  };
};

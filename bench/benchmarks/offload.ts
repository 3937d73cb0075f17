/**
 * Task offload: a tiny CPU-bound function ({@link tinyTask}, well under 1 µs) run on a
 * pool of workers, `window` tasks in flight (each completion submits the next).
 *
 * Missive: one `TaskRunner` actor per worker, tasks sent round-robin by `ask`. Baselines:
 * piscina and tinypool with as many threads as Missive has workers (one per core). The
 * sum of all results is checked.
 * @module
 */
import { Piscina } from "piscina";
import Tinypool from "tinypool";
import type { ActorRef } from "../../mod.ts";
import { TaskRunner } from "../actors/task-runner.ts";
import type { BenchmarkFactory, CaseRunner, CaseSpec } from "../harness/types.ts";
import { expectEqual } from "../util/check.ts";
import { pipelined } from "../util/pipeline.ts";
import { expectedTaskSum } from "../util/tiny-task.ts";
import { poolSize, rateMetric, startSystem, timed } from "./common.ts";

const TASK_MODULE = new URL("../baselines/pool-task.ts", import.meta.url).href;

/** `offload`: tiny tasks on a pool, tasks/s. */
export const taskOffload: BenchmarkFactory = (size) => {
  const total = size === "full" ? 100_000 : 2_000;
  const window = 1_000;
  const threads = poolSize();
  const expected = expectedTaskSum(total);
  const measure = async (call: (i: number) => Promise<number>) => {
    const { value, ms } = await timed(() => pipelined(total, window, call));
    return { metrics: { rate: (total / ms) * 1000 }, check: expectEqual("sum of results", value, expected) };
  };
  const missive: CaseSpec = {
    name: "missive",
    role: "missive",
    async setup(): Promise<CaseRunner> {
      const { system, close } = await startSystem({ workers: threads });
      const runners: ActorRef<typeof TaskRunner>[] = [];
      for (let w = 0; w < threads; w++) runners.push(await system.spawn(TaskRunner, undefined, { worker: w }));
      return { run: () => measure((i) => runners[i % threads]!.ask("run", i)), close };
    },
  };
  const piscina: CaseSpec = {
    name: "piscina",
    role: "baseline",
    async setup(): Promise<CaseRunner> {
      const pool = new Piscina<number, number>({ filename: TASK_MODULE, minThreads: threads, maxThreads: threads });
      await pool.run(1); // the threads are up
      return { run: () => measure((i) => pool.run(i)), close: () => pool.destroy() };
    },
  };
  const tinypool: CaseSpec = {
    name: "tinypool",
    role: "baseline",
    async setup(): Promise<CaseRunner> {
      const pool = new Tinypool({ filename: TASK_MODULE, minThreads: threads, maxThreads: threads });
      await pool.run(1); // the threads are up
      return { run: () => measure((i) => pool.run(i) as Promise<number>), close: () => pool.destroy() };
    },
  };
  return {
    name: "offload",
    title: "task offload, tiny CPU task",
    metrics: [rateMetric("tasks/s")],
    params: { tasks: total, window, threads, actorsPerWorker: 1, task: "64 rounds of xorshift32" },
    notes: [],
    cases: [missive, piscina, tinypool],
  };
};

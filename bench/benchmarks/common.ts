/**
 * Pieces shared by the benchmark definitions: metric specs, the Missive system's start
 * and stop for a case, and the timing helper.
 * @module
 */
import process from "node:process";
import { ActorSystem, availableParallelism, type SystemOptions } from "../../mod.ts";
import type { MetricSpec } from "../harness/types.ts";

/** Messages (or operations) per second. */
export const rateMetric = (unit = "msgs/s"): MetricSpec => ({ key: "rate", label: unit, unit, better: "higher" });
/** Wall time of a workload, in milliseconds. */
export const timeMetric: MetricSpec = { key: "ms", label: "time", unit: "ms", better: "lower" };

/** Workers a benchmark's pools use: one per core, as Missive's default. */
export const poolSize = (): number => availableParallelism();

/** Starts a system for one case; `close()` shuts it down and checks it drained. */
export async function startSystem(options: SystemOptions = {}): Promise<{ system: ActorSystem; close(): Promise<void> }> {
  const system = await ActorSystem.start(options);
  return {
    system,
    close: async () => {
      const report = await system.shutdown({ timeout: 10_000 });
      if (report.deadlineHit) console.error(`[bench] shutdown hit its deadline: ${JSON.stringify(report.undelivered)}`);
    },
  };
}

/**
 * CPU time per item in nanoseconds: what the process (every thread: workers, GC, the
 * compiler) spent on `items`. Less sensitive than a rate to which vCPU each thread got,
 * and the measure of work a throughput ratio between CPU-bound contenders comes down to.
 */
export const cpuMetric = (per = "msg"): MetricSpec => ({ key: "cpu", label: `CPU/${per}`, unit: "ns", better: "lower" });

/** Runs `work` and returns its result with the elapsed milliseconds and the process's CPU milliseconds meanwhile. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpuBefore);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

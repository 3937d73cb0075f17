/**
 * Prints the demo's final summary: throughput, main-loop delay, how the jobs spread over
 * the workers, what the aggregator saw, and the shutdown report.
 *
 * @example
 * ```ts
 * const ok = printSummary({ runtime: runtimeVersion(), workers: 2, crunchersPerWorker: 3, jobs: 20_000, jobsMs, totalMs, delay, perWorker, checksum, totals, report });
 * if (!ok) process.exitCode = 1;
 * ```
 * @module
 */
import type { ShutdownReport } from "../mod.ts";
import type { Totals } from "./demo-actors.ts";
import type { DelayStats } from "./loop-delay.ts";
import { int } from "./progress.ts";

/** Everything the summary reports. */
export interface RunResult {
  /** Runtime and version, e.g. `node v22.23.3`. */
  runtime: string;
  /** Number of workers. */
  workers: number;
  /** Crunchers per worker. */
  crunchersPerWorker: number;
  /** Jobs dispatched. */
  jobs: number;
  /** Milliseconds from the first job sent to the last result aggregated. */
  jobsMs: number;
  /** Milliseconds from start to the end of shutdown. */
  totalMs: number;
  /** Main event-loop delay while the jobs ran. */
  delay: DelayStats;
  /** Replies received by the main loop, per worker. */
  perWorker: number[];
  /** XOR of the checksums in the replies. */
  checksum: number;
  /** What the aggregator counted. */
  totals: Totals;
  /** What shutdown reported. */
  report: ShutdownReport;
}

const ms = (n: number): string => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const hex = (n: number): string => `0x${n.toString(16).padStart(8, "0")}`;

/** Prints the summary of a run and returns whether every check passed. */
export function printSummary(r: RunResult): boolean {
  const { totals, report } = r;
  const seconds = r.jobsMs / 1000;
  const agrees = totals.jobs === r.jobs && totals.duplicates === 0 && totals.checksum === r.checksum &&
    totals.perWorker.every((n, w) => n === r.perWorker[w]);
  const undelivered = Object.entries(report.undelivered);
  const exitsOk = report.exits.length === r.workers && report.exits.every((e) => e.code === 0);
  const lines = [
    ``,
    `Summary (${r.runtime}, ${r.workers} workers × ${r.crunchersPerWorker} crunchers + 1 aggregator)`,
    `  jobs              ${int(totals.jobs)} of ${int(r.jobs)} aggregated, checksum ${hex(r.checksum)} ` +
    (agrees ? `(replies and aggregator agree)` : `MISMATCH: aggregator ${hex(totals.checksum)}, ${totals.duplicates} duplicates`),
    `  messages          ${int(report.processed)} processed by actors, ${int(report.processed / seconds)} msgs/s (${
      int(r.jobs / seconds)
    } jobs/s)`,
    `  wall time         ${seconds.toFixed(2)} s of jobs, ${(r.totalMs / 1000).toFixed(2)} s in all (start to shutdown)`,
    `  main loop delay   max ${ms(r.delay.maxMs)}, p99 ${ms(r.delay.p99Ms)} over ${int(r.delay.samples)} ticks of a 10 ms timer`,
    `  per worker        ${r.perWorker.map((n, w) => `w${w}: ${int(n)} jobs`).join(", ")}`,
    `  per job (mean)    ${ms(totals.cpuMs / totals.jobs)} CPU, ${ms(totals.ioMs / totals.jobs)} awaiting digest + file I/O`,
    `  shutdown          processed ${int(report.processed)}, undelivered ${
      undelivered.length === 0 ? "none" : JSON.stringify(report.undelivered)
    }, ` +
    `dead letters ${report.deadLetters}, late replies ${report.lateReplies}, failures ${report.failures}, ` +
    `${report.deadlineHit ? "DEADLINE HIT, " : ""}${ms(report.durationMs)}`,
    `  workers exited    ${report.exits.map((e, w) => `w${w}: code ${e.code} (${e.reason})`).join(", ")}` +
    (exitsOk ? `, all clean` : ``),
  ];
  console.log(lines.join("\n"));
  return agrees && exitsOk && undelivered.length === 0 && !report.deadlineHit && report.failures === 0;
}

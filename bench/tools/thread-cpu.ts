/**
 * CPU time per thread on Linux, for the tools that split a run's CPU between the main
 * thread, the threads a contender started (its workers) and the ones that were there
 * before (the engine's compiler and garbage-collector threads, the runtime's own). Each
 * thread's time on a CPU comes from `/proc/self/task/<tid>/schedstat`.
 *
 * ```ts
 * const old = threadTimes();              // before the contender starts its threads
 * // …start the contender…
 * const before = threadTimes();
 * // …the measured work…
 * const run = splitThreadTimes(old, before, threadTimes(), wallMs);
 * console.log(run.main, run.workers, run.helpers); // CPU ms of each group
 * console.log(run.helpersByName);                      // e.g. { JITWorker: 69.3, HeapHelper: 2.0 } on Bun
 * ```
 * The helpers' names are the kernel's (`/proc/self/task/<tid>/comm`, at most 15 bytes):
 * JavaScriptCore names its compiler threads (`JITWorker`), its collector's (`HeapHelper`)
 * and Bun its own (`JSCWarmUp`, mimalloc's `mi-scavenger`); V8's platform threads are
 * `V8 DefaultWorke` on Deno, where they compile and collect alike; Node names every thread
 * `node`, so there the split says nothing more than the groups.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import process from "node:process";

/** CPU milliseconds per thread id. */
export type ThreadTimes = Map<string, number>;

/** One measured run: wall time and CPU time per group, in ms. */
export interface ThreadRun {
  wall: number;
  main: number;
  workers: number;
  helpers: number;
  /** The helpers' CPU by thread name (threads of one name summed; `?` for one that ended before its name was read). */
  helpersByName: Record<string, number>;
}

/** True where per-thread CPU times can be read (Linux's `/proc`). */
export function hasThreadTimes(): boolean {
  return existsSync(`/proc/self/task/${process.pid}/schedstat`);
}

/** Every thread's CPU time so far, in ms. */
export function threadTimes(): ThreadTimes {
  const out: ThreadTimes = new Map();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** The CPU each group used between `before` and `after`; `old`: the threads that were there before the contender started. */
export function splitThreadTimes(old: ThreadTimes, before: ThreadTimes, after: ThreadTimes, wall: number): ThreadRun {
  const main = String(process.pid);
  const run: ThreadRun = { wall, main: 0, workers: 0, helpers: 0, helpersByName: {} };
  for (const [tid, cpu] of after) {
    const used = cpu - (before.get(tid) ?? 0);
    if (tid === main) run.main += used;
    else if (old.has(tid)) {
      run.helpers += used;
      const name = threadName(tid);
      run.helpersByName[name] = (run.helpersByName[name] ?? 0) + used;
    } else run.workers += used;
  }
  return run;
}

/** Thread `tid`'s name as the kernel has it, or `?` once it has ended. */
function threadName(tid: string): string {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}

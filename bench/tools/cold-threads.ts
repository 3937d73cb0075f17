/**
 * Where a cold start's CPU time goes, thread by thread: the `tell-cold` workload (a fresh
 * system, then 200 000 tells from the main thread to one actor on its worker, until
 * `flush()`), the same 200 000 again on that now-warm system, and the benchmark's baseline
 * (a fresh worker, one `postMessage` per item), in interleaved rounds. For each it reads
 * every thread's time on a CPU before and after, from Linux's
 * `/proc/self/task/<tid>/schedstat` (nanoseconds), and sums it in three groups:
 *
 * - `main`: the main thread;
 * - `workers`: threads started with the system (its worker), or with the baseline's worker;
 * - `helpers`: the threads that were there before — the engine's compiler and
 *   garbage-collector threads (V8's platform workers, JavaScriptCore's JIT threads) and the
 *   runtime's own.
 *
 * Then it states the target's budget: at 4× the baseline's rate, 200 000 tells must be
 * done in a quarter of the baseline's wall time, and two cores give at most twice that in
 * CPU time. `process.cpuUsage()` (the benchmark's `CPU/msg`) is the sum of the groups.
 * Where the helpers have names of their own (JavaScriptCore's and Bun's, V8's on Deno; see
 * `thread-cpu.ts`), it also prints their CPU by name: on Bun, `JITWorker` is the compiler.
 *
 * ```sh
 * npx tsx bench/tools/cold-threads.ts           # deno run -A …, bun …; ROUNDS=10 by default
 * ```
 * Linux only (it needs `/proc/self/task/*\/schedstat`). Prints medians per contender and
 * writes them to `bench/results/cold-threads-<runtime>.json`.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import { runtimeName } from "../../src/runtime/adapters.ts";
import type { Received } from "../actors/sink.ts";
import { Sink } from "../actors/sink.ts";
import { PostWorkers } from "../baselines/post-workers.ts";
import { startSystem } from "../benchmarks/common.ts";
import { summarize } from "../harness/stats.ts";
import { item } from "../util/items.ts";
import { hasThreadTimes, splitThreadTimes, type ThreadRun, threadTimes } from "./thread-cpu.ts";

const N = 200_000;
const ROUNDS = Number(process.env.ROUNDS ?? 10);
/** Rounds not counted: the main thread's own code is compiled in these (see `tell-cold`). */
const WARM_ROUNDS = 2;
const TARGET = 4;
const CORES = 2;

function check(what: string, got: Received): void {
  if (got.count !== N) throw new Error(`${what}: ${got.count} of ${N} items arrived`);
}

/** A fresh system's first N tells (`cold`) and, on the same system, the next N (`warm`). */
async function missive(): Promise<{ cold: ThreadRun; warm: ThreadRun }> {
  const old = threadTimes();
  const { system, close } = await startSystem({ workers: 1 });
  try {
    const sink = await system.spawn(Sink, undefined, { worker: 0 });
    const measure = async (): Promise<ThreadRun> => {
      const before = threadTimes();
      const started = performance.now();
      for (let i = 0; i < N; i++) sink.tell("add", item(i));
      await sink.flush();
      const wall = performance.now() - started;
      const run = splitThreadTimes(old, before, threadTimes(), wall);
      check("missive", await sink.ask("take"));
      return run;
    };
    const cold = await measure();
    const warm = await measure();
    return { cold, warm };
  } finally {
    await close();
  }
}

/** The baseline: a fresh worker, N items one `postMessage` each, then an ack. */
async function baseline(): Promise<ThreadRun> {
  const old = threadTimes();
  const pool = await PostWorkers.start(1);
  try {
    const worker = pool.worker(0);
    const before = threadTimes();
    const started = performance.now();
    for (let i = 0; i < N; i++) worker.post(item(i));
    worker.post("ack");
    const got = (await pool.next(0)) as Received;
    const wall = performance.now() - started;
    const run = splitThreadTimes(old, before, threadTimes(), wall);
    check("baseline", got);
    return run;
  } finally {
    await pool.close();
  }
}

const median = (xs: number[]): number => summarize(xs).median;

function medians(runs: ThreadRun[]): ThreadRun & { cpu: number } {
  const names = new Set(runs.flatMap((r) => Object.keys(r.helpersByName)));
  const m = {
    wall: median(runs.map((r) => r.wall)),
    main: median(runs.map((r) => r.main)),
    workers: median(runs.map((r) => r.workers)),
    helpers: median(runs.map((r) => r.helpers)),
    helpersByName: Object.fromEntries([...names].map((n) => [n, median(runs.map((r) => r.helpersByName[n] ?? 0))])),
  };
  return { ...m, cpu: median(runs.map((r) => r.main + r.workers + r.helpers)) };
}

/** The helpers' lines: each thread name's median CPU (names under 0.5 ms left out), or nothing where every helper has one name. */
function helperLines(table: Record<string, ThreadRun>): string[] {
  const names = [...new Set(Object.values(table).flatMap((r) => Object.keys(r.helpersByName)))]
    .filter((n) => Object.values(table).some((r) => (r.helpersByName[n] ?? 0) >= 0.5));
  if (names.length < 2) return [];
  const lines = [`helpers by thread name, ms: ${Object.keys(table).map((k) => k.padStart(10)).join(" ")}`];
  for (const n of names.sort()) {
    lines.push(`  ${n.padEnd(26)} ${Object.values(table).map((r) => (r.helpersByName[n] ?? 0).toFixed(1).padStart(10)).join(" ")}`);
  }
  return lines;
}

async function main(): Promise<void> {
  if (!hasThreadTimes()) {
    console.error("cold-threads needs Linux's /proc/self/task/<tid>/schedstat (per-thread CPU time); not available here");
    process.exitCode = 1;
    return;
  }
  const runs = { cold: [] as ThreadRun[], warm: [] as ThreadRun[], baseline: [] as ThreadRun[] };
  for (let r = 0; r < ROUNDS + WARM_ROUNDS; r++) {
    const m = await missive();
    const b = await baseline();
    if (r < WARM_ROUNDS) continue;
    runs.cold.push(m.cold);
    runs.warm.push(m.warm);
    runs.baseline.push(b);
    console.error(
      `round ${r - WARM_ROUNDS + 1}/${ROUNDS}: cold ${m.cold.wall.toFixed(1)} ms, warm ${m.warm.wall.toFixed(1)} ms, baseline ${
        b.wall.toFixed(1)
      } ms`,
    );
  }
  const table = { cold: medians(runs.cold), warm: medians(runs.warm), baseline: medians(runs.baseline) };
  const budgetWall = table.baseline.wall / TARGET;
  const result = {
    runtime: runtimeName,
    messages: N,
    rounds: ROUNDS,
    ms: table,
    budget: { target: TARGET, wall: budgetWall, cpuOnTwoCores: budgetWall * CORES },
  };
  const row = (what: string, r: ThreadRun & { cpu: number }) =>
    `${what.padEnd(26)} ${[r.wall, r.main, r.workers, r.helpers, r.cpu].map((x) => x.toFixed(1).padStart(8)).join(" ")}`;
  console.log(`cold start, ${runtimeName}: ${N} items, ms (medians of ${ROUNDS} interleaved rounds)`);
  console.log(`${"".padEnd(26)} ${["wall", "main", "workers", "helpers", "CPU"].map((h) => h.padStart(8)).join(" ")}`);
  console.log(row("missive, fresh system", table.cold));
  console.log(row("missive, same system again", table.warm));
  console.log(row("postMessage/msg, fresh", table.baseline));
  for (const line of helperLines(table)) console.log(line);
  console.log(
    `${TARGET}× the baseline: ${budgetWall.toFixed(1)} ms of wall time, at most ${
      (budgetWall * CORES).toFixed(1)
    } ms of CPU on ${CORES} cores ` +
      `(cold: ${(table.cold.wall / budgetWall).toFixed(2)}× the wall, ${(table.cold.cpu / (budgetWall * CORES)).toFixed(2)}× the CPU)`,
  );
  const out = new URL(`../results/cold-threads-${runtimeName}.json`, import.meta.url);
  mkdirSync(new URL(".", out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${out.pathname}`);
}

await main();

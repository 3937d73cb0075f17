/**
 * What tell all→all's rate follows, repetition by repetition: the suite's own `tell-all`
 * cases (bench/benchmarks/tell.ts: on every worker a `Blaster` tells `n` items to the `Sink`
 * on every other worker, then flushes), over the default ports and over shared-memory
 * rings, with the benchmark's rate and each repetition's CPU time (the sinks' counts read
 * back included) split thread by thread (see thread-cpu.ts): the main thread, the system's
 * workers, and the helpers — the engine's compiler and garbage-collector threads. The helpers' share moves
 * from one repetition to the next (a full collection or not), and with it how many of the
 * two cores the workers get and the rate: the table sorts repetitions by it.
 *
 * ```sh
 * npx tsx bench/tools/tell-all-threads.ts       # deno run -A …, bun …; REPS=12 by default
 * ```
 * Linux only (it needs `/proc/self/task/*\/schedstat`). Prints every counted repetition and
 * the median rate per third of them by helper CPU, and writes them to
 * `bench/results/tell-all-threads-<runtime>.json`.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import { runtimeName } from "../../src/runtime/adapters.ts";
import { tellAllToAll } from "../benchmarks/tell.ts";
import type { CaseSpec } from "../harness/types.ts";
import { summarize } from "../harness/stats.ts";
import { hasThreadTimes, splitThreadTimes, type ThreadRun, threadTimes } from "./thread-cpu.ts";

const REPS = Number(process.env.REPS ?? 12);
/** Repetitions not counted: the workers' code is still being compiled in these. */
const WARM_REPS = 3;
/** The suite's own tell all→all (full size): its Missive cases over ports and over rings. */
const BENCHMARK = tellAllToAll("full");
const MESSAGES = BENCHMARK.params.messages as number;

/** One counted repetition. */
interface Rep extends ThreadRun {
  link: string;
  /** Messages per second, as the benchmark measures it. */
  rate: number;
}

/** `REPS` repetitions of the benchmark's case `name` (after `WARM_REPS`), shown as `link`. */
async function repetitions(link: string, name: string): Promise<Rep[]> {
  const spec: CaseSpec | undefined = BENCHMARK.cases.find((c) => c.name === name);
  if (spec === undefined) throw new Error(`tell-all has no case "${name}"`);
  const unavailable = spec.unavailable?.();
  if (unavailable !== undefined) throw new Error(`tell-all's "${name}" cannot run here: ${unavailable}`);
  const old = threadTimes();
  const runner = await spec.setup();
  const reps: Rep[] = [];
  try {
    for (let r = 0; r < REPS + WARM_REPS; r++) {
      const before = threadTimes();
      const started = performance.now();
      const sample = await runner.run(); // the blast, then the sinks' counts read back and checked
      const run = splitThreadTimes(old, before, threadTimes(), performance.now() - started);
      if (!sample.check.ok) throw new Error(`${link}: ${sample.check.detail}`);
      const rate = sample.metrics.rate!;
      if (r >= WARM_REPS) reps.push({ link, rate, ...run });
      console.error(`${link} ${r + 1}/${REPS + WARM_REPS}${r < WARM_REPS ? " (not counted)" : ""}: ${(rate / 1e6).toFixed(2)} M msgs/s`);
    }
  } finally {
    await runner.close();
  }
  return reps;
}

/** ns of CPU per message in `ms` over `messages`. */
const perMessage = (ms: number, messages: number): number => (ms * 1e6) / messages;

async function main(): Promise<void> {
  if (!hasThreadTimes()) {
    console.error("tell-all-threads needs Linux's /proc/self/task/<tid>/schedstat (per-thread CPU time); not available here");
    process.exitCode = 1;
    return;
  }
  const total = MESSAGES;
  const reps = [...await repetitions("ports", "missive"), ...await repetitions("rings", "missive ring")];
  const rows = reps.map((r) => ({
    link: r.link,
    rate: r.rate,
    main: perMessage(r.main, total),
    workers: perMessage(r.workers, total),
    helpers: perMessage(r.helpers, total),
    workerCores: r.workers / r.wall,
    cores: (r.main + r.workers + r.helpers) / r.wall,
  })).sort((a, b) => a.helpers - b.helpers);
  const cells = ["link", "M msgs/s", "main ns", "workers ns", "helpers ns", "workers' cores", "all cores"];
  console.log(
    `tell all→all, ${runtimeName}: ${BENCHMARK.params.workers} workers, ${BENCHMARK.params.messagesPerPair} items per pair, ${REPS} counted repetitions per link; CPU per message`,
  );
  console.log(cells.map((c) => c.padStart(16)).join(""));
  for (const r of rows) {
    console.log(
      [
        r.link,
        (r.rate / 1e6).toFixed(2),
        r.main.toFixed(0),
        r.workers.toFixed(0),
        r.helpers.toFixed(0),
        r.workerCores.toFixed(2),
        r.cores.toFixed(2),
      ]
        .map((c) => c.padStart(16)).join(""),
    );
  }
  const third = Math.ceil(rows.length / 3);
  const thirds = [rows.slice(0, third), rows.slice(third, 2 * third), rows.slice(2 * third)].map((part) => ({
    helpers: { min: Math.min(...part.map((r) => r.helpers)), max: Math.max(...part.map((r) => r.helpers)) },
    rate: summarize(part.map((r) => r.rate)).median,
    workerCores: summarize(part.map((r) => r.workerCores)).median,
  }));
  for (const [i, t] of thirds.entries()) {
    console.log(
      `third ${i + 1} by helper CPU (${t.helpers.min.toFixed(0)}–${t.helpers.max.toFixed(0)} ns/msg): median ${
        (t.rate / 1e6).toFixed(2)
      } M msgs/s, workers on ${t.workerCores.toFixed(2)} cores`,
    );
  }
  const out = new URL(`../results/tell-all-threads-${runtimeName}.json`, import.meta.url);
  mkdirSync(new URL(".", out), { recursive: true });
  writeFileSync(
    out,
    `${
      JSON.stringify(
        { runtime: runtimeName, workers: BENCHMARK.params.workers, itemsPerPair: BENCHMARK.params.messagesPerPair, reps: rows, thirds },
        null,
        2,
      )
    }\n`,
  );
  console.log(`written to ${out.pathname}`);
}

await main();

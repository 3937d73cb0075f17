/**
 * What tell all→all's rate follows, repetition by repetition: its workload (on every worker
 * a `Blaster` tells `n` items to the `Sink` on every other worker, then flushes), over the
 * default ports and over shared-memory rings, with each repetition's CPU time split
 * thread by thread (see thread-cpu.ts): the main thread, the system's workers, and the
 * helpers — the engine's compiler and garbage-collector threads. The helpers' share moves
 * from one repetition to the next (a full collection or not), and with it how many of the
 * two cores the workers get and the rate: the table sorts repetitions by it.
 *
 * ```sh
 * npx tsx bench/tools/tell-all-threads.ts       # deno run -A …, bun …; REPS=12, N=500000 by default
 * ```
 * Linux only (it needs `/proc/self/task/*\/schedstat`). Prints every counted repetition and
 * the median rate per third of them by helper CPU, and writes them to
 * `bench/results/tell-all-threads-<runtime>.json`.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import type { ActorRef, SystemOptions } from "../../mod.ts";
import { runtimeName } from "../../src/runtime/adapters.ts";
import { Blaster } from "../actors/blaster.ts";
import { Sink } from "../actors/sink.ts";
import { startSystem } from "../benchmarks/common.ts";
import { summarize } from "../harness/stats.ts";
import { hasThreadTimes, splitThreadTimes, type ThreadRun, threadTimes } from "./thread-cpu.ts";

const WORKERS = 2;
const N = Number(process.env.N ?? 500_000);
const REPS = Number(process.env.REPS ?? 12);
/** Repetitions not counted: the workers' code is still being compiled in these. */
const WARM_REPS = 3;

/** One counted repetition. */
interface Rep extends ThreadRun {
  link: string;
  /** Messages per second. */
  rate: number;
}

/** `REPS` repetitions of the workload on one system with link `link`. */
async function repetitions(name: string, link: SystemOptions["link"]): Promise<Rep[]> {
  const old = threadTimes();
  const { system, close } = await startSystem({ workers: WORKERS, link });
  const total = N * WORKERS * (WORKERS - 1);
  const reps: Rep[] = [];
  try {
    const sinks: ActorRef<typeof Sink>[] = [];
    const blasters: ActorRef<typeof Blaster>[] = [];
    for (let w = 0; w < WORKERS; w++) {
      sinks.push(await system.spawn(Sink, undefined, { worker: w }));
      blasters.push(await system.spawn(Blaster, undefined, { worker: w }));
    }
    for (let r = 0; r < REPS + WARM_REPS; r++) {
      const before = threadTimes();
      const started = performance.now();
      const sent = await Promise.all(blasters.map((b, w) => b.ask("blast", { targets: sinks.filter((_, s) => s !== w), n: N })));
      const wall = performance.now() - started;
      const run = splitThreadTimes(old, before, threadTimes(), wall);
      const received = await Promise.all(sinks.map((s) => s.ask("take")));
      const got = received.reduce((a, b) => a + b.count, 0);
      if (got !== total || sent.reduce((a, b) => a + b, 0) !== total) throw new Error(`${name}: ${got} of ${total} items arrived`);
      if (r >= WARM_REPS) reps.push({ link: name, rate: total / (wall / 1000), ...run });
      console.error(
        `${name} ${r + 1}/${REPS + WARM_REPS}${r < WARM_REPS ? " (not counted)" : ""}: ${(total / wall / 1000).toFixed(2)} M msgs/s`,
      );
    }
  } finally {
    await close();
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
  const total = N * WORKERS * (WORKERS - 1);
  const reps = [...await repetitions("ports", undefined), ...await repetitions("rings", { transport: "ring" })];
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
    `tell all→all, ${runtimeName}: ${WORKERS} workers, ${N} items per pair, ${REPS} counted repetitions per link; CPU per message`,
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
  writeFileSync(out, `${JSON.stringify({ runtime: runtimeName, workers: WORKERS, itemsPerPair: N, reps: rows, thirds }, null, 2)}\n`);
  console.log(`written to ${out.pathname}`);
}

await main();

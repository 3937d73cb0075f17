/**
 * The classic pipeline, done right: a producer on the main loop, CPU stages (actors) on
 * every core, a results consumer on the main loop, and bounded channels between them —
 * then a clean shutdown with no sentinel values and no sleeps.
 *
 * ```
 * producer ──▶ input (capacity 64) ──▶ Stage × 2 per core ──▶ output (capacity 64) ──▶ consumer
 * ```
 *
 * 1. The producer puts jobs into `input`: `await put` waits while the channel is full, so
 *    a fast producer never runs ahead of the stages (backpressure, flat memory).
 * 2. Each stage does `for await (const job of input)`, puts its result into `output`
 *    (waiting while *that* is full) and calls `input.taskDone()`.
 * 3. The consumer does `for await (const r of output)` and checks every job arrives once.
 * 4. Shutdown: `input.join()` resolves when every job is done; `input.close()` ends the
 *    stages' loops (their `run` asks answer); `output.close()` ends the consumer's loop
 *    once it has drained the rest. Leaving the scope shuts the system down.
 *
 * Run it: `npx tsx examples/pipeline.ts`, `npx deno run -A examples/pipeline.ts`,
 * `npx bun examples/pipeline.ts`.
 * @module
 */
import process from "node:process";
import { ActorSystem, Channel, runtimeVersion } from "../mod.ts";
import { type Job, type Result, Stage, work } from "./pipeline-actors.ts";

/** Jobs to push through the pipeline. */
const JOBS = 10_000;
/** Stretch rounds per job: about 0.1 ms of CPU. */
const ROUNDS = 30_000;
/** Stages per worker: while one waits for a channel, the other computes. */
const STAGES_PER_WORKER = 2;
/** Capacity of both channels. */
const CAPACITY = 64;

const seedOf = (id: number): number => Math.imul(id + 1, 0x9e3779b1) >>> 0;

await using system = await ActorSystem.start(); // one worker per core
console.log(
  `pipeline on ${runtimeVersion()}: ${system.workers} workers × ${STAGES_PER_WORKER} stages, ${JOBS} jobs, channels of ${CAPACITY}`,
);
const started = performance.now();

await using input = await Channel.open<Job>(system, { capacity: CAPACITY, worker: 0 });
await using output = await Channel.open<Result>(system, { capacity: CAPACITY, worker: system.workers - 1 });

// The CPU stages, on every core. `run` answers when the input is closed and drained.
const stages = await Promise.all(
  Array.from({ length: system.workers * STAGES_PER_WORKER }, (_, i) => system.spawn(Stage, undefined, { worker: i % system.workers })),
);
const runs = stages.map((stage) => stage.ask("run", { input, output, rounds: ROUNDS }, { timeout: Infinity }));

// The consumer: every result, until the output is closed and drained.
const consumer = (async () => {
  const seen = new Uint8Array(JOBS);
  const perWorker = new Array<number>(system.workers).fill(0);
  let received = 0, duplicates = 0, wrong = 0, idSum = 0;
  for await (const r of output) {
    received++;
    if (seen[r.id] !== 0) duplicates++;
    seen[r.id] = 1;
    idSum += r.id;
    perWorker[r.worker]!++;
    if (r.id % 97 === 0 && work(seedOf(r.id), ROUNDS) !== r.value) wrong++; // spot-check the work
  }
  const missing = seen.reduce((n, s) => n + (s === 0 ? 1 : 0), 0);
  return { received, duplicates, missing, wrong, idSum, perWorker };
})();

// The producer: backpressure comes from `await put`.
for (let id = 0; id < JOBS; id++) await input.put({ id, seed: seedOf(id) });

await input.join(); // every job has been processed and its result accepted by `output`
await input.close(); // the stages' for-await loops end…
const processed = await Promise.all(runs); // …and their `run` asks answer
await output.close(); // the consumer drains what is left, then its loop ends
const summary = await consumer;
const seconds = (performance.now() - started) / 1000;

const expectedIdSum = (JOBS * (JOBS - 1)) / 2;
const exactlyOnce = summary.received === JOBS && summary.duplicates === 0 && summary.missing === 0 && summary.idSum === expectedIdSum;
console.log(`${summary.received} results in ${seconds.toFixed(2)} s: ${Math.round(summary.received / seconds)} jobs/s`);
console.log(`per stage: ${processed.join(" ")}; per worker: ${summary.perWorker.join(" ")}`);
console.log(
  `duplicates ${summary.duplicates}, missing ${summary.missing}, id checksum ${
    summary.idSum === expectedIdSum ? "ok" : "WRONG"
  }, spot-checked values ${summary.wrong === 0 ? "ok" : `${summary.wrong} WRONG`}`,
);
console.log(exactlyOnce && summary.wrong === 0 ? "every item arrived exactly once" : "ITEMS WERE LOST OR DUPLICATED");
if (!exactlyOnce || summary.wrong !== 0) process.exitCode = 1;

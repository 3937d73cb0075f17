/**
 * Missive's main demo (`npm start`): actors on every core run a mixed CPU + I/O job
 * while the main event loop stays responsive, with live progress and a final summary.
 *
 * 1. Start one worker per core; spawn an {@link Aggregator} and a few {@link Cruncher}s
 *    per worker. Each cruncher gets the aggregator's ref in its spawn argument.
 * 2. Dispatch the jobs with `ask`, keeping a bounded number in flight per cruncher;
 *    each reply frees a slot for the next job. A 10 ms timer measures the main loop's
 *    delay meanwhile.
 * 3. Wait for the results with acknowledgements, never with sleeps: every cruncher's
 *    `sync` flushes its records to the aggregator, then the aggregator's `summary`.
 * 4. Shut down (drain, stop, exit) and print the summary. Nothing is left running, so
 *    the process exits by itself.
 *
 * Runs the same on Node.js (`tsx examples/main.ts`), Deno (`deno run -A examples/main.ts`)
 * and Bun (`bun examples/main.ts`).
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { type ActorRef, ActorSystem, runtimeVersion } from "../mod.ts";
import { Aggregator, Cruncher } from "./demo-actors.ts";
import { LoopDelayMonitor } from "./loop-delay.ts";
import { int, Progress } from "./progress.ts";
import { printSummary } from "./summary.ts";

/** Jobs to run in all. */
const JOBS = 20_000;
/** Crunchers on each worker: while one awaits I/O, another uses the CPU. */
const CRUNCHERS_PER_WORKER = 3;
/** Asks in flight per cruncher: enough to keep its mailbox from running dry. */
const IN_FLIGHT_PER_CRUNCHER = 8;
/** Stretch rounds per job: about 0.4 ms of CPU. */
const ROUNDS = 100_000;
/** Actor messages per job: the `job` ask to a cruncher and its `record` tell to the aggregator. */
const MESSAGES_PER_JOB = 2;

/** A job's seed: spread over 32 bits, the same on every run and runtime. */
const seedOf = (id: number): number => Math.imul(id + 1, 0x9e3779b1) >>> 0;

const started = performance.now();
const dir = await mkdtemp(join(tmpdir(), "missive-demo-"));
try {
  await using system = await ActorSystem.start(); // one worker per core
  console.log(
    `Missive demo on ${runtimeVersion()}: ${system.workers} workers, ${int(JOBS)} jobs (CPU stretch + SHA-256 + file write/read each)`,
  );

  // Spawn: the aggregator on worker 0, crunchers spread evenly over every worker.
  const aggregator = await system.spawn(Aggregator, { workers: system.workers }, { worker: 0, name: "aggregator" });
  const crunchers: ActorRef<typeof Cruncher>[] = await Promise.all(
    Array.from(
      { length: system.workers * CRUNCHERS_PER_WORKER },
      (_, i) => system.spawn(Cruncher, { aggregator, dir, rounds: ROUNDS }, { worker: i % system.workers }),
    ),
  );

  // Dispatch: each lane sends one job, awaits its reply, takes the next job number.
  using delay = new LoopDelayMonitor(); // also stopped if anything below throws
  const progress = new Progress(
    JOBS,
    (jobsPerSecond) =>
      `${int(jobsPerSecond * MESSAGES_PER_JOB).padStart(7)} msgs/s  main-loop delay ${delay.takeRecentMax().toFixed(1).padStart(5)} ms`,
  );
  const perWorker = new Array<number>(system.workers).fill(0);
  let next = 0;
  let done = 0;
  let checksum = 0;
  const lane = async (cruncher: ActorRef<typeof Cruncher>): Promise<void> => {
    while (next < JOBS) {
      const id = next++;
      const reply = await cruncher.ask("job", { id, seed: seedOf(id) });
      checksum = (checksum ^ reply) >>> 0; // read `checksum` after the await, not before
      perWorker[cruncher.worker]!++;
      progress.update(++done);
    }
  };
  const jobsStarted = performance.now();
  try {
    await Promise.all(crunchers.flatMap((c) => Array.from({ length: IN_FLIGHT_PER_CRUNCHER }, () => lane(c))));
    // Every reply is in; make sure every record reached the aggregator before asking it.
    await Promise.all(crunchers.map((c) => c.ask("sync")));
  } finally {
    progress.finish();
  }
  const totals = await aggregator.ask("summary");
  const jobsMs = performance.now() - jobsStarted;
  const delayStats = delay.stop();

  const report = await system.shutdown();
  const ok = printSummary({
    runtime: runtimeVersion(),
    workers: system.workers,
    crunchersPerWorker: CRUNCHERS_PER_WORKER,
    jobs: JOBS,
    jobsMs,
    totalMs: performance.now() - started,
    delay: delayStats,
    perWorker,
    checksum,
    totals,
    report,
  });
  if (!ok) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}

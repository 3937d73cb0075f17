/**
 * The demo's actors: {@link Cruncher}s do a mixed CPU + I/O job per message and report
 * each result to one {@link Aggregator}, whose ref they get in their spawn argument
 * (refs travel inside messages).
 *
 * A job: stretch the seed on the CPU (pure JavaScript, see `stretch.ts`), hash the block
 * with `crypto.subtle` (asynchronous), write the digest to the actor's scratch file and
 * read it back (asynchronous file I/O). While one cruncher awaits its I/O, the others on
 * the same worker use the CPU. Everything used here exists on Node.js, Deno and Bun.
 *
 * @example
 * ```ts
 * const aggregator = await system.spawn(Aggregator, { workers: 2 });
 * const cruncher = await system.spawn(Cruncher, { aggregator, dir, rounds: 80_000 });
 * const checksum = await cruncher.ask("job", { id: 0, seed: 42 });
 * await cruncher.ask("sync"); // every result it sent has reached the aggregator
 * const totals = await aggregator.ask("summary");
 * ```
 * @module
 */
import { open } from "node:fs/promises";
import { join } from "node:path";
import { type ActorContext, type ActorRef, defineActor } from "../mod.ts";
import { BLOCK_BYTES, stretch } from "./stretch.ts";

/** One job: its number and the seed to stretch. */
export interface Job {
  id: number;
  seed: number;
}

/** What a cruncher reports to the aggregator for each job. */
export interface JobRecord {
  /** Job number. */
  id: number;
  /** Worker that ran the job (0-based). */
  worker: number;
  /** First 32 bits of the job's SHA-256 digest. */
  checksum: number;
  /** Milliseconds of CPU work (the stretch). */
  cpuMs: number;
  /** Milliseconds spent awaiting the digest and the file write + read. */
  ioMs: number;
}

/** Totals kept by the aggregator. */
export interface Totals {
  /** Results received. */
  jobs: number;
  /** Results for a job number already seen (should be 0). */
  duplicates: number;
  /** Results per worker index. */
  perWorker: number[];
  /** XOR of every job's checksum. */
  checksum: number;
  /** Summed CPU milliseconds. */
  cpuMs: number;
  /** Summed I/O milliseconds. */
  ioMs: number;
}

/** Collects every job's result; `summary` answers with the totals. */
export const Aggregator = defineActor(import.meta.url, {
  name: "Aggregator",
  init: (arg: { workers: number }) => ({
    totals: { jobs: 0, duplicates: 0, perWorker: new Array<number>(arg.workers).fill(0), checksum: 0, cpuMs: 0, ioMs: 0 } as Totals,
    seen: new Set<number>(),
  }),
  handlers: {
    /** One job's result (sent with `tell` by a cruncher). */
    record(state, r: JobRecord) {
      const t = state.totals;
      if (state.seen.has(r.id)) t.duplicates++;
      state.seen.add(r.id);
      t.jobs++;
      t.perWorker[r.worker] = (t.perWorker[r.worker] ?? 0) + 1;
      t.checksum = (t.checksum ^ r.checksum) >>> 0;
      t.cpuMs += r.cpuMs;
      t.ioMs += r.ioMs;
    },
    /** The totals so far. */
    summary(state): Totals {
      return state.totals;
    },
  },
});

/** Spawn argument of a {@link Cruncher}. */
export interface CruncherArg {
  /** Where each result goes. */
  aggregator: ActorRef<typeof Aggregator>;
  /** Directory for the cruncher's scratch file (it must exist). */
  dir: string;
  /** Rounds of stretching per job (CPU cost: about 4 ns per round). */
  rounds: number;
}

/** Scratch-file slots: job `id` uses slot `id % SLOTS`, so the file stays small. */
const SLOTS = 64;

/** Runs jobs: CPU work, then asynchronous hashing and file I/O; answers with the checksum. */
export const Cruncher = defineActor(import.meta.url, {
  name: "Cruncher",
  // `ctx` is annotated on purpose: left to inference, it would make the state `unknown` in the handlers.
  init: async (arg: CruncherArg, ctx: ActorContext) => ({
    aggregator: arg.aggregator,
    rounds: arg.rounds,
    file: await open(join(arg.dir, `${ctx.label.replace(/[^\w.-]/g, "_")}.bin`), "w+"),
    readBack: new Uint8Array(BLOCK_BYTES),
  }),
  handlers: {
    /** Runs one job and answers with its checksum; the full record goes to the aggregator. */
    async job(state, job: Job, ctx): Promise<number> {
      const t0 = performance.now();
      const block = stretch(job.seed, state.rounds);
      const t1 = performance.now();
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", block));
      const position = (job.id % SLOTS) * BLOCK_BYTES;
      await state.file.write(digest, 0, BLOCK_BYTES, position);
      const { bytesRead } = await state.file.read(state.readBack, 0, BLOCK_BYTES, position);
      if (bytesRead !== BLOCK_BYTES || !state.readBack.every((b, i) => b === digest[i])) {
        throw new Error(`job ${job.id}: read back ${bytesRead} bytes that differ from what was written`);
      }
      const checksum = new DataView(digest.buffer).getUint32(0);
      const record: JobRecord = { id: job.id, worker: ctx.worker, checksum, cpuMs: t1 - t0, ioMs: performance.now() - t1 };
      state.aggregator.tell("record", record);
      return checksum;
    },
    /** Resolves once every record this cruncher sent has been processed by the aggregator. */
    async sync(state): Promise<void> {
      await state.aggregator.flush();
    },
  },
  async onStop(state) {
    await state.file.close();
  },
});

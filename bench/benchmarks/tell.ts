/**
 * Cross-worker tell throughput. Completion is an acknowledgement: `flush()` for Missive,
 * an `ack` answered by the worker for the baselines (a port is FIFO, so the answer comes
 * after every message posted before it). Every run checks the count and the value sum.
 *
 * - `tell-1to1`: the main loop tells `n` items to one actor on a worker.
 * - `tell-all`: on every worker a sender tells `n` items to a sink on every other worker.
 *
 * Baselines (the same item objects, built the same way): one `postMessage` per item
 * (structured clone); one msgpack encode (a reused `Encoder`) + `postMessage` of the
 * bytes per item; 256 items per `postMessage` (one structured clone of an array).
 * @module
 */
import { Encoder } from "@msgpack/msgpack";
import type { ActorRef, SystemOptions } from "../../mod.ts";
import { Blaster } from "../actors/blaster.ts";
import { type Received, Sink } from "../actors/sink.ts";
import { BATCH } from "../baselines/post-protocol.ts";
import { PostWorkers } from "../baselines/post-workers.ts";
import type { BenchmarkFactory, CaseRunner, CaseSpec, Check } from "../harness/types.ts";
import { allOf, expectEqual } from "../util/check.ts";
import { expectedValueSum, type Item, item } from "../util/items.ts";
import { cpuMetric, poolSize, rateMetric, startSystem, timed } from "./common.ts";

/** How a baseline moves items. */
type PostMode = "object" | "msgpack" | "batch";

const BASELINES: { name: string; mode: PostMode }[] = [
  { name: "postMessage/msg", mode: "object" },
  { name: "msgpack+postMessage/msg", mode: "msgpack" },
  { name: `postMessage/${BATCH} batch`, mode: "batch" },
];

/** Messages per second and CPU nanoseconds per message. */
function perMessage(n: number, ms: number, cpuMs: number): Record<string, number> {
  return { rate: (n / ms) * 1000, cpu: (cpuMs * 1e6) / n };
}

function checkReceived(what: string, got: Received, n: number): Check {
  return allOf(expectEqual(`${what} count`, got.count, n), expectEqual(`${what} value sum`, got.sum, expectedValueSum(n)));
}

/** Posts `n` items from the main thread to `post` in `mode`. */
function postItems(post: (data: unknown) => void, mode: PostMode, n: number): void {
  if (mode === "object") {
    for (let i = 0; i < n; i++) post(item(i));
  } else if (mode === "msgpack") {
    const encoder = new Encoder();
    for (let i = 0; i < n; i++) post(encoder.encode(item(i)));
  } else {
    let batch: Item[] = [];
    for (let i = 0; i < n; i++) {
      batch.push(item(i));
      if (batch.length === BATCH) {
        post(batch);
        batch = [];
      }
    }
    if (batch.length > 0) post(batch);
  }
}

/** `tell-1to1`: main → one actor on a worker. */
export const tellOneToOne: BenchmarkFactory = (size) => {
  const n = size === "full" ? 1_000_000 : 2_000;
  const missive: CaseSpec = {
    name: "missive",
    role: "missive",
    async setup(): Promise<CaseRunner> {
      const { system, close } = await startSystem();
      const sink = await system.spawn(Sink, undefined, { worker: 0 });
      return {
        async run() {
          const { ms, cpuMs } = await timed(async () => {
            for (let i = 0; i < n; i++) sink.tell("add", item(i));
            await sink.flush();
          });
          return { metrics: perMessage(n, ms, cpuMs), check: checkReceived("sink", await sink.ask("take"), n) };
        },
        close,
      };
    },
  };
  const baseline = ({ name, mode }: { name: string; mode: PostMode }): CaseSpec => ({
    name,
    role: "baseline",
    async setup(): Promise<CaseRunner> {
      const pool = await PostWorkers.start(1);
      const worker = pool.worker(0);
      const post = (data: unknown): void => worker.post(data);
      return {
        async run() {
          const { value, ms, cpuMs } = await timed(async () => {
            postItems(post, mode, n);
            worker.post("ack");
            return (await pool.next(0)) as Received;
          });
          return { metrics: perMessage(n, ms, cpuMs), check: checkReceived("worker", value, n) };
        },
        close: () => pool.close(),
      };
    },
  });
  return {
    name: "tell-1to1",
    title: "cross-worker tell, main → 1 actor",
    metrics: [rateMetric(), cpuMetric()],
    params: { messages: n, item: item(1), batch: BATCH },
    notes: [],
    cases: [missive, ...BASELINES.map(baseline)],
  };
};

/** `tell-all`: every worker tells a sink on every other worker. */
export const tellAllToAll: BenchmarkFactory = (size) => {
  const n = size === "full" ? 500_000 : 1_000;
  const workers = poolSize();
  const total = n * workers * (workers - 1);
  const unavailable = (): string | undefined => (workers < 2 ? "needs at least 2 cores" : undefined);
  const missive = (name: string, role: "missive" | "baseline", link: SystemOptions["link"]): CaseSpec => ({
    name,
    role,
    unavailable,
    async setup(): Promise<CaseRunner> {
      const { system, close } = await startSystem({ workers, link });
      const sinks: ActorRef<typeof Sink>[] = [];
      const blasters: ActorRef<typeof Blaster>[] = [];
      for (let w = 0; w < workers; w++) {
        sinks.push(await system.spawn(Sink, undefined, { worker: w }));
        blasters.push(await system.spawn(Blaster, undefined, { worker: w }));
      }
      return {
        async run() {
          const { value: sent, ms, cpuMs } = await timed(() =>
            Promise.all(blasters.map((b, w) => b.ask("blast", { targets: sinks.filter((_, s) => s !== w), n })))
          );
          const received = await Promise.all(sinks.map((s) => s.ask("take")));
          const checks = received.map((r, w) => checkReceivedFrom(`sink on worker ${w}`, r, n, workers - 1));
          const sentTotal = sent.reduce((a, b) => a + b, 0);
          return { metrics: perMessage(total, ms, cpuMs), check: allOf(expectEqual("messages sent", sentTotal, total), ...checks) };
        },
        close,
      };
    },
  });
  const baseline = ({ name, mode }: { name: string; mode: PostMode }): CaseSpec => ({
    name,
    role: "baseline",
    unavailable,
    async setup(): Promise<CaseRunner> {
      const pool = await PostWorkers.start(workers);
      return {
        async run() {
          const { value, ms, cpuMs } = await timed(() => {
            for (let w = 0; w < workers; w++) pool.worker(w).post(`blast:${mode}:${n}`);
            return Promise.all(Array.from({ length: workers }, (_, w) => pool.next(w) as Promise<Received>));
          });
          const checks = value.map((r, w) => checkReceivedFrom(`worker ${w}`, r, n, workers - 1));
          return { metrics: perMessage(total, ms, cpuMs), check: allOf(...checks) };
        },
        close: () => pool.close(),
      };
    },
  });
  return {
    name: "tell-all",
    title: `cross-worker tell, all ${workers} workers → all`,
    metrics: [rateMetric(), cpuMetric()],
    params: { workers, messagesPerPair: n, messages: total, batch: BATCH },
    notes: ['missive ring: the same run over shared-memory links (link.transport "ring")'],
    cases: [
      missive("missive", "missive", undefined),
      ...BASELINES.map(baseline),
      missive("missive ring", "baseline", { transport: "ring" }),
    ],
  };
};

function checkReceivedFrom(what: string, got: Received, n: number, senders: number): Check {
  return allOf(
    expectEqual(`${what} count`, got.count, n * senders),
    expectEqual(`${what} value sum`, got.sum, expectedValueSum(n) * senders),
  );
}

/**
 * `tell-cold`: the first `n` tells of a fresh system, main → one actor on a worker: a new
 * `ActorSystem` (and a new `Sink`) per repetition, started before the clock starts, and no
 * warm-up of its own — its worker, link, frame sizes, key and shape caches all start empty.
 * The baseline is as cold: a new worker per repetition posting the same items one
 * `postMessage` each. (The main thread's own code is compiled after the first repetition
 * of a process, for both: only a fresh process would make it cold too.)
 */
export const tellCold: BenchmarkFactory = (size) => {
  const n = size === "full" ? 200_000 : 2_000;
  const missive: CaseSpec = {
    name: "missive",
    role: "missive",
    setup(): Promise<CaseRunner> {
      return Promise.resolve({
        async run() {
          const { system, close } = await startSystem({ workers: 1 });
          try {
            const sink = await system.spawn(Sink, undefined, { worker: 0 });
            const { ms, cpuMs } = await timed(async () => {
              for (let i = 0; i < n; i++) sink.tell("add", item(i));
              await sink.flush();
            });
            return { metrics: perMessage(n, ms, cpuMs), check: checkReceived("sink", await sink.ask("take"), n) };
          } finally {
            await close();
          }
        },
        close: () => Promise.resolve(),
      });
    },
  };
  const baseline: CaseSpec = {
    name: "postMessage/msg",
    role: "baseline",
    setup(): Promise<CaseRunner> {
      return Promise.resolve({
        async run() {
          const pool = await PostWorkers.start(1);
          try {
            const worker = pool.worker(0);
            const { value, ms, cpuMs } = await timed(async () => {
              postItems((data) => worker.post(data), "object", n);
              worker.post("ack");
              return (await pool.next(0)) as Received;
            });
            return { metrics: perMessage(n, ms, cpuMs), check: checkReceived("worker", value, n) };
          } finally {
            await pool.close();
          }
        },
        close: () => Promise.resolve(),
      });
    },
  };
  return {
    name: "tell-cold",
    title: "cross-worker tell from a fresh system, main → 1 actor (no warm-up)",
    metrics: [rateMetric(), cpuMetric()],
    params: { messages: n, item: item(1), freshSystemPerRun: true },
    notes: ["a new system (Missive) or worker (baseline) per repetition, started before the clock; warm-up runs are cold runs too"],
    cases: [missive, baseline],
  };
};

/**
 * Memory under a sustained flood: the main loop sends `total` items to one actor on a
 * worker, and resident memory (the whole process: main thread and workers) is sampled
 * every `window` messages. Reported: rss at the start, peak and end (MB), the peak's
 * growth over the start, and the flood's msgs/s. The sink's count and sum are checked.
 *
 * Two ways to hold a fast producer back, one benchmark each (each a {@link FloodPacer}):
 * - `memory-bounded`: the actor has a bounded mailbox (`capacity`, `wait` policy) and the
 *   producer sends with `await ref.send(…)`, which waits for credit from the receiver;
 * - `memory-window`: an unbounded mailbox, paced by the caller: at most two windows of
 *   `window` messages unacknowledged (`flush()`).
 * @module
 */
import type { ActorRef, ActorSystem } from "../../mod.ts";
import { BOUNDED_SINK_CAPACITY, BoundedSink, Sink } from "../actors/sink.ts";
import type { BenchmarkFactory, BenchmarkSpec, CaseRunner, SizeMode } from "../harness/types.ts";
import { allOf, expectEqual } from "../util/check.ts";
import { expectedValueSum, item } from "../util/items.ts";
import { residentBytes } from "../util/runtime.ts";
import { startSystem, timed } from "./common.ts";

/** How a flood is paced. */
export interface FloodPacer {
  /** Sends message `i`; returns a promise when the producer must wait before the next one. */
  send(i: number): Promise<void> | undefined;
  /** Resolves when everything sent has been processed. */
  drain(): Promise<void>;
}

/** Credit-based: `await send()` into a bounded mailbox; it resolves at once while there is room. */
export function boundedPacer(sink: ActorRef<typeof BoundedSink>): FloodPacer {
  return {
    send: (i) => sink.send("add", item(i)),
    drain: () => sink.flush(),
  };
}

/** Caller-side window: every `window` messages, wait for the flush of the window before. */
export function windowPacer(sink: ActorRef<typeof Sink>, window: number): FloodPacer {
  let pending: Promise<void> | null = null;
  return {
    send(i) {
      sink.tell("add", item(i));
      if ((i + 1) % window !== 0) return undefined;
      const previous = pending;
      pending = sink.flush();
      return previous ?? undefined;
    },
    drain: () => pending ?? Promise.resolve(),
  };
}

const MB = 2 ** 20;

/** Floods through `pacer`, sampling rss every `window` messages. */
async function flood(pacer: FloodPacer, total: number, window: number) {
  const start = residentBytes();
  let peak = start;
  const { ms } = await timed(async () => {
    for (let i = 0; i < total; i++) {
      const wait = pacer.send(i);
      if (wait !== undefined) await wait;
      if ((i + 1) % window === 0) peak = Math.max(peak, residentBytes());
    }
    await pacer.drain();
  });
  const end = residentBytes();
  peak = Math.max(peak, end);
  return { growth: (peak - start) / MB, start: start / MB, peak: peak / MB, end: end / MB, rate: (total / ms) * 1000 };
}

function memoryBenchmark(
  name: string,
  title: string,
  size: SizeMode,
  pacing: string,
  setup: () => Promise<CaseRunner>,
  total: number,
  window: number,
): BenchmarkSpec {
  return {
    name,
    title,
    metrics: [
      { key: "growth", label: "rss peak − start", unit: "MB", better: "lower" },
      { key: "start", label: "rss start", unit: "MB", better: "lower" },
      { key: "peak", label: "rss peak", unit: "MB", better: "lower" },
      { key: "end", label: "rss end", unit: "MB", better: "lower" },
      { key: "rate", label: "msgs/s", unit: "msgs/s", better: "higher" },
    ],
    params: { messages: total, sampleEvery: window, pacing },
    notes: size === "full" ? ["rss is the whole process's and never shrinks much: these run first in the suite"] : [],
    cases: [{ name: "missive", role: "missive", setup }],
  };
}

/** Anything the flood can send to and take the totals from. */
type AnySink = ActorRef<typeof Sink> | ActorRef<typeof BoundedSink>;

function floodCase<R extends AnySink>(
  spawnSink: (system: ActorSystem) => Promise<R>,
  pacerOf: (sink: R) => FloodPacer,
  total: number,
  window: number,
) {
  return async (): Promise<CaseRunner> => {
    const { system, close } = await startSystem();
    const sink = await spawnSink(system);
    return {
      async run() {
        const metrics = await flood(pacerOf(sink), total, window);
        // Both sinks share their handlers; the union of the two ref types needs the widening.
        const got = await (sink as ActorRef<typeof Sink>).ask("take");
        return {
          metrics,
          check: allOf(expectEqual("count", got.count, total), expectEqual("value sum", got.sum, expectedValueSum(total))),
        };
      },
      close,
    };
  };
}

/**
 * `memory-bounded`: flood into a bounded mailbox with `await send()`. Fewer messages than
 * `memory-window`: each awaited send currently goes out in a frame of its own (about
 * 70k msgs/s on Deno), and flatness needs many windows, not many messages.
 */
export const memoryBounded: BenchmarkFactory = (size) => {
  const total = size === "full" ? 300_000 : 20_000;
  const window = 5_000;
  return memoryBenchmark(
    "memory-bounded",
    `memory: rss during a flood into a bounded mailbox (capacity ${BOUNDED_SINK_CAPACITY.toLocaleString("en-US")}, await send)`,
    size,
    `bounded mailbox, capacity ${BOUNDED_SINK_CAPACITY}, overflow wait, await ref.send()`,
    floodCase((system) => system.spawn(BoundedSink, undefined, { worker: 0 }), boundedPacer, total, window),
    total,
    window,
  );
};

/** `memory-window`: flood into an unbounded mailbox, paced by the caller with `flush()`. */
export const memoryWindow: BenchmarkFactory = (size) => {
  const total = size === "full" ? 1_000_000 : 20_000;
  const window = 10_000;
  return memoryBenchmark(
    "memory-window",
    "memory: rss during a flood paced by the caller (flush every window)",
    size,
    `caller window: tell, at most 2 × ${window} unacknowledged, flush()`,
    floodCase((system) => system.spawn(Sink, undefined, { worker: 0 }), (sink) => windowPacer(sink, window), total, window),
    total,
    window,
  );
};

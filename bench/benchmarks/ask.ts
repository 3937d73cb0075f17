/**
 * Cross-worker ask round trips, main loop → a worker, answered with the argument.
 *
 * - `ask-seq`: one ask at a time; p50 and p99 latency over the run.
 * - `ask-pipelined`: `window` asks in flight (each answer starts the next); asks/s.
 *
 * Baselines: a bare `postMessage` ping-pong (a number there and back; for the pipelined
 * run the answers are counted by the port's handler, no promise per call), and comlink.
 * Every answer is checked against what was sent.
 *
 * Missive runs with each link transport side by side: ports (the default, the `missive`
 * case), shared-memory rings, and rings in the low-latency mode (`spinMicros`). The
 * sequential run also reports the process's CPU time per ask (all threads: what polling
 * costs).
 *
 * Every contender of the sequential run starts on fresh workers in each repetition (and
 * closes them after it): a round trip's latency depends on which vCPU the OS puts each
 * thread on (~40 µs more per round trip on this project's VM when a sleeping thread on the
 * other vCPU is woken, bench/README.md), and a worker started once would give its
 * contender one draw of that for the whole run. So the median over the repetitions is a
 * median over placements, the same number of draws for every contender. Each repetition
 * first makes {@link SEQUENTIAL_WARMUP} calls it does not time (a fresh worker's code is cold).
 * @module
 */
import process from "node:process";
import type { SystemOptions } from "../../mod.ts";
import { Echo } from "../actors/echo.ts";
import { type ComlinkEcho, startComlinkEcho } from "../baselines/comlink-client.ts";
import { PostWorkers } from "../baselines/post-workers.ts";
import { latencyPercentiles } from "../harness/stats.ts";
import type { BenchmarkFactory, CaseRunner, CaseSpec, Check } from "../harness/types.ts";
import { expectEqual } from "../util/check.ts";
import { pipelined } from "../util/pipeline.ts";
import { rateMetric, startSystem, timed } from "./common.ts";

/** Sum of `0 .. n-1`: what the answers of a pipelined run add up to. */
const sumBelow = (n: number): number => (n * (n - 1)) / 2;

/** Measures `n` sequential calls of `call(i)`, which must answer `i`. */
async function sequential(n: number, call: (i: number) => Promise<unknown>): Promise<{ metrics: Record<string, number>; check: Check }> {
  const latencies = new Float64Array(n);
  let wrong = 0;
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const answer = await call(i);
    latencies[i] = (performance.now() - started) * 1000;
    if (answer !== i) wrong++;
  }
  const used = process.cpuUsage(cpuBefore);
  const { p50, p99 } = latencyPercentiles(latencies);
  return { metrics: { p50, p99, cpu: (used.user + used.system) / n }, check: expectEqual("wrong answers", wrong, 0) };
}

/** Untimed calls at the start of each full-size sequential repetition, on its fresh workers (`--quick`: 20). */
export const SEQUENTIAL_WARMUP = 2_000;

type Started = { call: (i: number) => Promise<number>; close(): Promise<void> };
type Measure = (call: (i: number) => Promise<number>) => Promise<{ metrics: Record<string, number>; check: Check }>;

/**
 * A case that starts its workers anew for every repetition (see the module's doc): `start()`
 * untimed, `warmup` untimed calls, then `measure`, then `close()`.
 */
function freshEachRepetition(
  name: string,
  role: "missive" | "baseline",
  start: () => Promise<Started>,
  measure: Measure,
  warmup: number,
): CaseSpec {
  return {
    name,
    role,
    setup(): Promise<CaseRunner> {
      return Promise.resolve({
        async run() {
          const { call, close } = await start();
          try {
            for (let i = 0; i < warmup; i++) await call(i);
            return await measure(call);
          } finally {
            await close();
          }
        },
        close: () => Promise.resolve(),
      });
    },
  };
}

/** A case whose calls go through `start()`'s `call`. */
function callCase(
  name: string,
  role: "missive" | "baseline",
  start: () => Promise<{ call: (i: number) => Promise<number>; close(): Promise<void> }>,
  measure: (call: (i: number) => Promise<number>) => Promise<{ metrics: Record<string, number>; check: Check }>,
): CaseSpec {
  return {
    name,
    role,
    async setup(): Promise<CaseRunner> {
      const { call, close } = await start();
      return { run: () => measure(call), close };
    },
  };
}

/** The link transports compared, besides the default (ports). */
const RING_LINKS: { name: string; options: SystemOptions }[] = [
  { name: "missive ring", options: { link: { transport: "ring" } } },
  { name: "missive ring spin50", options: { link: { transport: "ring", spinMicros: 50 } } },
];

async function startMissiveEcho(options: SystemOptions = {}): Promise<{ call: (i: number) => Promise<number>; close(): Promise<void> }> {
  const { system, close } = await startSystem(options);
  const echo = await system.spawn(Echo, undefined, { worker: 0 });
  return { call: (i) => echo.ask("echo", i), close };
}

async function startComlink(): Promise<{ call: (i: number) => Promise<number>; close(): Promise<void> }> {
  const c: ComlinkEcho = await startComlinkEcho();
  return { call: (i) => c.api.echo(i), close: () => c.close() };
}

/** `ask-seq`: sequential asks, p50/p99 µs. */
export const askSequential: BenchmarkFactory = (size) => {
  const n = size === "full" ? 5_000 : 200;
  const measure = (call: (i: number) => Promise<number>) => sequential(n, call);
  const warmup = size === "full" ? SEQUENTIAL_WARMUP : 20;
  const startPingPong = async (): Promise<Started> => {
    const pool = await PostWorkers.start(1);
    const worker = pool.worker(0);
    return {
      call: (i) => {
        worker.post(i);
        return pool.next(0) as Promise<number>;
      },
      close: () => pool.close(),
    };
  };
  return {
    name: "ask-seq",
    title: "cross-worker ask, sequential",
    metrics: [
      { key: "p50", label: "p50", unit: "µs", better: "lower" },
      { key: "p99", label: "p99", unit: "µs", better: "lower" },
      { key: "cpu", label: "CPU/ask", unit: "µs", better: "lower" },
    ],
    params: { asks: n },
    notes: [
      'missive ring*: the same Missive ask over shared-memory links (link.transport "ring", optionally spinMicros)',
      "p50s depend on which CPU the OS gives each worker (waking a thread on another vCPU costs ~40 µs more on this project's VM): " +
      `every case starts fresh workers in each repetition (after ${warmup} untimed calls), so the median is over placements; ` +
      "for every thread on one vCPU run under `taskset -c 0` (bench/README.md)",
    ],
    cases: [
      freshEachRepetition("missive", "missive", () => startMissiveEcho(), measure, warmup),
      freshEachRepetition("postMessage ping-pong", "baseline", startPingPong, measure, warmup),
      freshEachRepetition("comlink", "baseline", startComlink, measure, warmup),
      ...RING_LINKS.map(({ name, options }) => freshEachRepetition(name, "baseline", () => startMissiveEcho(options), measure, warmup)),
    ],
  };
};

/** `ask-pipelined`: `window` asks in flight, asks/s. */
export const askPipelined: BenchmarkFactory = (size) => {
  const total = size === "full" ? 100_000 : 2_000;
  const window = 1_000;
  const measure = async (call: (i: number) => Promise<number>) => {
    const { value, ms } = await timed(() => pipelined(total, window, call));
    return { metrics: { rate: (total / ms) * 1000 }, check: expectEqual("sum of answers", value, sumBelow(total)) };
  };
  const postPipelined: CaseSpec = {
    name: "postMessage pipelined",
    role: "baseline",
    async setup(): Promise<CaseRunner> {
      const pool = await PostWorkers.start(1);
      const worker = pool.worker(0);
      return {
        async run() {
          const { value, ms } = await timed(
            () =>
              new Promise<number>((resolve) => {
                let sent = 0;
                let done = 0;
                let sum = 0;
                pool.setHandler(0, (data) => {
                  sum += data as number;
                  if (++done === total) resolve(sum);
                  else if (sent < total) worker.post(sent++);
                });
                while (sent < Math.min(window, total)) worker.post(sent++);
              }),
          );
          pool.restoreHandler(0);
          return { metrics: { rate: (total / ms) * 1000 }, check: expectEqual("sum of answers", value, sumBelow(total)) };
        },
        close: () => pool.close(),
      };
    },
  };
  return {
    name: "ask-pipelined",
    title: `cross-worker ask, ${window} in flight`,
    metrics: [rateMetric("asks/s")],
    params: { asks: total, window },
    notes: [],
    cases: [
      callCase("missive", "missive", () => startMissiveEcho(), measure),
      postPipelined,
      callCase("comlink", "baseline", startComlink, measure),
    ],
  };
};

/**
 * Missive's own work per sequential ask: one process holds a Missive system (one worker,
 * the bench's `Echo`) and a bare `postMessage` ping-pong worker side by side, and
 * alternates rounds of 10 000 sequential asks with rounds of 10 000 bare round trips; the
 * first two rounds of each are not counted. Run on one core, where a round trip costs
 * what both threads spend on it and the OS's placement cannot decide it, the difference
 * per round trip is what Missive adds: the frame's encoding and decoding, the dispatcher's
 * run, the link's flush and the ask's bookkeeping (bench/results/ab-turns used it to
 * measure what ending each turn with a `setImmediate` cost).
 *
 * ```sh
 * taskset -c 0 npx tsx bench/tools/ask-pair.ts   # npx deno run -A …, npx bun …; ROUNDS=12 by default
 * ```
 * Prints the median µs per round trip of each, the median of the rounds' differences and
 * their range, and writes them to `bench/results/ask-pair-<runtime>.json` (`OUT=path` to
 * write elsewhere).
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import process from "node:process";
import { runtimeName, runtimeVersion } from "../../src/runtime/adapters.ts";
import { Echo } from "../actors/echo.ts";
import { PostWorkers } from "../baselines/post-workers.ts";
import { startSystem } from "../benchmarks/common.ts";
import { summarize } from "../harness/stats.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 12);
const WARM_ROUNDS = 2;
const TRIPS = 10_000;

/** µs per call of `call` over {@link TRIPS} sequential calls, each checked. */
async function round(call: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < TRIPS; i++) {
    if ((await call(i)) !== i) throw new Error(`wrong answer to ${i}`);
  }
  return ((performance.now() - started) * 1000) / TRIPS;
}

async function main(): Promise<void> {
  const { system, close } = await startSystem({ workers: 1 });
  const pool = await PostWorkers.start(1);
  const echo = await system.spawn(Echo, undefined, { worker: 0 });
  const bare = pool.worker(0);
  const ask = (i: number) => echo.ask("echo", i);
  const trip = (i: number) => {
    bare.post(i);
    return pool.next(0);
  };
  const missive: number[] = [];
  const pingPong: number[] = [];
  const differences: number[] = [];
  try {
    for (let r = 0; r < ROUNDS + WARM_ROUNDS; r++) {
      const a = await round(ask);
      const b = await round(trip);
      if (r < WARM_ROUNDS) continue;
      missive.push(a);
      pingPong.push(b);
      differences.push(a - b);
      console.error(`round ${r - WARM_ROUNDS + 1}/${ROUNDS}: missive ${a.toFixed(2)} µs, ping-pong ${b.toFixed(2)} µs`);
    }
  } finally {
    await pool.close();
    await close();
  }
  const result = {
    runtime: runtimeVersion(),
    rounds: ROUNDS,
    tripsPerRound: TRIPS,
    missiveMicros: summarize(missive),
    pingPongMicros: summarize(pingPong),
    differenceMicros: summarize(differences),
  };
  const r2 = (x: number) => x.toFixed(2);
  console.log(
    `${runtimeVersion()}: missive ${r2(result.missiveMicros.median)} µs, ping-pong ${
      r2(result.pingPongMicros.median)
    } µs per round trip; ` +
      `Missive's own work ${r2(result.differenceMicros.median)} µs (${r2(result.differenceMicros.min)} to ${
        r2(result.differenceMicros.max)
      }, ${ROUNDS} rounds)`,
  );
  const out = process.env.OUT ?? new URL(`../results/ask-pair-${runtimeName}.json`, import.meta.url).pathname;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
}

await main();

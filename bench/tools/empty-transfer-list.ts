/**
 * What an empty transfer list costs a `postMessage`: a ping-pong of a 60-char string
 * between this thread and a worker over a `MessageChannel` port (as Missive's links
 * between workers), both sides posting with no transfer list in one round and with an
 * empty one (`postMessage(data, [])`) in the next, alternating; 10 000 round trips per
 * round, the first two rounds of each not counted. The runtime adapters pass no list when
 * there is nothing to move (`src/runtime/adapters.ts`): Deno's and Bun's `postMessage`
 * take longer with an empty one, Node's does not. (On one thread, with both ports here,
 * Deno measures the other way round: what is measured is the ping-pong across threads.)
 *
 * ```sh
 * npx tsx bench/tools/empty-transfer-list.ts   # npx deno run -A …, npx bun …; ROUNDS=12 by default
 * taskset -c 0 npx bun bench/tools/empty-transfer-list.ts   # steadier: both threads on one core
 * ```
 * The recorded results (`bench/results/empty-transfer-list-*.json`) are from runs on one
 * core.
 * Prints the median µs per round trip of each, the median of the rounds' differences, and
 * in how many rounds the empty list was slower; writes them to
 * `bench/results/empty-transfer-list-<runtime>.json`.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import { runtimeName } from "../../src/runtime/adapters.ts";
import { summarize } from "../harness/stats.ts";
import { startBenchWorker } from "../util/workers.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 12);
const WARM_ROUNDS = 2;
const TRIPS = 10_000;
const TEXT = "x".repeat(60);

/** µs per round trip, both sides posting with an empty transfer list or with none. */
function round(port: MessagePort, emptyList: boolean): Promise<number> {
  port.postMessage(emptyList ? "empty" : "none");
  return new Promise((resolve) => {
    let trips = 0;
    const started = performance.now();
    port.onmessage = () => {
      if (++trips === TRIPS) resolve(((performance.now() - started) * 1000) / TRIPS);
      else if (emptyList) port.postMessage(TEXT, []);
      else port.postMessage(TEXT);
    };
    if (emptyList) port.postMessage(TEXT, []);
    else port.postMessage(TEXT);
  });
}

async function main(): Promise<void> {
  const worker = startBenchWorker(new URL("./empty-transfer-list-worker.ts", import.meta.url));
  const { port1, port2 } = new MessageChannel();
  worker.post({ port: port2 }, [port2]);
  const none: number[] = [];
  const empty: number[] = [];
  try {
    for (let r = 0; r < ROUNDS + WARM_ROUNDS; r++) {
      const a = await round(port1, false);
      const b = await round(port1, true);
      if (r < WARM_ROUNDS) continue;
      none.push(a);
      empty.push(b);
    }
  } finally {
    port1.close();
    await worker.terminate();
  }
  const differences = empty.map((b, i) => b - none[i]!);
  const result = {
    runtime: runtimeName,
    tripsPerRound: TRIPS,
    rounds: ROUNDS,
    microsPerRoundTrip: { noList: summarize(none).median, emptyList: summarize(empty).median },
    extraMicrosPerRoundTrip: summarize(differences).median,
    roundsSlowerWithEmptyList: differences.filter((d) => d > 0).length,
  };
  console.log(
    `${runtimeName}: ${TRIPS} round trips to a worker per round, medians of ${ROUNDS} alternating rounds (two posts per round trip)`,
  );
  console.log(`  no transfer list     ${result.microsPerRoundTrip.noList.toFixed(2)} µs per round trip`);
  console.log(`  empty transfer list  ${result.microsPerRoundTrip.emptyList.toFixed(2)} µs per round trip`);
  console.log(
    `  difference           ${
      result.extraMicrosPerRoundTrip.toFixed(2)
    } µs (the empty list slower in ${result.roundsSlowerWithEmptyList} of ${ROUNDS} rounds)`,
  );
  const out = new URL(`../results/empty-transfer-list-${runtimeName}.json`, import.meta.url);
  mkdirSync(new URL(".", out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${out.pathname}`);
}

await main();

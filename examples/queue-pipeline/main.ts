/**
 * The multiprocessing-queue scenario, without its failure modes.
 *
 * Python's version — producers and consumers on several processes joined by
 * `multiprocessing.Queue`s pushed through thread pools — blocks threads, saturates, loses or
 * duplicates an item when a waiting consumer is cancelled, and shuts down with poison pills
 * and sleeps. Here:
 *
 * - producers and consumers are actors on every worker, joined by one bounded channel
 *   (backpressure: `put` waits while it is full; nothing blocks a thread);
 * - in the middle of the run, one group of consumers is told to stop while they wait in
 *   `get`: their waits are cancelled, and the item a cancelled get had already been handed
 *   goes back to the front of the queue — nothing is lost or duplicated;
 * - shutdown is `join()` (every item processed) then `close()`: the remaining consumers'
 *   loops end by themselves — no poison pill, no sleep;
 * - the end checks produced = consumed, exactly once (count, id sum and sum of squares).
 *
 * ```sh
 * npx tsx examples/queue-pipeline/main.ts     # or: npx deno run -A … / npx bun …
 * ```
 * @module
 */
import process from "node:process";
import { ActorSystem, Channel, Latch } from "../../mod.ts";
import { Consumer, Producer, type Tally } from "./actors.ts";

const PRODUCERS = 4;
const CONSUMERS_STOPPED = 3;
const CONSUMERS_KEPT = 3;
const PER_PRODUCER = 5_000;

await using system = await ActorSystem.start(); // one worker per core
const on = (i: number): { worker: number } => ({ worker: i % system.workers });

await using queue = await Channel.open<number>(system, { capacity: 16, worker: 0 });
await using stop = await Latch.open(system);
const producers = await Promise.all(Array.from({ length: PRODUCERS }, (_, i) => system.spawn(Producer, undefined, on(i))));
const consumers = await Promise.all(
  Array.from({ length: CONSUMERS_STOPPED + CONSUMERS_KEPT }, (_, i) => system.spawn(Consumer, undefined, on(i + 1))),
);
const tallies = consumers.map((c, i) => c.ask("consume", { queue, ...(i < CONSUMERS_STOPPED ? { stop } : {}) }, { timeout: Infinity }));

/** Every producer puts `half` of its items, starting at `offset` within its range. */
const produce = (offset: number, half: number): Promise<number[]> =>
  Promise.all(producers.map((p, i) => p.ask("produce", { queue, from: i * PER_PRODUCER + offset, count: half }, { timeout: Infinity })));

const first = await produce(0, PER_PRODUCER / 2);
await stop.set(); // stop the first group in mid-flow: items are still queued, gets are waiting or in flight
const stopped = await Promise.all(tallies.slice(0, CONSUMERS_STOPPED));
const second = await produce(PER_PRODUCER / 2, PER_PRODUCER / 2); // only the kept consumers take these
await queue.join(); // every item processed
const { returned } = await queue.stats();
await queue.close(); // the kept consumers' loops end: closed and drained
const kept = await Promise.all(tallies.slice(CONSUMERS_STOPPED));

const produced = [...first, ...second].reduce((a, b) => a + b, 0);
const sum = (ts: Tally[], k: "count" | "idSum" | "idSquares"): number => ts.reduce((a, t) => a + t[k], 0);
const all = [...stopped, ...kept];
const n = PRODUCERS * PER_PRODUCER;
const exact = sum(all, "count") === n && sum(all, "idSum") === (n * (n - 1)) / 2 &&
  sum(all, "idSquares") === ((n - 1) * n * (2 * n - 1)) / 6;

console.log(`produced ${produced} items: ${PRODUCERS} producers on ${system.workers} workers, through a channel of 16`);
console.log(
  `stopped ${stopped.filter((t) => t.cancelled).length} waiting consumers midway: they had taken ${sum(stopped, "count")} items; ` +
    `items returned to the queue by cancelled gets: ${returned}`,
);
console.log(`kept ${kept.length} consumers: they took ${sum(kept, "count")} items, then the queue closed and their loops ended`);
console.log(`consumed ${sum(all, "count")} = produced ${produced}: ${exact ? "exactly once (count, id sum, sum of squares)" : "MISMATCH"}`);
if (!exact || produced !== n) process.exitCode = 1;

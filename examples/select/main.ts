/**
 * `select`: react to whichever of several workers answers first — and to nothing, in time.
 *
 * The asyncio version polls several result queues in turn, or waits on one and misses the
 * others. Here one `select` waits on all of them at once and completes exactly one case:
 *
 * 1. **First answer wins**: three searchers on different workers get the same query;
 *    `select` over their pending asks resolves with the first reply (the others still
 *    arrive and are simply not used).
 * 2. **Priority vs fair**: three result channels owned on three workers, each holding an
 *    item whenever a `select` runs. With the default priority order every `select` takes
 *    the first ready case; with `fair: true` it starts at a random case, so none starves.
 *    Items not taken stay in their channels — nothing is lost (checked).
 * 3. **Timeout**: a `select` on channels nobody writes to rejects with `WaitTimeoutError`
 *    after its `timeout`; its cancelled gets leave the channels as they were.
 *
 * ```sh
 * npx tsx examples/select/main.ts     # or: npx deno run -A … / npx bun …
 * ```
 * @module
 */
import process from "node:process";
import { ActorSystem, Channel, select, WaitTimeoutError } from "../../mod.ts";
import { Searcher } from "./searchers.ts";

const ROUNDS = 100;

await using system = await ActorSystem.start({ workers: 3 });

// 1. First answer wins.
const searchers = await Promise.all([
  system.spawn(Searcher, { name: "slow", rounds: 3_000_000 }, { worker: 0 }),
  system.spawn(Searcher, { name: "medium", rounds: 300_000 }, { worker: 1 }),
  system.spawn(Searcher, { name: "fast", rounds: 3_000 }, { worker: 2 }),
]);
const asks = searchers.map((s) => s.ask("search", "actors"));
const first = await select(asks, { timeout: 30_000 });
console.log(`first answer: ${first.value} (case ${first.index} of ${asks.length})`);
await Promise.all(asks); // the others answer too; we just did not wait for them

// 2. Priority vs fair, over three channels (owned by actors on three workers), each holding one item
// before every select: the choice is the policy's, not the timing's. The winner's channel is refilled.
await using a = await Channel.open<string>(system, { capacity: 4, worker: 0 });
await using b = await Channel.open<string>(system, { capacity: 4, worker: 1 });
await using c = await Channel.open<string>(system, { capacity: 4, worker: 2 });
const channels = [a, b, c];
let put = 0;
for (const ch of channels) await ch.put(`item ${put++}`);

/** Runs `ROUNDS` selects over the three channels; counts the winning cases. */
async function rounds(fair: boolean): Promise<number[]> {
  const wins = [0, 0, 0];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await select(channels.map((ch) => ({ get: ch })), { fair });
    wins[r.index]!++;
    await channels[r.index]!.put(`item ${put++}`); // resolves once the owner has accepted it
  }
  return wins;
}
const priority = await rounds(false);
console.log(`priority: case 0 won ${priority[0]} of ${ROUNDS} rounds (wins per case: ${priority.join(" ")})`);
const fair = await rounds(true);
console.log(`fair: every case won some rounds (wins per case: ${fair.join(" ")})`);

// Every item put is either taken by a select or still in its channel.
let left = 0;
for (const ch of channels) {
  await ch.close();
  for await (const _ of ch) left++;
}
const taken = 2 * ROUNDS;
console.log(
  `items: ${put} put = ${taken} selected + ${left} left in the channels${put === taken + left ? " (none lost)" : " (LOST ITEMS)"}`,
);

// 3. Timeout: nobody writes to these.
await using quiet1 = await Channel.open<string>(system, { capacity: 1 });
await using quiet2 = await Channel.open<string>(system, { capacity: 1 });
try {
  await select([{ get: quiet1 }, { get: quiet2 }], { timeout: 50 }); // timer-under-test
  console.log("timeout: a case completed (unexpected)");
} catch (e) {
  const stats = await Promise.all([quiet1.stats(), quiet2.stats()]);
  // The cancelled gets are gone from their owners (no getter left waiting), and no item appeared.
  const clean = stats.every((s) => s.buffered === 0 && s.getters === 0 && s.inDoubt === 0);
  console.log(`timeout: ${e instanceof WaitTimeoutError ? "WaitTimeoutError" : String(e)} after 50 ms; channels untouched: ${clean}`);
  if (!clean) process.exitCode = 1;
}
if (priority[0] !== ROUNDS || fair.some((w) => w === 0) || put !== taken + left) process.exitCode = 1;

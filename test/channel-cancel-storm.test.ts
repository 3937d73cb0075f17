/**
 * Cancel storms (issue 9 point 8): hundreds of getter loops on every loop (the main loop
 * and both workers, as actors there) whose gets are cancelled every 0–3 ms, while
 * producers on every loop put a range of numbers. Every item arrives exactly once, every
 * put completes, and `close()` ends every getter loop — each checked by awaiting the
 * loops' and producers' own answers, never by sleeping. No duration is asserted; the
 * throughput with and without the storm is the `channel-cancel-storm` benchmark's job.
 *
 * The owner's cost is asserted instead, as counts: a get cancelled and started again at
 * once on the same handle takes over its queued get (`src/channel/get-slots.ts`), so
 * however many gets the storm cancels, the owner withdraws no getter and takes no item
 * back, and hands each item exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, Channel, Latch, runtimeName } from "../mod.ts";
import { type GetMode, type GetterReport, produce, runGetters, StormAgent } from "./fixtures/channel-storm.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  const report = await system.shutdown();
  expect(report.deadlineHit).toBe(false);
});

/** Getter loops per event loop (three loops: main, worker 0, worker 1). */
const LOOPS = 120;
/** Items put, by three producers (one per event loop). */
const ITEMS = 3_000;

interface StormOutcome {
  reports: GetterReport[];
  produced: number[];
  received: number[];
}

/**
 * Runs the storm on `ch`: getters on every loop (each role with its own handle, as actors
 * have), waits until each loop's storm has cancelled a get, and the producers' answers;
 * then closes the channel and waits for every getter loop to end.
 */
async function storm(ch: Channel<number>, mode: GetMode): Promise<StormOutcome> {
  const agent = (worker: number) => system.spawn(StormAgent, undefined, { worker });
  const [getters0, getters1, producer0, producer1] = await Promise.all([agent(0), agent(1), agent(0), agent(1)]);
  const forever = { timeout: Infinity };
  const latches = await Promise.all([Latch.open(system), Latch.open(system)]);
  let mainStormed!: () => void;
  const mainStorm = new Promise<void>((resolve) => (mainStormed = resolve));
  const mainHandle = await getters0.ask("handle", ch); // the main loop's producer keeps `ch`
  const getters = [
    runGetters(mainHandle, LOOPS, mode, 3, mainStormed),
    getters0.ask("getters", { ch, loops: LOOPS, mode, stormed: latches[0] }, forever),
    getters1.ask("getters", { ch, loops: LOOPS, mode, stormed: latches[1] }, forever),
  ];
  const producers = [
    produce(ch, 0, ITEMS, 3),
    producer0.ask("produce", { ch, from: 1, to: ITEMS, step: 3 }, forever),
    producer1.ask("produce", { ch, from: 2, to: ITEMS, step: 3 }, forever),
  ];
  const produced = await Promise.all(producers);
  await Promise.all([mainStorm, ...latches.map((l) => l.wait())]); // every loop's storm is on
  await ch.close();
  const reports = await Promise.all(getters); // close() ended every loop
  return { reports, produced, received: reports.flatMap((r) => r.received) };
}

function expectExactlyOnce({ reports, produced, received }: StormOutcome): void {
  expect(produced).toEqual([ITEMS / 3, ITEMS / 3, ITEMS / 3]);
  expect(received.length).toBe(ITEMS);
  expect(new Set(received).size).toBe(ITEMS); // no duplicates…
  expect([...received].sort((a, b) => a - b)).toEqual(Array.from({ length: ITEMS }, (_, i) => i)); // …and nothing lost
  expect(reports.map((r) => r.ended)).toEqual([LOOPS, LOOPS, LOOPS]);
  for (const r of reports) expect(r.aborted).toBeGreaterThan(0);
}

describe(`channel cancel storms on ${runtimeName}`, () => {
  it("aborting getters on every loop: exactly-once, every put done, close() ends every loop; the owner withdraws nothing", {
    timeout: 120_000,
  }, async () => {
    const ch = await Channel.open<number>(system, { capacity: 8, worker: 0 });
    const outcome = await storm(ch, "abort");
    expectExactlyOnce(outcome);
    const s = await ch.stats();
    expect([s.getters, s.putters, s.buffered, s.inDoubt]).toEqual([0, 0, 0, 0]);
    expect([s.accepted, s.handed]).toEqual([ITEMS, ITEMS]); // no item was handed twice
    expect([s.cancelled, s.returned]).toEqual([0, 0]); // thousands of aborts, no cancel work at the owner
  });

  it("the same storm with timeouts (WaitTimeoutError) on a rendezvous channel", { timeout: 120_000 }, async () => {
    const ch = await Channel.open<number>(system, { capacity: 0, worker: 1 });
    const outcome = await storm(ch, "timeout");
    expectExactlyOnce(outcome);
    const s = await ch.stats();
    expect([s.getters, s.putters, s.buffered, s.inDoubt]).toEqual([0, 0, 0, 0]);
    expect([s.accepted, s.handed, s.cancelled, s.returned]).toEqual([ITEMS, ITEMS, 0, 0]);
  });

  it("getters that pause after each abort: every cancel reaches the owner, at most one per abort, and nothing is lost", {
    timeout: 120_000,
  }, async () => {
    const ch = await Channel.open<number>(system, { capacity: 8 });
    const outcome = await storm(ch, "abort-pause");
    expectExactlyOnce(outcome);
    const s = await ch.stats();
    expect([s.getters, s.putters, s.buffered, s.inDoubt, s.accepted]).toEqual([0, 0, 0, 0, ITEMS]);
    const aborted = outcome.reports.reduce((n, r) => n + r.aborted, 0);
    expect(s.cancelled + s.returned).toBeGreaterThan(0); // the pause sends the pending cancel…
    expect(s.cancelled + s.returned).toBeLessThanOrEqual(aborted); // …one at most per abort: constant owner work per cancel
    expect(s.handed).toBe(ITEMS + s.returned); // a returned item is handed once more, no more
  });
});

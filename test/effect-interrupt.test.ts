/**
 * Interrupting a fiber cancels its Missive operation, and nothing leaks: thousands of
 * interrupted asks leave the main loop's pending-ask table empty (their late replies are
 * dropped and counted), interrupted sends waiting for mailbox room give up their places
 * and send nothing, and `Effect.timeout` around an ask is the same interruption.
 */
import { Effect, Fiber } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, Channel, runtimeName } from "../mod.ts";
import { client } from "../effect.ts";
import { Gate, Narrow } from "./fixtures/effect-actors.ts";

const ASKS = 3_000;
const SENDS = 1_000;
/** Each forked fiber runs until its first wait at once, so its ask or send has been made when the fork returns. */
const START = { startImmediately: true };

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  const report = await system.shutdown();
  expect(report.deadlineHit).toBe(false);
});

describe(`interrupting Missive Effects on ${runtimeName}`, () => {
  it(`interrupting ${ASKS} pending asks empties the pending-ask table; their late replies are dropped and counted`, async () => {
    const gate = client(Gate, await system.spawn(Gate, undefined, { worker: 1 }));
    const before = system.stats;
    const fibers = await Effect.runPromise(Effect.forEach(Array.from({ length: ASKS }), () => Effect.forkDetach(gate.ask("hold"), START)));
    // An ack, not a sleep: `count` arrives after every `hold` (FIFO), so all are held, none answered.
    expect(await Effect.runPromise(gate.ask("count"))).toBe(ASKS);
    expect(system.stats.pendingAsks).toBe(before.pendingAsks + ASKS);

    await Effect.runPromise(Fiber.interruptAll(fibers));
    expect(system.stats.pendingAsks).toBe(before.pendingAsks);

    // The replies now come, after their asks settled: each is dropped and counted, none delivered.
    expect(await Effect.runPromise(gate.ask("release"))).toBe(ASKS);
    expect(system.stats.lateReplies).toBe(before.lateReplies + ASKS);
    expect(system.stats.pendingAsks).toBe(before.pendingAsks);
  });

  it("Effect.timeout around an ask interrupts it: nothing stays pending", async () => {
    const gate = client(Gate, await system.spawn(Gate));
    const before = system.stats;
    const exit = await Effect.runPromiseExit(gate.ask("hold").pipe(Effect.timeout("20 millis"))); // timer-under-test
    expect(exit._tag).toBe("Failure");
    expect(system.stats.pendingAsks).toBe(before.pendingAsks);
    expect(await Effect.runPromise(gate.ask("release"))).toBe(1);
    expect(system.stats.lateReplies).toBe(before.lateReplies + 1);
  });

  it(`interrupting ${SENDS} sends waiting for mailbox room frees every place and sends none of them`, async () => {
    const ch = await Channel.open<number>(system, { capacity: 1 });
    const narrow = client(Narrow, await system.spawn(Narrow, undefined, { worker: 0 }));
    await Effect.runPromise(narrow.send("block", ch)); // busy until an item arrives
    // Fill this loop's share of the mailbox: sends that succeed without waiting.
    const share = Math.max(1, Math.floor(narrow.ref.capacity / (system.workers + 1)));
    for (let i = 0; i < share - 1; i++) await Effect.runPromise(narrow.send("put", -1 - i));
    const before = system.stats.waitingSends;
    const fibers = await Effect.runPromise(
      Effect.forEach(Array.from({ length: SENDS }, (_, i) => i), (i) => Effect.forkDetach(narrow.send("put", i), START)),
    );
    expect(system.stats.waitingSends).toBe(before + SENDS);
    await Effect.runPromise(Fiber.interruptAll(fibers));
    expect(system.stats.waitingSends).toBe(before);

    await ch.put(1); // unblock
    const got = await Effect.runPromise(narrow.ask("got"));
    expect(got).toEqual(Array.from({ length: share - 1 }, (_, i) => -1 - i)); // none of the interrupted sends
    expect(system.stats.waitingSends).toBe(0);
  });
});

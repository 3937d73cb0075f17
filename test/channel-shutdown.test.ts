/**
 * Shutdown closes channels as its drain begins (each owner's `onDrain` hook): an actor
 * reading a channel in a loop ends its loop with the buffered items, instead of holding
 * the drain until the deadline.
 */
import { expect, it } from "vitest";
import { ActorSystem, Channel, runtimeName } from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import { Drainer } from "./fixtures/channel-consumer.ts";

it(`shutdown closes channels first, and their readers drain what is buffered (${runtimeName})`, async () => {
  const system = await ActorSystem.start({ workers: 2 });
  const probe = TestProbe.create(system);
  const ch = await Channel.open<number>(system, { capacity: 100, worker: 0 });
  const drainer = await system.spawn(Drainer, probe.ref, { worker: 1 });
  drainer.tell("consume", ch);
  for (let i = 0; i < 50; i++) await ch.put(i);
  // Nobody closes the channel: its owner does, from onDrain, when the drain begins.
  const report = await system.shutdown({ timeout: 20_000 }); // timer-under-test: the deadline must not be what ends it
  expect(report.deadlineHit).toBe(false);
  expect(report.undelivered).toEqual({});
  expect(probe.messages.find((m) => m.name === "got")?.arg).toBe(50);
});

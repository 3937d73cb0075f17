/**
 * ctx.timers: keyed single and periodic timers, on the virtual clock in deterministic mode
 * and on the real one in a normal system.
 */
import { describe, expect, it } from "vitest";
import { ActorSystem, InvalidArgumentError, runtimeName } from "../mod.ts";
import { TestProbe, TestSystem } from "../testkit.ts";
import { Poller } from "./fixtures/testkit-actors.ts";

describe(`ctx.timers on ${runtimeName}`, () => {
  it("fire on the virtual clock, in deadline order, and stop when cancelled", async () => {
    await using system = await TestSystem.start({ seed: 9 });
    using probe = TestProbe.create<{ tick: string }>(system);
    const p = await system.spawn(Poller, probe.ref);
    await p.ask("every", 100);
    await p.ask("once", 250);
    await system.clock.advance(99);
    await probe.expectNoMessage();
    await system.clock.advance(1);
    expect((await probe.expectMessage("tick")).arg).toBe("periodic");
    await system.clock.advance(200); // 200 (periodic), 250 (single), 300 (periodic)
    expect((await probe.receiveN(3)).map((m) => m.arg)).toEqual(["periodic", "single", "periodic"]);
    expect(await p.ask("cancel", "poll")).toBe(false);
    await system.clock.advance(1_000);
    await probe.expectNoMessage();
    expect(await p.ask("ticks")).toBe(4);
  });

  it("are cancelled when the actor stops", async () => {
    await using system = await TestSystem.start({ seed: 2 });
    using probe = TestProbe.create<{ tick: string }>(system);
    const p = await system.spawn(Poller, probe.ref);
    await p.ask("every", 10);
    await system.stop(p);
    await system.clock.advance(100);
    await probe.expectNoMessage();
  });

  it("refuse a bad delay with InvalidArgumentError (the ask fails)", async () => {
    await using system = await TestSystem.start({ seed: 4 });
    using probe = TestProbe.create(system);
    const p = await system.spawn(Poller, probe.ref);
    await expect(p.ask("badTimer")).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("work on the real clock in a normal system", async () => {
    await using system = await ActorSystem.start({ workers: 1 });
    using probe = TestProbe.create<{ tick: string }>(system);
    const p = await system.spawn(Poller, probe.ref);
    p.tell("once", 5); // timer-under-test
    expect((await probe.expectMessage("tick")).arg).toBe("single");
    expect(await p.ask("ticks")).toBe(1);
  });
});

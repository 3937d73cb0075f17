/**
 * Timers (actors/timers.ts, scheduler.ts): single and periodic messages to self by key,
 * cancellation, replacement under the same key, restart safety (a restarted actor's new
 * scheduler cancels the old timers); the Scheduler actor for messages to any ref.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, InvalidArgumentError, runtimeName } from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import { Scheduler, TimerScheduler } from "../actors/mod.ts";
import { Routee, Ticker } from "./fixtures/actors-blocks.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

describe(`TimerScheduler on ${runtimeName}`, () => {
  it("a periodic timer ticks until the actor cancels it", async () => {
    using probe = TestProbe.create(system);
    const ticker = await system.spawn(Ticker, probe.ref, { worker: 1 });
    ticker.tell("every", { ms: 2, times: 3 }); // timer-under-test
    const got = await probe.receiveN(4);
    expect(got.map((m) => [m.name, m.arg])).toEqual([["tick", 1], ["tick", 2], ["tick", 3], ["cancelled", true]]);
    expect(await ticker.ask("active")).toEqual([]);
  });

  it("a single timer fires once and is then inactive; one cancelled in time never fires", async () => {
    using probe = TestProbe.create(system);
    const ticker = await system.spawn(Ticker, probe.ref);
    ticker.tell("once", { key: "later", ms: 600_000 });
    ticker.tell("once", { key: "soon", ms: 1 }); // timer-under-test
    expect((await probe.receive()).arg).toEqual({ key: "soon", active: false });
    expect(await ticker.ask("active")).toEqual(["later"]);
    expect(await ticker.ask("cancel", "later")).toBe(true);
    expect(await ticker.ask("cancel", "later")).toBe(false);
    expect(await ticker.ask("active")).toEqual([]);
  });

  it("starting a timer under an active key replaces it", async () => {
    using probe = TestProbe.create(system);
    const ticker = await system.spawn(Ticker, probe.ref);
    ticker.tell("once", { key: "k", ms: 600_000 });
    ticker.tell("once", { key: "k", ms: 1 }); // timer-under-test: replaces the long one
    expect((await probe.receive()).arg).toEqual({ key: "k", active: false });
    expect(await ticker.ask("active")).toEqual([]);
  });

  it("restart-safe: after a restart the old incarnation's timers are cancelled", async () => {
    using probe = TestProbe.create(system);
    const ticker = await system.spawn(Ticker, probe.ref, { worker: 0 });
    ticker.tell("once", { key: "a", ms: 600_000 });
    ticker.tell("once", { key: "b", ms: 600_000 });
    expect(await ticker.ask("active")).toEqual(["a", "b"]);
    await expect(ticker.ask("boom")).rejects.toThrow("boom");
    const restarted = await probe.receive();
    expect(restarted).toMatchObject({ name: "restarted", arg: [] }); // the old scheduler had none left
    expect(await ticker.ask("active")).toEqual([]);
  });

  it("bad input is InvalidArgumentError", async () => {
    const ref = await system.spawn(Routee, undefined);
    const timers = new TimerScheduler(ref);
    expect(() => timers.startSingle("k", "work", 1, -1)).toThrow(InvalidArgumentError);
    expect(() => timers.startSingle("k", "work", 1, Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => timers.startPeriodic("k", "work", 1, 0)).toThrow(InvalidArgumentError);
    expect(() => timers.startSingle(3 as never, "work", 1, 1)).toThrow(InvalidArgumentError);
    expect(() => new TimerScheduler(undefined as never)).toThrow(InvalidArgumentError);
    // Compiled, never run: typed by the actor's protocol.
    const _typeChecks = () => {
      // @ts-expect-error work takes a number
      timers.startSingle("k", "work", "one", 1);
      // @ts-expect-error no such message
      timers.startPeriodic("k", "nope", 1, 1);
    };
    timers.cancelAll();
  });
});

describe(`Scheduler on ${runtimeName}`, () => {
  it("sends once and periodically to any ref; cancel by key; close cancels the rest", async () => {
    using probe = TestProbe.create(system);
    await using scheduler = await Scheduler.open(system, { worker: 1 });
    await scheduler.once("hello", 1, probe.ref, "hello", "world"); // timer-under-test
    expect((await probe.receive()).arg).toBe("world");
    await scheduler.every("tick", 2, probe.ref, "tick", 7); // timer-under-test
    expect((await probe.receiveN(3)).map((m) => m.arg)).toEqual([7, 7, 7]);
    expect(await scheduler.cancel("tick")).toBe(true);
    await scheduler.once("far", 600_000, probe.ref, "never", undefined);
    expect(await scheduler.keys()).toEqual(["far"]);
    expect(await scheduler.cancel("nope")).toBe(false);
  });

  it("typed targets, and bad input is InvalidArgumentError", async () => {
    await using scheduler = await Scheduler.open(system);
    const routee = await system.spawn(Routee, undefined);
    await scheduler.once("w", 1, routee, "work", 1); // timer-under-test
    // Compiled, never run: what the types refuse.
    const _typeChecks = async () => {
      // @ts-expect-error work takes a number
      await scheduler.once("w", 1, routee, "work", "one");
    };
    await expect(scheduler.once("w", -5, routee, "work", 1)).rejects.toThrow(InvalidArgumentError);
    await expect(scheduler.every("w", 0, routee, "work", 1)).rejects.toThrow(InvalidArgumentError);
    await expect(Scheduler.open(system, { worker: -1 })).rejects.toThrow(InvalidArgumentError);
  });
});

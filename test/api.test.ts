/**
 * API consistency: stopping an actor from outside, refs with default options, one
 * dead-letter count.
 */
import { describe, expect, it } from "vitest";
import {
  ActorStoppedError,
  ActorSystem,
  AskTimeoutError,
  type DeadLetter,
  InvalidArgumentError,
  registerErrorClass,
  RemoteError,
  runtimeName,
} from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import { Counter } from "./fixtures/counter.ts";
import { Holder, Releaser } from "./fixtures/actors.ts";
import { Watcher } from "./fixtures/faulty.ts";
import { OutOfStock, Shop } from "./fixtures/custom-error.ts";

describe(`API on ${runtimeName}`, () => {
  it("system.stop(ref) stops after the current message, tells watchers the reason, and resolves once stopped", async () => {
    await using system = await ActorSystem.start({ workers: 2 });
    const probe = TestProbe.create(system);
    const dead: DeadLetter[] = [];
    using _sub = system.deadLetters.subscribe((d) => dead.push(d));
    const c = await system.spawn(Counter, 0, { worker: 0 });
    const watcher = await system.spawn(Watcher, probe.ref, { worker: 1 });
    await watcher.ask("watch", c);
    c.tell("inc", 1);
    await c.flush(); // a stop does not wait for queued mail: that becomes dead letters
    await system.stop(c, "no longer needed");
    await expect(c.ask("get")).rejects.toBeInstanceOf(ActorStoppedError);
    const t = await probe.receive();
    expect(t).toMatchObject({ name: "terminated", arg: { address: c.address, reason: "no longer needed", normal: true } });
    await expect(system.stop(c)).resolves.toBeUndefined(); // already gone
    await expect(system.stop({} as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(dead.map((d) => d.reason)).toEqual(["stopped"]); // the ask after the stop
    const report = await system.shutdown();
    expect(report.processed).toBeGreaterThanOrEqual(1); // the inc before the stop
  });

  it("ref.with(options) gives every ask and flush its options, without an undefined placeholder", async () => {
    await using system = await ActorSystem.start({ workers: 1 });
    const c = await system.spawn(Counter, 7);
    expect(await c.with({ timeout: 5_000 }).ask("get")).toBe(7);
    const holder = await system.spawn(Holder);
    const quick = holder.with({ timeout: 20 }); // timer-under-test: the ask's own timeout
    await expect(quick.ask("hold", "g")).rejects.toBeInstanceOf(AskTimeoutError);
    const aborted = holder.with({ signal: AbortSignal.abort("gave up") });
    await expect(aborted.flush()).rejects.toBe("gave up");
    expect(quick.equals(holder)).toBe(true);
    expect(() => c.with({ timeout: -1 })).toThrow(InvalidArgumentError);
    // Let the held handler finish, so that shutdown drains at once.
    expect(await (await system.spawn(Releaser)).ask("release", "g")).toBe(true);
  });

  it("system.stats.deadLetters and system.deadLetters.count are the same count, every loop's", async () => {
    await using system = await ActorSystem.start({ workers: 2 });
    const c = await system.spawn(Counter, 0, { worker: 1 });
    await system.stop(c);
    c.tell("inc", 1); // dead letters, counted on the actor's worker
    await expect(c.ask("get")).rejects.toBeInstanceOf(ActorStoppedError);
    expect(system.deadLetters.count).toBe(2);
    expect(system.stats.deadLetters).toBe(system.deadLetters.count);
  });

  it("registerErrorClass: a user's error class arrives as that class, with its fields; a name taken by another class is refused", async () => {
    await using system = await ActorSystem.start({ workers: 1, logger: () => {} });
    const shop = await system.spawn(Shop);
    const error = await shop.ask("buy", "tea").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutOfStock);
    expect(error).not.toBeInstanceOf(RemoteError);
    expect((error as OutOfStock).item).toBe("tea");
    class Impostor extends Error {}
    expect(() => registerErrorClass(Impostor, "OutOfStock")).toThrow(InvalidArgumentError);
    expect(() => registerErrorClass({} as never)).toThrow(InvalidArgumentError);
  });
});

describe(`options are checked by name on ${runtimeName}`, () => {
  it("a misspelt option is refused at the call, naming it and the options there are", async () => {
    const start = ActorSystem.start({ worker: 2 } as never);
    await expect(start).rejects.toThrow(InvalidArgumentError);
    await expect(start).rejects.toThrow(/ActorSystem\.start options has no option "worker"; the options are workers, askTimeout/);
    await using system = await ActorSystem.start({ workers: 1 });
    await expect(system.spawn(Counter, 0, { wroker: 0 } as never)).rejects.toThrow(
      /spawn options has no option "wroker"; the options are worker, name, node/,
    );
    await expect(system.shutdown({ timout: 5 } as never)).rejects.toThrow(
      /shutdown options has no option "timout"; the options are timeout/,
    );
    // Nothing was spawned by the refused call, and the system still works.
    const c = await system.spawn(Counter, 1);
    expect(await c.ask("get")).toBe(1);
  });
});

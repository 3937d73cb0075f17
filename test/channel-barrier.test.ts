/**
 * Barriers (reusable across generations, safe cancellation) and latches, with parties on
 * both workers and the main loop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ActorStoppedError,
  ActorSystem,
  Barrier,
  ChannelClosedError,
  InvalidArgumentError,
  Latch,
  runtimeName,
  WaitTimeoutError,
} from "../mod.ts";
import { ChannelUser, settledBy } from "./fixtures/channel.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  const report = await system.shutdown();
  expect(report.deadlineHit).toBe(false);
});

describe(`barriers and latches on ${runtimeName}`, () => {
  it("releases all parties together when the n-th arrives, generation after generation", async () => {
    const barrier = await Barrier.open(system, 3);
    const users = await Promise.all([0, 1].map((worker) => system.spawn(ChannelUser, undefined, { worker })));
    for (let generation = 0; generation < 3; generation++) {
      const remote = users.map((u) => u.ask("waitBarrier", barrier));
      const local = barrier.wait();
      const passages = [await local, ...(await Promise.all(remote))];
      expect(passages.map((p) => p.generation)).toEqual([generation, generation, generation]);
      expect(passages.map((p) => p.index).sort()).toEqual([0, 1, 2]);
    }
    expect(await barrier.stats()).toEqual({ parties: 3, waiting: 0, generation: 3, closed: false });
  });

  it("does not release before the n-th party arrives", async () => {
    const barrier = await Barrier.open(system, 3);
    const first = barrier.wait();
    const second = barrier.wait();
    expect(await settledBy(Promise.race([first, second]), barrier)).toBe(false);
    expect((await barrier.stats()).waiting).toBe(2);
    const third = barrier.wait();
    expect((await Promise.all([first, second, third])).map((p) => p.index)).toEqual([0, 1, 2]);
  });

  it("removes a cancelled party before the release; one released first resolves", async () => {
    const barrier = await Barrier.open(system, 2);
    const ac = new AbortController();
    const leaving = barrier.wait({ signal: ac.signal });
    expect((await barrier.stats()).waiting).toBe(1);
    ac.abort(new Error("leaving"));
    await expect(leaving).rejects.toThrow("leaving");
    expect((await barrier.stats()).waiting).toBe(0);
    // The cancelled party no longer counts: two new parties are needed.
    const a = barrier.wait();
    expect(await settledBy(a, barrier)).toBe(false);
    const late = new AbortController();
    const b = barrier.wait({ signal: late.signal }); // completes the generation…
    late.abort(new Error("too late")); // …before the owner sees the cancel: it resolves
    expect((await Promise.all([a, b])).map((p) => p.generation)).toEqual([0, 0]);
    await expect(barrier.wait({ timeout: 5 })).rejects.toBeInstanceOf(WaitTimeoutError); // timer-under-test
    expect((await barrier.stats()).waiting).toBe(0);
  });

  it("breaks on close: waiting and later parties reject with ChannelClosedError", async () => {
    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    const made = (await user.ask("makeBarrier", 3)) as Barrier; // Barrier.open(ctx, …), owner on worker 1
    expect(made).toBeInstanceOf(Barrier);
    expect(made.owner.worker).toBe(1);
    const waiting = made.wait();
    expect((await made.stats()).waiting).toBe(1);
    await made.close(new Error("a party failed"));
    const e = await waiting.catch((e: unknown) => e);
    expect(e).toBeInstanceOf(ChannelClosedError);
    expect(((e as Error).cause as Error).message).toBe("a party failed");
    await expect(made.wait()).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(Barrier.open(system, 0)).rejects.toBeInstanceOf(InvalidArgumentError);
    {
      await using scoped = await Barrier.open(system, 2);
      expect(scoped.parties).toBe(2);
    }
  });

  it("sets a latch once for every waiter on every worker; later waits pass at once", async () => {
    const latch = await Latch.open(system, { worker: 0 });
    const users = await Promise.all([0, 1].map((worker) => system.spawn(ChannelUser, undefined, { worker })));
    const remote = users.map((u) => u.ask("waitLatch", latch));
    const local = latch.wait();
    expect(await latch.isSet()).toBe(false);
    expect(await settledBy(local, { stats: () => latch.isSet() })).toBe(false);
    const setter = await system.spawn(ChannelUser, undefined, { worker: 1 });
    expect(await setter.ask("setLatch", latch)).toBe("set");
    await local;
    expect(await Promise.all(remote)).toEqual(["released", "released"]);
    expect(await latch.isSet()).toBe(true);
    await latch.wait({ timeout: 60_000 });
    await latch.set(); // idempotent
  });

  it("cancels a latch waiter; Latch.open(ctx) makes one from inside an actor", async () => {
    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    const latch = (await user.ask("makeLatch")) as Latch;
    expect(latch).toBeInstanceOf(Latch);
    const ac = new AbortController();
    const cancelled = latch.wait({ signal: ac.signal });
    const kept = latch.wait();
    ac.abort(new Error("no longer"));
    await expect(cancelled).rejects.toThrow("no longer");
    await expect(latch.wait({ timeout: 5 })).rejects.toBeInstanceOf(WaitTimeoutError); // timer-under-test
    await latch.set();
    await kept;
  });

  it("closes a latch that is not set: waiting and later waits and sets reject; a set latch stays set", async () => {
    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    const latch = await Latch.open(system, { worker: 0 });
    const local = latch.wait().catch((e: unknown) => e); // sent before the close (FIFO): it is waiting
    const remote = user.ask("waitLatch", latch).then(() => "released", (e: unknown) => e);
    await latch.close(new Error("start-up failed"));
    const e = await local;
    expect(e).toBeInstanceOf(ChannelClosedError);
    expect(((e as Error).cause as Error).message).toBe("start-up failed");
    expect(await remote).toBeInstanceOf(ChannelClosedError); // waiting or later: closed either way
    await expect(latch.wait({ timeout: 60_000 })).rejects.toBeInstanceOf(ChannelClosedError);
    const refused = await latch.set().catch((e: unknown) => e); // the setter learns it released nobody
    expect(refused).toBeInstanceOf(ChannelClosedError);
    expect(((refused as Error).cause as Error).message).toBe("start-up failed"); // the first reason is kept…
    await latch.close(new Error("again")); // …and closing again changes nothing
    expect(await latch.isSet()).toBe(false);

    const done = await Latch.open(system, { worker: 1 });
    await done.set();
    await done.close(new Error("too late"));
    await done.wait(); // the event happened: waits still pass
    expect(await user.ask("waitLatch", done)).toBe("released");
    await done.set(); // still idempotent
    expect(await done.isSet()).toBe(true);

    let scoped: Latch;
    {
      await using l = await Latch.open(system);
      scoped = l;
    }
    await expect(scoped.wait()).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it("reads a latch whose owner stopped as closed, for waits and sets", async () => {
    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    const latch = (await user.ask("makeLatch")) as Latch; // a child of the actor
    const waiting = latch.wait().catch((e: unknown) => e);
    expect(await latch.isSet()).toBe(false); // the wait is queued at the owner
    expect(await user.ask("stop")).toBe("stopping");
    const e = await waiting;
    expect(e).toBeInstanceOf(ChannelClosedError);
    expect(String((e as Error).cause)).toContain(latch.owner.label);
    const refused = await latch.set().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChannelClosedError);
    expect((refused as Error).cause).toBeInstanceOf(ActorStoppedError);
    await latch.close(); // a gone owner is closed already
  });
});

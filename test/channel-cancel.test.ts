/**
 * Cancelling channel waits (signal, timeout): exactly the cancelled waiter is removed, no
 * item is lost or duplicated — also when the owner had already handed the item over and
 * the reply was in flight, which these tests provoke deterministically: an abort right
 * after the call reaches the owner after the request (FIFO), so when the owner can serve
 * at once, it has handed the item over before it sees the cancel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, Channel, ChannelClosedError, runtimeName, WaitTimeoutError } from "../mod.ts";
import { ChannelUser } from "./fixtures/channel.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  const report = await system.shutdown();
  expect(report.deadlineHit).toBe(false);
});

const reason = (name: string) => new Error(name);

describe(`channel cancellation on ${runtimeName}`, () => {
  it("removes exactly the cancelled getter: the others keep their places", async () => {
    const ch = await Channel.open<string>(system, { capacity: 1 });
    const ac = new AbortController();
    const first = ch.get();
    const second = ch.get({ signal: ac.signal });
    const third = ch.get();
    expect((await ch.stats()).getters).toBe(3);
    ac.abort(reason("second gives up"));
    await expect(second).rejects.toThrow("second gives up");
    expect((await ch.stats()).getters).toBe(2);
    await ch.put("a");
    await ch.put("b");
    expect([await first, await third]).toEqual(["a", "b"]);
    const s = await ch.stats();
    expect([s.cancelled, s.returned, s.getters, s.buffered]).toEqual([1, 0, 0, 0]);
  });

  it("serves a handle's cancellable gets in order when gets in the middle were cancelled", async () => {
    const ch = await Channel.open<string>(system, { capacity: 4 });
    const controllers = [0, 1, 2, 3, 4].map(() => new AbortController());
    const gets = controllers.map((ac) => ch.get({ signal: ac.signal }));
    controllers[1]!.abort(reason("second gives up"));
    controllers[3]!.abort(reason("fourth gives up"));
    await expect(gets[1]).rejects.toThrow("second gives up");
    await expect(gets[3]).rejects.toThrow("fourth gives up");
    for (const item of ["a", "b", "c"]) await ch.put(item);
    expect([await gets[0], await gets[2], await gets[4]]).toEqual(["a", "b", "c"]);
    controllers[0]!.abort(reason("too late")); // a served get no longer listens: nothing happens
    const s = await ch.stats();
    expect([s.buffered, s.inDoubt, s.getters, s.returned, s.handed]).toEqual([0, 0, 0, 0, 3]);
  });

  it("returns an item handed to a get that was cancelled in flight to the front of the channel", async () => {
    const ch = await Channel.open<number>(system, { capacity: 5, worker: 1 });
    for (const n of [1, 2, 3]) await ch.put(n);
    const ac = new AbortController();
    const got = ch.get({ signal: ac.signal }); // the owner hands over 1…
    ac.abort(reason("too late")); // …then sees the cancel and takes 1 back
    await expect(got).rejects.toThrow("too late");
    const s = await ch.stats();
    expect([s.returned, s.handed, s.buffered, s.inDoubt]).toEqual([1, 1, 3, 0]);
    expect([await ch.get(), await ch.get(), await ch.get()]).toEqual([1, 2, 3]); // FIFO kept
  });

  it("does the same for a get cancelled in flight on another worker", async () => {
    const ch = await Channel.open<string>(system, { capacity: 5, worker: 0 });
    await ch.put("only");
    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    expect(await user.ask("getAbortedInFlight", ch)).toMatchObject({ ok: false, failure: { message: "changed my mind" } });
    expect((await ch.stats()).returned).toBe(1);
    expect(await ch.get()).toBe("only");
    // When the channel is empty the cancel finds the getter still queued instead.
    expect(await user.ask("getAbortedInFlight", ch)).toMatchObject({ ok: false });
    const s = await ch.stats();
    expect([s.returned, s.cancelled, s.getters]).toEqual([1, 1, 0]);
  });

  it("keeps getters of a closed channel waiting while a handed item may still come back", async () => {
    const ch = await Channel.open<string>(system, { capacity: 1 });
    await ch.put("x");
    const ac = new AbortController();
    const cancelled = ch.get({ signal: ac.signal }); // x is handed over (in doubt)…
    const closing = ch.close();
    const next = ch.get(); // …so this getter must wait rather than be told "closed"…
    ac.abort(reason("cancel")); // …and gets x when the cancel returns it
    await expect(cancelled).rejects.toThrow("cancel");
    await closing;
    expect(await next).toBe("x");
    await expect(ch.get()).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it("times out a get with WaitTimeoutError and loses nothing", async () => {
    const ch = await Channel.open<number>(system, { capacity: 1 });
    const e = await ch.get({ timeout: 5 }).catch((e: unknown) => e); // timer-under-test
    expect(e).toBeInstanceOf(WaitTimeoutError);
    expect((e as WaitTimeoutError).timeoutMs).toBe(5);
    await ch.put(9);
    expect(await ch.get()).toBe(9);
    const s = await ch.stats();
    expect([s.getters, s.cancelled]).toEqual([0, 1]);
  });

  it("withdraws a waiting put (the value was not sent) but resolves a put already accepted", async () => {
    const ch = await Channel.open<string>(system, { capacity: 1 });
    await ch.put("fill");
    const ac = new AbortController();
    const waiting = ch.put("withdrawn", { signal: ac.signal });
    expect((await ch.stats()).putters).toBe(1);
    ac.abort(reason("no room"));
    await expect(waiting).rejects.toThrow("no room");
    expect(await ch.get()).toBe("fill");
    expect(await ch.tryGet()).toEqual({ ok: false, closed: false }); // "withdrawn" never went in

    // With room, the owner accepts the put before it sees the cancel: the put resolves.
    const late = new AbortController();
    const accepted = ch.put("kept", { signal: late.signal });
    late.abort(reason("too late"));
    await accepted;
    expect(late.signal.aborted).toBe(true);
    expect(await ch.get()).toBe("kept");
  });

  it("times out a waiting put with WaitTimeoutError; the value is not in the channel", async () => {
    const ch = await Channel.open<number>(system, { capacity: 0 });
    await expect(ch.put(1, { timeout: 5 })).rejects.toBeInstanceOf(WaitTimeoutError); // timer-under-test
    expect((await ch.stats()).putters).toBe(0);
    expect(await ch.tryGet()).toEqual({ ok: false, closed: false });
  });

  it("rejects at once for a signal that is already aborted, sending nothing", async () => {
    const ch = await Channel.open<number>(system, { capacity: 1 });
    const aborted = AbortSignal.abort(reason("already"));
    await expect(ch.put(1, { signal: aborted })).rejects.toThrow("already");
    await expect(ch.get({ signal: aborted })).rejects.toThrow("already");
    await expect(ch.join({ signal: aborted })).rejects.toThrow("already");
    const s = await ch.stats();
    expect([s.accepted, s.handed, s.getters, s.putters]).toEqual([0, 0, 0, 0]);
  });

  it("cancels a join without disturbing the items; a cancellable get on a closed channel still ends", async () => {
    const ch = await Channel.open<number>(system, { capacity: 2 });
    await ch.put(1);
    const ac = new AbortController();
    const join = ch.join({ signal: ac.signal });
    expect((await ch.stats()).joiners).toBe(1);
    ac.abort(reason("stop joining"));
    await expect(join).rejects.toThrow("stop joining");
    expect((await ch.stats()).joiners).toBe(0);
    expect(await ch.get({ signal: new AbortController().signal })).toBe(1);
    ch.taskDone();
    await ch.join({ timeout: 60_000 });
    await ch.close();
    await expect(ch.get({ timeout: 60_000 })).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it("keeps exactly-once under a storm of cancelled gets from both workers and the main loop", async () => {
    const ch = await Channel.open<number>(system, { capacity: 4 });
    const users = await Promise.all([0, 1].map((worker) => system.spawn(ChannelUser, undefined, { worker })));
    const N = 300;
    const drains = users.map((u) => u.ask("drain", ch));
    const aborted: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      await ch.put(i);
      // A get cancelled in flight from the main loop after every put: the item goes back.
      const ac = new AbortController();
      aborted.push(ch.get({ signal: ac.signal }).then(() => "got", () => "cancelled"));
      ac.abort(reason("storm"));
    }
    await ch.close();
    const received = (await Promise.all(drains)).flat() as number[];
    expect(new Set(await Promise.all(aborted))).toEqual(new Set(["cancelled"]));
    expect(received.sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    const s = await ch.stats();
    expect([s.getters, s.inDoubt, s.buffered]).toEqual([0, 0, 0]);
  });
});

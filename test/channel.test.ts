/**
 * Channel semantics across workers: FIFO, exactly-once, close and drain, rendezvous,
 * try operations, join/taskDone, for-await, handles in messages, Channel.open(ctx, …).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as missive from "../mod.ts";
import { ActorSystem, Channel, ChannelClosedError, InvalidArgumentError, Latch, runtimeName, type Spawner } from "../mod.ts";
import { ChannelUser, settledBy } from "./fixtures/channel.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  const report = await system.shutdown();
  expect(report.deadlineHit).toBe(false);
});

describe(`channels on ${runtimeName}`, () => {
  it("keeps FIFO order from the main loop to an actor on another worker and back", async () => {
    const ch = await Channel.open<number>(system, { capacity: 4, worker: 0 });
    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    const drained = user.ask("drain", ch);
    const items = Array.from({ length: 300 }, (_, i) => i);
    // @ts-expect-error a Channel<number> takes numbers only
    const typed = () => ch.put("not a number");
    void typed;
    for (const i of items) await ch.put(i);
    await ch.close();
    expect(await drained).toEqual(items);

    const back = await Channel.open<number>(system, { capacity: 2, worker: 1 });
    const put = user.ask("putAll", { ch: back, items });
    const got: number[] = [];
    for (let i = 0; i < items.length; i++) got.push(await back.get());
    expect(got).toEqual(items);
    expect(await put).toBe(items.length);
  });

  it("hands each item to exactly one getter, with putters and getters on both workers and the main loop", async () => {
    const ch = await Channel.open<string>(system, { capacity: 3 });
    const users = await Promise.all([0, 1, 0, 1].map((worker) => system.spawn(ChannelUser, undefined, { worker })));
    const drains = [users[0]!.ask("drain", ch), users[1]!.ask("drain", ch)];
    const mainDrain = (async () => {
      const got: string[] = [];
      for await (const item of ch) got.push(item);
      return got;
    })();
    const batch = (tag: string) => Array.from({ length: 200 }, (_, i) => `${tag}${i}`);
    const puts = [users[2]!.ask("putAll", { ch, items: batch("a") }), users[3]!.ask("putAll", { ch, items: batch("b") })];
    for (const item of batch("m")) await ch.put(item);
    await Promise.all(puts);
    await ch.close();
    const received = [...(await Promise.all(drains)).flat(), ...(await mainDrain)] as string[];
    expect(received.sort()).toEqual([...batch("a"), ...batch("b"), ...batch("m")].sort());
    // Each getter saw each putter's items in put order.
    for (const got of [...(await Promise.all(drains)), await mainDrain] as string[][]) {
      for (const tag of ["a", "b", "m"]) {
        const seq = got.filter((s) => s[0] === tag).map((s) => Number(s.slice(1)));
        expect(seq).toEqual([...seq].sort((x, y) => x - y));
      }
    }
  });

  it("rejects a put on a closed channel with ChannelClosedError carrying the value, here and from a worker", async () => {
    const ch = await Channel.open<{ n: number }>(system, { capacity: 1 });
    await ch.close();
    const e = await ch.put({ n: 42 }).catch((e: unknown) => e);
    expect(e).toBeInstanceOf(ChannelClosedError);
    expect((e as ChannelClosedError<{ n: number }>).value).toEqual({ n: 42 });
    expect((e as ChannelClosedError).hasValue).toBe(true);
    await expect(ch.tryPut({ n: 1 })).rejects.toBeInstanceOf(ChannelClosedError);

    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    const remote = await user.ask("putOne", { ch, value: "unsent" }).catch((e: unknown) => e);
    expect(remote).toBeInstanceOf(ChannelClosedError); // re-created by name on this side
    expect((remote as ChannelClosedError).value).toBe("unsent");
  });

  it("fails waiting putters on close with their own values, and lets getters drain the buffer first", async () => {
    const ch = await Channel.open<number>(system, { capacity: 2 });
    await ch.put(1);
    await ch.put(2);
    const waiting = [ch.put(3), ch.put(4)];
    expect((await ch.stats()).putters).toBe(2);
    await ch.close();
    const failures = await Promise.all(waiting.map((p) => p.catch((e: ChannelClosedError) => e.value)));
    expect(failures).toEqual([3, 4]);
    expect(await ch.get()).toBe(1);
    expect(await ch.tryGet()).toEqual({ ok: true, value: 2 });
    await expect(ch.get()).rejects.toBeInstanceOf(ChannelClosedError);
    expect(await ch.tryGet()).toEqual({ ok: false, closed: true });
    const drained: number[] = [];
    for await (const n of ch) drained.push(n);
    expect(drained).toEqual([]);
  });

  it("ends waiting getters when an empty channel is closed; a reason makes for-await throw", async () => {
    const plain = await Channel.open<number>(system, { capacity: 1, worker: 0 });
    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    const queued = await Latch.open(system);
    const remote = user.ask("getQueued", { ch: plain, queued });
    await queued.wait();
    const local = plain.get().catch((e: unknown) => e);
    expect((await plain.stats()).getters).toBe(2);
    await plain.close();
    expect(await remote).toMatchObject({ ok: false, failure: { error: "ChannelClosedError", hasValue: false } });
    expect(await local).toBeInstanceOf(ChannelClosedError);

    const failed = await Channel.open<number>(system, { capacity: 1 });
    await failed.put(7);
    await failed.close(new RangeError("producer failed"));
    const seen: number[] = [];
    const thrown = await (async () => {
      for await (const n of failed) seen.push(n);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([7]);
    expect(thrown).toBeInstanceOf(ChannelClosedError);
    expect((thrown as Error).cause).toBeInstanceOf(RangeError);
    expect(await user.ask("drain", failed).catch((e: unknown) => (e as Error).name)).toBe("ChannelClosedError");
  });

  it("makes a rendezvous of capacity 0: a put completes only when a getter takes the item", async () => {
    const ch = await Channel.open<string>(system, { capacity: 0, worker: 1 });
    expect(await ch.tryPut("nobody waits")).toBe(false);
    const put = ch.put("hello");
    expect(await settledBy(put, ch)).toBe(false);
    expect((await ch.stats()).putters).toBe(1);
    expect(await ch.get()).toBe("hello");
    await put;
    // A waiting getter makes tryPut succeed (the get is sent first: FIFO to the owner)…
    const got = ch.get();
    expect(await ch.tryPut("direct")).toBe(true);
    expect(await got).toBe("direct");
    // …and a waiting putter makes tryGet succeed.
    const put2 = ch.put("taken by try");
    expect(await ch.tryGet()).toEqual({ ok: true, value: "taken by try" });
    await put2;
    expect(await ch.tryGet()).toEqual({ ok: false, closed: false });
    expect((await ch.stats()).buffered).toBe(0);
  });

  it("bounds the buffer: tryPut fails when full, a waiting put goes in when room appears", async () => {
    const ch = await Channel.open<number>(system, { capacity: 2 });
    expect(await ch.tryPut(1)).toBe(true);
    expect(await ch.tryPut(2)).toBe(true);
    expect(await ch.tryPut(3)).toBe(false);
    const put = ch.put(3);
    expect(await settledBy(put, ch)).toBe(false);
    expect(await ch.get()).toBe(1);
    await put;
    expect((await ch.stats()).buffered).toBe(2);
    expect([await ch.get(), await ch.get()]).toEqual([2, 3]);
  });

  it("resolves join() exactly when every accepted item has been marked done", async () => {
    const ch = await Channel.open<number>(system, { capacity: 10 });
    await ch.join(); // nothing unfinished
    for (let i = 0; i < 5; i++) await ch.put(i);
    const joined = ch.join();
    for (let i = 0; i < 5; i++) await ch.get();
    ch.taskDone(4);
    expect(await settledBy(joined, ch)).toBe(false);
    expect((await ch.stats()).unfinished).toBe(1);
    ch.taskDone();
    await joined;
    expect((await ch.stats()).unfinished).toBe(0);
    expect(() => ch.taskDone(0)).toThrow(InvalidArgumentError);

    // Workers mark done as they go; join waits for all of them.
    const users = await Promise.all([0, 1].map((worker) => system.spawn(ChannelUser, undefined, { worker })));
    const work = users.map((u) => u.ask("work", ch));
    for (let i = 0; i < 100; i++) await ch.put(i);
    await ch.join();
    expect((await ch.stats()).unfinished).toBe(0);
    await ch.close();
    expect((await Promise.all(work)).reduce((a, b) => a + b)).toBe(100);
  });

  it("travels in messages and keeps its class; Channel.open(ctx, …) makes one that stops with its actor", async () => {
    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    const ch = await Channel.open<number>(system, { capacity: 1 });
    expect(await user.ask("isChannel", ch)).toBe("Channel");
    const made = (await user.ask("make", 5)) as Channel<number>;
    expect(made).toBeInstanceOf(Channel);
    expect(made.capacity).toBe(5);
    expect(made.owner.worker).toBe(1); // the actor's own worker
    await made.put(1);
    expect(await made.get()).toBe(1);
    // The owner is a child of the actor: stopping the actor closes the channel.
    const waiting = made.get().catch((e: unknown) => e);
    const owner = made.owner;
    expect((await made.stats()).getters).toBe(1);
    expect(await user.ask("stop")).toBe("stopping");
    const e = await waiting;
    expect(e).toBeInstanceOf(ChannelClosedError);
    expect(String((e as Error).cause)).toContain(owner.label);
    const afterStop = await made.put(2).catch((e: unknown) => e);
    expect(afterStop).toBeInstanceOf(ChannelClosedError);
    expect((afterStop as ChannelClosedError).value).toBe(2);
  });

  it("is a library over the core: open takes the system (or a ctx, above); the owner actors are not exported", () => {
    const spawner: Spawner = system; // and an ActorContext: the fixtures pass their ctx
    expect(spawner).toBe(system);
    for (const owner of ["ChannelOwner", "BarrierOwner", "LatchOwner"]) expect(owner in missive).toBe(false);
    for (const made of ["channel", "barrier", "latch"]) expect(made in system).toBe(false);
  });

  it("closes with await using, supports Infinity, and refuses bad capacities", async () => {
    let handle: Channel<number> | undefined;
    {
      await using ch = await Channel.open<number>(system, { capacity: Infinity });
      handle = ch;
      for (let i = 0; i < 1000; i++) expect(await ch.tryPut(i)).toBe(true);
    }
    expect((await handle.stats()).closed).toBe(true);
    expect((await handle.stats()).buffered).toBe(1000);
    for (const capacity of [-1, 1.5, Number.NaN]) {
      await expect(Channel.open(system, { capacity })).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(Channel.open(system, { capacity: 1, worker: 5 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

/**
 * `select`: exactly one case completes; priority order by default, fair on request;
 * timeouts, signals, closed channels, put cases (offers) and ask cases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, Channel, ChannelClosedError, InvalidArgumentError, Latch, runtimeName, select, WaitTimeoutError } from "../mod.ts";
import { ChannelUser } from "./fixtures/channel.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  const report = await system.shutdown();
  expect(report.deadlineHit).toBe(false);
});

/** Everything left in a channel, without waiting. */
async function rest<T>(ch: { tryGet(): Promise<{ ok: true; value: T } | { ok: false; closed: boolean }> }): Promise<T[]> {
  const out: T[] = [];
  for (let r = await ch.tryGet(); r.ok; r = await ch.tryGet()) out.push(r.value);
  return out;
}

describe(`select on ${runtimeName}`, () => {
  it("takes the first ready case in priority order and leaves the others untouched", async () => {
    const [a, b] = await Promise.all([
      Channel.open<string>(system, { capacity: 4, worker: 0 }),
      Channel.open<string>(system, { capacity: 4, worker: 1 }),
    ]);
    for (const s of ["a1", "a2"]) await a.put(s);
    for (const s of ["b1", "b2"]) await b.put(s);
    const picks = [];
    for (let i = 0; i < 2; i++) picks.push(await select([{ get: a }, { get: b }]));
    expect(picks).toEqual([{ index: 0, value: "a1", closed: false }, { index: 0, value: "a2", closed: false }]);
    expect(await select([{ get: a }, { get: b }])).toEqual({ index: 1, value: "b1", closed: false });
    // b's first item was taken by the polls and returned to the front each time: FIFO kept.
    expect(await rest(b)).toEqual(["b2"]);
    expect((await b.stats()).returned).toBe(2);
  });

  it("spreads its picks over ready cases with fair: true", async () => {
    const [a, b] = await Promise.all([Channel.open<number>(system, { capacity: 100 }), Channel.open<number>(system, { capacity: 100 })]);
    for (let i = 0; i < 40; i++) {
      await a.put(i);
      await b.put(i);
    }
    const counts = [0, 0];
    for (let i = 0; i < 40; i++) counts[(await select([{ get: a }, { get: b }], { fair: true })).index]!++;
    expect(counts[0]).toBeGreaterThan(0); // each at 2^-40 odds of never being picked
    expect(counts[1]).toBeGreaterThan(0);
    expect((await rest(a)).length + (await rest(b)).length).toBe(40);
  });

  it("waits when nothing is ready: the first case to complete wins, the others are withdrawn", async () => {
    const [a, b] = await Promise.all([
      Channel.open<string>(system, { capacity: 1, worker: 0 }),
      Channel.open<string>(system, { capacity: 1, worker: 1 }),
    ]);
    const picked = select([{ get: a }, { get: b }]);
    const user = await system.spawn(ChannelUser, undefined, { worker: 0 });
    await user.ask("putAll", { ch: b, items: ["late"] });
    expect(await picked).toEqual({ index: 1, value: "late", closed: false });
    expect((await a.stats()).getters).toBe(0);
    await a.put("kept");
    expect(await a.get()).toBe("kept");
  });

  it("puts into the first channel with room; a losing offer is never sent", async () => {
    const [full, roomy] = await Promise.all([Channel.open<string>(system, { capacity: 1 }), Channel.open<string>(system, { capacity: 1 })]);
    await full.put("old");
    const r = await select([{ put: full, value: "x" }, { put: roomy, value: "x" }]);
    expect(r).toEqual({ index: 1, value: "x", closed: false });
    expect(await rest(full)).toEqual(["old"]);
    expect(await rest(roomy)).toEqual(["x"]);
    // Both have room: priority decides, and the other offer is declined.
    const both = await select([{ put: full, value: "y" }, { put: roomy, value: "y" }]);
    expect(both.index).toBe(0);
    expect([await rest(full), await rest(roomy)]).toEqual([["y"], []]);
    expect((await roomy.stats()).tentative).toBe(0);
  });

  it("waits on a put case until a getter makes room, and withdraws the other cases", async () => {
    const [out, idle] = await Promise.all([
      Channel.open<number>(system, { capacity: 0, worker: 1 }),
      Channel.open<number>(system, { capacity: 1, worker: 0 }),
    ]);
    const picked = select([{ get: idle }, { put: out, value: 5 }]);
    expect(await out.get()).toBe(5); // the rendezvous completes the offer
    expect(await picked).toEqual({ index: 1, value: 5, closed: false });
    const s = await idle.stats();
    expect([s.getters, s.cancelled]).toEqual([0, 1]);
  });

  it("rejects with WaitTimeoutError or the signal's reason, leaving nothing behind", async () => {
    const [a, b] = await Promise.all([Channel.open<number>(system, { capacity: 0 }), Channel.open<number>(system, { capacity: 1 })]);
    await b.put(1);
    const e = await select([{ get: a }, { put: b, value: 2 }], { timeout: 5 }).catch((e: unknown) => e); // timer-under-test
    expect(e).toBeInstanceOf(WaitTimeoutError);
    const ac = new AbortController();
    const aborted = select([{ get: a }, { put: b, value: 3 }], { signal: ac.signal });
    ac.abort(new Error("enough"));
    await expect(aborted).rejects.toThrow("enough");
    await expect(select([{ get: a }], { signal: ac.signal })).rejects.toThrow("enough");
    expect(await rest(b)).toEqual([1]);
    const [sa, sb] = [await a.stats(), await b.stats()];
    expect([sa.getters, sb.putters, sb.tentative]).toEqual([0, 0, 0]);
  });

  it("completes a case on a closed channel at once, with closed: true", async () => {
    const [open, shut] = await Promise.all([Channel.open<number>(system, { capacity: 1 }), Channel.open<number>(system, { capacity: 1 })]);
    await shut.close();
    expect(await select([{ get: open }, { get: shut }])).toEqual({ index: 1, value: undefined, closed: true });
    expect(await select([{ put: shut, value: 7 }])).toEqual({ index: 0, value: 7, closed: true });
    expect((await open.stats()).getters).toBe(0);
    await expect(shut.put(1)).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it("takes an actor's reply as a case", async () => {
    const ch = await Channel.open<string>(system, { capacity: 1 });
    const user = await system.spawn(ChannelUser, undefined, { worker: 1 });
    const go = await Latch.open(system);
    const picked = select([{ get: ch }, user.ask("waitLatch", go)]);
    await go.set(); // the actor's reply ("released") completes the second case
    const result = await picked;
    expect(result).toEqual({ index: 1, value: "released", closed: false });
    if (result.index === 1) expect(result.value.toUpperCase()).toBe("RELEASED"); // narrowed to string
    expect((await ch.stats()).getters).toBe(0);
    // A reply that is already there wins by priority over an empty channel; a failing one rejects.
    const ready = Promise.resolve("now");
    expect(await select([{ get: ch }, ready])).toEqual({ index: 1, value: "now", closed: false });
    await expect(select([{ get: ch }, Promise.reject(new RangeError("no"))])).rejects.toBeInstanceOf(RangeError);
    await expect(select([] as never[])).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("completes exactly one case per select under contention from both workers", async () => {
    const [a, b] = await Promise.all([
      Channel.open<number>(system, { capacity: 2, worker: 0 }),
      Channel.open<number>(system, { capacity: 2, worker: 1 }),
    ]);
    const users = await Promise.all([0, 1, 0, 1].map((worker) => system.spawn(ChannelUser, undefined, { worker })));
    const takers = users.map((u, i) => u.ask("selectAll", { a, b, fair: i % 2 === 0 }));
    const N = 150;
    for (let i = 0; i < N; i++) {
      await a.put(i);
      await b.put(1000 + i);
    }
    await a.close();
    await b.close();
    const got = (await Promise.all(takers)).flat() as [number, number][];
    expect(got.filter(([ch]) => ch === 0).map(([, v]) => v).sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(got.filter(([ch]) => ch === 1).map(([, v]) => v).sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => 1000 + i));

    // Offers from both workers: each value lands in exactly one of the two channels.
    const [c, d] = await Promise.all([
      Channel.open<number>(system, { capacity: 1, worker: 1 }),
      Channel.open<number>(system, { capacity: 0, worker: 0 }),
    ]);
    const values = (base: number) => Array.from({ length: 100 }, (_, i) => base + i);
    const offers = [
      users[0]!.ask("offerAll", { a: c, b: d, values: values(0) }),
      users[1]!.ask("offerAll", { a: c, b: d, values: values(500) }),
    ];
    const drains = [users[2]!.ask("drain", c), users[3]!.ask("drain", d)];
    const where = (await Promise.all(offers)) as number[][];
    await c.close();
    await d.close();
    const [inC, inD] = (await Promise.all(drains)) as number[][];
    expect([...inC!, ...inD!].sort((x, y) => x - y)).toEqual([...values(0), ...values(500)]);
    expect(where.flat().filter((w) => w === 0).length).toBe(inC!.length);
  });
});

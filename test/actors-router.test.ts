/**
 * Routers and pools (actors/router.ts, pool.ts, routing.ts, hash-ring.ts): round-robin
 * fairness, consistent-hash stability (moving one node moves ~1/n keys, all to or from
 * that node), least-loaded by mailbox depth, broadcast, resizing without losing mail.
 */
import fc from "fast-check";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorRef, ActorSystem, InvalidArgumentError, Latch, runtimeName } from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import {
  consistentHash,
  HashRing,
  leastLoaded,
  NoRouteesError,
  Pool,
  random,
  roundRobin,
  Router,
  type RoutingLogic,
} from "../actors/mod.ts";
import { Routee } from "./fixtures/actors-blocks.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 50);

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

/** Stand-in refs for the pure logics (they read only `address` and `node`). */
const fakeRefs = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ address: from + i, node: 0 }) as ActorRef);
const tally = (logic: RoutingLogic, routees: readonly ActorRef[], messages: number) => {
  const counts = new Map<number, number>(routees.map((r) => [r.address, 0]));
  for (let i = 0; i < messages; i++) {
    const r = routees[logic.select(routees, "m", i)]!;
    counts.set(r.address, counts.get(r.address)! + 1);
  }
  return [...counts.values()];
};

describe(`routing logics (pure) on ${runtimeName}`, () => {
  it("round-robin is fair: over any run of messages to a fixed set, counts differ by at most one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.nat({ max: 500 }), fc.nat({ max: 40 }), (n, messages, warmup) => {
        const logic = roundRobin();
        const routees = fakeRefs(n);
        tally(logic, routees, warmup); // wherever the turn stands
        const counts = tally(logic, routees, messages);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(messages);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("round-robin stays fair after routees are added and removed", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 20 }), fc.nat({ max: 200 }), (changes, messages) => {
        const router = new Router(fakeRefs(3), roundRobin());
        let next = 100;
        for (const grow of changes) {
          if (grow || router.size === 1) router.add(fakeRefs(1, next++)[0]!);
          else router.remove(router.routees[0]!);
        }
        const counts = tally(router.logic, router.routees, messages);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("random picks every index in range, deterministically for a seeded rng", () => {
    let s = 1;
    const rng = () => ((s = (s * 48271) % 2147483647) / 2147483647);
    const counts = tally(random(rng), fakeRefs(4), 400);
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(400);
    expect(random(() => 0.9999999999).select(fakeRefs(3), "m", 0)).toBe(2);
  });

  it("consistent hashing: adding a node moves ~1/(n+1) of the keys, every one of them to the new node", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (nodes, extra, salt) => {
          fc.pre(!nodes.includes(extra));
          const keys = Array.from({ length: 600 }, (_, i) => `key-${salt}-${i}`);
          const ring = new HashRing(nodes);
          const before = keys.map((k) => ring.nodeFor(k));
          ring.add(extra);
          const after = keys.map((k) => ring.nodeFor(k));
          const moved = keys.filter((_, i) => before[i] !== after[i]);
          // Keys of untouched nodes stay: whatever moved, moved to the new node.
          expect(keys.filter((_, i) => before[i] !== after[i] && after[i] !== extra)).toEqual([]);
          const share = moved.length / keys.length;
          const n = nodes.length + 1;
          expect(share).toBeLessThanOrEqual(1.8 / n);
          expect(share).toBeGreaterThanOrEqual(0.4 / n);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("consistent hashing: removing a node moves only that node's keys; removing it again restores nothing else", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 12 }),
        fc.nat(),
        (nodes, pick) => {
          const gone = nodes[pick % nodes.length]!;
          const keys = Array.from({ length: 400 }, (_, i) => i);
          const ring = new HashRing(nodes);
          const before = keys.map((k) => ring.nodeFor(k));
          ring.remove(gone);
          const after = keys.map((k) => ring.nodeFor(k));
          for (let i = 0; i < keys.length; i++) {
            if (before[i] !== gone) expect(after[i]).toBe(before[i]);
            else expect(after[i]).not.toBe(gone);
          }
          ring.add(gone);
          expect(keys.map((k) => ring.nodeFor(k))).toEqual(before); // the ring is a function of its nodes
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("every ring built from the same nodes agrees, whatever the order they were added in", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 8 }), (nodes) => {
        const a = new HashRing(nodes);
        const b = new HashRing([...nodes].reverse());
        for (let k = 0; k < 100; k++) expect(b.nodeFor(k)).toBe(a.nodeFor(k));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("least-loaded picks the smallest depth + sent + in flight, ties in turn", () => {
    const logic = leastLoaded();
    const routees = fakeRefs(3);
    logic.load!(new Map([[1, 5], [2, 0], [3, 1]]));
    expect(logic.select(routees, "m", 0)).toBe(1);
    logic.sent!(routees[1]!, true); // 2 now has 1 in flight: tie with 3 (depth 1)
    logic.sent!(routees[1]!, false); // and one sent since: 2
    expect(logic.select(routees, "m", 0)).toBe(2);
    logic.settled!(routees[1]!);
    logic.load!(new Map()); // all idle: in turn
    const picks = [0, 1, 2, 3, 4, 5].map(() => logic.select(routees, "m", 0));
    expect(new Set(picks.slice(0, 3)).size).toBe(3);
  });
});

describe(`Router and Pool on ${runtimeName}`, () => {
  it("round-robin over real actors on both workers: each gets exactly its share", async () => {
    await using pool = await Pool.spawn(system, Routee, { size: 3 });
    const seen = await Promise.all(Array.from({ length: 30 }, () => pool.ask("whoami")));
    const counts = pool.routees.map((r) => seen.filter((a) => a === r.address).length);
    expect(counts).toEqual([10, 10, 10]);
    expect(new Set(pool.routees.map((r) => r.worker)).size).toBe(2); // spread over the workers
  });

  it("consistent hash: the same key always reaches the same routee, in order", async () => {
    const pool = await Pool.spawn(system, Routee, { size: 4, logic: consistentHash((m: { key: string }) => m.key) });
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i % 10}`);
    const where = await Promise.all(keys.map((key) => pool.ask("keyed", { key })));
    const owner = new Map<string, number>();
    keys.forEach((k, i) => {
      if (!owner.has(k)) owner.set(k, where[i]!);
      expect(where[i]).toBe(owner.get(k));
    });
    await pool.close();
  });

  it("least-loaded steers around a routee whose mailbox is deep (metrics)", async () => {
    const pool = await Pool.spawn(system, Routee, { size: 3, logic: leastLoaded() });
    const [busy] = pool.routees;
    await using latch = await Latch.open(system);
    busy!.tell("block", latch); // busy until the latch is set
    for (let i = 0; i < 5; i++) busy!.tell("work", i); // queued behind it
    await pool.refreshLoad();
    const seen = await Promise.all(Array.from({ length: 6 }, () => pool.ask("whoami")));
    expect(seen).not.toContain(busy!.address);
    await latch.set();
    expect(await busy!.ask("seen")).toBe(5);
    await pool.close();
  });

  it("broadcast reaches every routee; flush waits for all of them", async () => {
    const pool = await Pool.spawn(system, Routee, { size: 3 });
    expect(pool.broadcast("work", 1)).toBe(3);
    await pool.flush();
    expect(await Promise.all(pool.routees.map((r) => r.ask("seen")))).toEqual([1, 1, 1]);
    await pool.close();
  });

  it("resizing: grows, and shrinks without losing a message (retired routees finish their mail)", async () => {
    using probe = TestProbe.create(system);
    const pool = await Pool.spawn(system, Routee, { size: 2, arg: probe.ref });
    await pool.resize(5);
    expect(pool.size).toBe(5);
    for (let i = 0; i < 100; i++) pool.tell("work", i);
    const shrinking = pool.resize(1);
    expect(pool.size).toBe(1); // out of routing at once
    expect(pool.targetSize).toBe(1);
    await shrinking;
    const stopped = (await probe.receiveN(4)).map((m) => m.arg as { seen: number });
    const rest = await pool.routees[0]!.ask("seen");
    expect(stopped.reduce((a, s) => a + s.seen, 0) + rest).toBe(100);
    await pool.close();
    expect(pool.size).toBe(0);
    expect(((await probe.receive()).arg as { seen: number }).seen).toBe(rest);
    expect(() => pool.tell("work", 1)).toThrow(NoRouteesError);
  });

  it("a plain Router over refs: add, remove, typed replies, NoRouteesError when empty", async () => {
    const a = await system.spawn(Routee, undefined);
    const b = await system.spawn(Routee, undefined);
    const router = new Router([a, b, a]); // duplicates are dropped
    expect(router.size).toBe(2);
    expect(router.add(a)).toBe(false);
    expect(router.remove(a)).toBe(true);
    const n: number = await router.ask("whoami");
    expect(n).toBe(b.address);
    router.remove(b);
    await expect(router.ask("whoami")).rejects.toThrow(NoRouteesError);
    await expect(router.send("work", 1)).rejects.toThrow(NoRouteesError);
    expect(String(router)).toContain("round-robin");
  });

  it("bad options are InvalidArgumentError", async () => {
    for (const size of [-1, 1.5, Number.NaN, Infinity]) {
      await expect(Pool.spawn(system, Routee, { size })).rejects.toThrow(InvalidArgumentError);
    }
    await expect(Pool.spawn(system, Routee, undefined as never)).rejects.toThrow(InvalidArgumentError);
    expect(() => new HashRing([], { virtualNodes: 0 })).toThrow(InvalidArgumentError);
    expect(() => consistentHash(() => 1, { virtualNodes: -3 })).toThrow(InvalidArgumentError);
    const pool = await Pool.spawn(system, Routee, { size: 1 });
    await expect(pool.resize(-2)).rejects.toThrow(InvalidArgumentError);
    await pool.close();
  });
});

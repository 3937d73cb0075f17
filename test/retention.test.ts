/**
 * What stays alive once work is done (issue 13: the heap an idle actor costs): a settled
 * ask keeps nothing in its timeout lane, and an actor keeps no message it has processed.
 */
import { describe, expect, it } from "vitest";
import { AskTimeoutError, runtimeName } from "../mod.ts";
import { PendingAsks } from "../src/system/asks.ts";
import type { Clock } from "../src/util/clock.ts";
import { macrotask } from "../src/util/macrotask.ts";
import { TestSystem } from "../testkit.ts";
import { Keeper, seenPayloads } from "./fixtures/retention-actors.ts";

/** A clock whose timers run only when the test says so (`advance`). */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: nextId });
      return nextId++;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

/** The runtime's full garbage collection (Node and Deno through V8's flag, Bun's own); throws where there is none. */
async function fullGc(): Promise<() => void> {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (typeof g.gc === "function") return g.gc;
  if (g.Bun !== undefined) return () => g.Bun!.gc(true);
  const v8 = await import("node:v8");
  const vm = await import("node:vm");
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as unknown;
  if (typeof gc !== "function") throw new Error(`no way to run a full collection on ${runtimeName}`);
  return gc as () => void;
}

describe(`what stays alive on ${runtimeName}`, () => {
  it("a settled ask waiting in its timeout lane keeps its promise and the code that awaited it no longer alive", async () => {
    const gc = await fullGc();
    const asks = new PendingAsks(manualClock());
    const promises: WeakRef<Promise<unknown>>[] = [];
    // An older ask still waits: the 100 answered after it stay in the lane behind it.
    const older = asks.open("A#1", "m", 60_000, undefined, 1);
    const ids: number[] = [];
    for (let i = 0; i < 100; i++) {
      const { id, promise } = asks.open("A#1", "m", 60_000, undefined, 1);
      ids.push(id);
      promises.push(new WeakRef(promise));
    }
    for (const id of ids) asks.settle(id, true, id);
    expect([asks.size, asks.inLanes]).toEqual([1, 101]);
    // A WeakRef's target stays alive until the task that made it is over; then collect.
    await new Promise<void>((resolve) => macrotask(resolve));
    gc();
    gc();
    const alive = promises.filter((w) => w.deref() !== undefined).length;
    // A few may be held by a stale word on the stack (Bun's collector scans it conservatively);
    // an entry holding its resolvers keeps its promise: all 100.
    expect(alive).toBeLessThanOrEqual(10);
    asks.settle(older.id, true, "older");
    expect(await older.promise).toBe("older");
    asks.open("A#1", "m", 60_000, undefined, 1); // the next ask takes the settled ones off the front
    expect([asks.size, asks.inLanes]).toEqual([1, 1]);
    asks.dispose();
  });

  it("an answer that comes twice is counted late, and a failed or cancelled ask settles once", async () => {
    const asks = new PendingAsks(manualClock());
    const [a, b, c] = [1, 2, 3].map(() => asks.open("A#1", "m", 60_000, undefined, 1)) as [
      ReturnType<PendingAsks["open"]>,
      ReturnType<PendingAsks["open"]>,
      ReturnType<PendingAsks["open"]>,
    ];
    asks.settle(b.id, true, "b");
    asks.settle(a.id, false, new Error("a failed"));
    asks.cancel(c.id, new Error("c cancelled"));
    asks.settle(b.id, true, "again");
    asks.cancel(a.id, new Error("again"));
    expect(await b.promise).toBe("b");
    await expect(a.promise).rejects.toThrow("a failed");
    await expect(c.promise).rejects.toThrow("c cancelled");
    expect([asks.size, asks.lateReplies]).toEqual([0, 1]);
    asks.dispose();
  });

  it("a settled ask at the front of its lane does not keep the ones behind it from timing out", async () => {
    const clock = manualClock();
    const asks = new PendingAsks(clock);
    const answered = asks.open("A#1", "m", 100, undefined, 1);
    const silent = asks.open("A#1", "m", 100, undefined, 1);
    asks.settle(answered.id, true, 1);
    clock.advance(99);
    expect(asks.size).toBe(1);
    clock.advance(1);
    await expect(silent.promise).rejects.toBeInstanceOf(AskTimeoutError);
    expect(await answered.promise).toBe(1);
    expect([asks.size, asks.inLanes]).toEqual([0, 0]);
    asks.dispose();
  });

  it("an actor keeps no message it has processed", async () => {
    const gc = await fullGc();
    const seen = seenPayloads();
    seen.length = 0;
    await using system = await TestSystem.start({ seed: 1 });
    const keepers = await Promise.all(Array.from({ length: 40 }, () => system.spawn(Keeper)));
    for (const k of keepers) k.tell("take", { blob: [1, 2, 3] });
    // A flush is answered by the loop, not by a handler: the last message each keeper processed is its `take`.
    await Promise.all(keepers.map((k) => k.flush()));
    expect(seen.length).toBe(40);
    // A WeakRef's target stays alive until the task that made it is over; then collect.
    await new Promise<void>((resolve) => macrotask(resolve));
    gc();
    gc();
    const alive = seen.filter((w) => w.deref() !== undefined).length;
    // A few may be held by a stale word on the stack (Bun's collector scans it conservatively);
    // an actor holding its last message would keep all 40.
    expect(alive).toBeLessThanOrEqual(4);
    expect(await Promise.all(keepers.map((k) => k.ask("count")))).toEqual(keepers.map(() => 1));
  });
});

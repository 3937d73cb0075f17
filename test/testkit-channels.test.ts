/**
 * Channels, select and barriers in the testkit's deterministic mode: the same library code,
 * its owners on simulated loops, every delivery chosen by the seeded scheduler — and the
 * channel guarantees hold whatever the schedule (every item once, in order per putter).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Barrier, Channel, runtimeName, select } from "../mod.ts";
import { TestSystem } from "../testkit.ts";

describe(`channels in deterministic mode on ${runtimeName}`, () => {
  it("a channel delivers every item once and in order, under any seeded schedule", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 4 }), async (seed, capacity) => {
        await using system = await TestSystem.start({ workers: 2, seed });
        await using ch = await Channel.open<number>(system, { capacity });
        const producer = (async () => {
          for (let i = 0; i < 20; i++) await ch.put(i);
          await ch.close();
        })();
        const got: number[] = [];
        for await (const v of ch) got.push(v);
        await producer;
        expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
      }),
      { numRuns: 20, seed: 20261129, verbose: true },
    );
  });

  it("select takes exactly one ready case, and a barrier releases its parties together", async () => {
    await using system = await TestSystem.start({ workers: 2, seed: 7 });
    await using a = await Channel.open<string>(system, { capacity: 1 });
    await using b = await Channel.open<string>(system, { capacity: 1 });
    await a.put("a");
    await b.put("b");
    const r = await select([{ get: a }, { get: b }]);
    expect([r.index, r.value]).toEqual([0, "a"]);
    expect((await b.stats()).buffered).toBe(1); // the losing case was undone
    await using barrier = await Barrier.open(system, 2);
    const passages = await Promise.all([barrier.wait(), barrier.wait()]);
    expect(passages.map((p) => p.generation)).toEqual([0, 0]);
  });
});

/**
 * `IdTable` and `IdSet` (src/util/id-table.ts) against a `Map`/`Set` model: fast-check runs
 * random sequences of set/delete/get over ids in the shapes the framework uses (ask ids in
 * sequence, long-lived ids among churned ones, actor addresses spaced by 1024), and after
 * every step the table must answer exactly as the model. The seed is fixed (override with
 * MISSIVE_SEED); fast-check prints it and the shrunk counterexample on failure.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdSet, IdTable } from "../src/util/id-table.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261130);

type Op = { kind: "set"; id: number; value: number } | { kind: "delete"; id: number } | { kind: "get"; id: number };

/** Ids as the framework hands them out: small sequences, addresses (n * 1024 + loop), and large ones near 2^53. */
const anId = fc.oneof(
  fc.integer({ min: 1, max: 300 }),
  fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 3 })).map(([n, loop]) => n * 1024 + loop),
  fc.integer({ min: 0, max: 50 }).map((k) => Number.MAX_SAFE_INTEGER - k * 1024),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), id: anId, value: fc.integer() }),
  fc.record({ kind: fc.constant("delete" as const), id: anId }),
  fc.record({ kind: fc.constant("get" as const), id: anId }),
);

describe("IdTable", () => {
  it("answers every get, has, delete and size exactly as a Map does", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const table = new IdTable<number>();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === "set") {
            table.set(o.id, o.value);
            model.set(o.id, o.value);
          } else if (o.kind === "delete") expect(table.delete(o.id)).toBe(model.delete(o.id));
          expect(table.get(o.id)).toBe(model.get(o.id));
          expect(table.has(o.id)).toBe(model.has(o.id));
          expect(table.size).toBe(model.size);
        }
        expect(new Map(table.entries())).toEqual(model);
        expect(table.keys().sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("keeps long-lived ids while ever-new ones come and go (they move aside, nothing is lost)", () => {
    const table = new IdTable<string>();
    const kept = [3, 7, 100, 1025, 4096 * 1024 + 1];
    for (const id of kept) table.set(id, `kept ${id}`);
    for (let id = 5000; id < 200_000; id++) {
      table.set(id, "brief");
      if (id >= 5010) expect(table.delete(id - 10)).toBe(true);
    }
    for (const id of kept) expect(table.get(id)).toBe(`kept ${id}`);
    expect(table.size).toBe(kept.length + 10);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(3)).toBeUndefined();
  });

  it("gives memory back after a burst: the ring halves as it empties", () => {
    const table = new IdTable<number>();
    for (let id = 1; id <= 100_000; id++) table.set(id, id);
    const peak = table.slots;
    expect(peak).toBeGreaterThanOrEqual(100_000);
    for (let id = 1; id <= 99_990; id++) expect(table.delete(id)).toBe(true);
    expect(table.slots).toBeLessThanOrEqual(1024);
    for (let id = 99_991; id <= 100_000; id++) expect(table.get(id)).toBe(id);
    expect(table.size).toBe(10);
  });

  it("lets the table change while its snapshot is iterated", () => {
    const table = new IdTable<number>();
    for (let id = 1; id <= 100; id++) table.set(id, id);
    let seen = 0;
    for (const [id] of table) {
      table.delete(id);
      table.set(id + 1000, id);
      seen++;
    }
    expect(seen).toBe(100);
    expect(table.size).toBe(100);
  });
});

describe("IdSet", () => {
  it("answers as a Set does", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), anId), { maxLength: 300 }), (steps) => {
        const set = new IdSet();
        const model = new Set<number>();
        for (const [add, id] of steps) {
          if (add) {
            set.add(id);
            model.add(id);
          } else expect(set.delete(id)).toBe(model.delete(id));
          expect(set.has(id)).toBe(model.has(id));
          expect(set.size).toBe(model.size);
        }
        expect([...set].sort((a, b) => a - b)).toEqual([...model].sort((a, b) => a - b));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

/**
 * The frame encoder's compiled writers (src/wire/entry-writers.ts) must write exactly what
 * its loop writes: the same bytes for every key list and value, each value read once, and
 * the same refusals with the same paths — also for objects whose keys part from a
 * compiled list at any key.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EncodeFailure } from "../src/wire/encode-failure.ts";
import { compiledWriterFor, entryWriter, MAX_WRITER_KEY_BYTES } from "../src/wire/entry-writers.ts";
import { FrameEncoder, WRITE_COMPILED_AFTER } from "../src/wire/frame-encoder.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261201);
const noRefs = (): Uint8Array => {
  throw new Error("no refs in these values");
};

/** What a fresh encoder (no compiled writer yet: its loop) writes for `value`, or how it fails. */
function loopWrites(value: unknown, maxBytes?: number): Uint8Array | EncodeFailure {
  return writes(new FrameEncoder(noRefs), value, maxBytes);
}

function writes(w: FrameEncoder, value: unknown, maxBytes?: number): Uint8Array | EncodeFailure {
  try {
    return w.encodeValue(value, maxBytes).slice();
  } catch (e) {
    if (e instanceof EncodeFailure) return e;
    throw e;
  }
}

/** An encoder that has written `WRITE_COMPILED_AFTER + 1` objects of `keys` nested under `inner`, then as many by themselves, so that it writes that list compiled at depths 1 and 2. */
function warmed(keys: readonly string[]): FrameEncoder {
  const w = new FrameEncoder(noRefs);
  const o = Object.fromEntries(keys.map((k, i) => [k, i]));
  for (let i = 0; i <= WRITE_COMPILED_AFTER; i++) w.encodeValue({ inner: o });
  for (let i = 0; i <= WRITE_COMPILED_AFTER; i++) w.encodeValue(o); // last: a map of another list at depth 1 drops its writer
  expect(compiledWriterFor(keys), `a writer for ${JSON.stringify(keys)}`).toBe(true);
  return w;
}

/** The same outcome: equal bytes, or failures with the same message (path included) and kind. */
function expectSame(actual: Uint8Array | EncodeFailure, expected: Uint8Array | EncodeFailure, what: string): void {
  if (expected instanceof EncodeFailure) {
    expect(actual, what).toBeInstanceOf(EncodeFailure);
    expect((actual as EncodeFailure).message, what).toBe(expected.message);
    expect((actual as EncodeFailure).kind, what).toBe(expected.kind);
  } else expect(actual, what).toEqual(expected);
}

describe("frame encoder: compiled writers of key lists seen often (entry-writers.ts)", () => {
  const key = fc.oneof(
    fc.constantFrom("a", "b", "id", "value", "tag", "1", "20", "é", "", "constructor", "toString", "k".repeat(40)),
    fc.string({ maxLength: 4 }),
  ).filter((k) => k !== "__proto__");
  const number = fc.oneof(
    fc.constantFrom(0, -0, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 2 ** 32 - 1, 2 ** 32, -1, -0x21, 1.5, NaN, Infinity, 2 ** 53),
    fc.integer(),
    fc.double(),
  );
  const leaf = fc.oneof(
    number,
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 40 }), // non-ASCII chars and lone surrogates
    fc.constantFrom("", "x".repeat(31), "x".repeat(32), `${"x".repeat(30)}é`, "é", "\ud800"),
    fc.constantFrom(null, true, false, undefined),
    fc.array(fc.nat(), { maxLength: 3 }),
  );

  it("writes the loop's bytes for any key list, before and after it is compiled, lists that part from it at any key included, each getter read once (fast-check)", () => {
    const edit = fc.record({
      cut: fc.nat({ max: 8 }),
      swap: fc.option(fc.tuple(fc.nat({ max: 7 }), key)),
      extra: fc.uniqueArray(key, { maxLength: 2 }),
      getters: fc.boolean(),
      nested: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { minLength: 1, maxLength: 7 }),
        fc.array(fc.array(leaf, { minLength: 9, maxLength: 9 }), {
          minLength: WRITE_COMPILED_AFTER + 2,
          maxLength: WRITE_COMPILED_AFTER + 6,
        }),
        fc.array(edit, { maxLength: 6 }),
        (first, rows, edits) => {
          const w = new FrameEncoder(noRefs);
          // Runs of the first list (long enough to compile it), then lists edited from it, then the first list again.
          const lists = [
            ...rows.map(() => first),
            ...edits.map((e) => {
              const list = first.slice(0, e.cut);
              if (e.swap !== null && list.length > 0) list[e.swap[0] % list.length] = e.swap[1];
              return [...new Set([...list, ...e.extra])];
            }),
            first,
          ];
          lists.forEach((keys, n) => {
            const e = n < rows.length ? null : edits[n - rows.length];
            const values = rows[n % rows.length]!;
            const reads = new Map<string, number>();
            const o: Record<string, unknown> = {};
            keys.forEach((k, i) => {
              if (e?.getters === true) {
                Object.defineProperty(o, k, {
                  enumerable: true,
                  get: () => (reads.set(k, (reads.get(k) ?? 0) + 1), values[i]),
                });
              } else o[k] = values[i];
            });
            const value = e?.nested === true ? { outer: 1, inner: o } : o;
            const expected = loopWrites(Object.fromEntries(Object.entries(value)));
            reads.clear();
            expectSame(writes(w, value), expected, `object ${n} ${JSON.stringify(keys)}`);
            for (const [k, count] of reads) expect(count, `reads of ${JSON.stringify(k)}`).toBe(1);
          });
        },
      ),
      { seed: SEED, numRuns: 200, endOnFailure: true },
    );
  });

  it("refuses what the loop refuses, with its failure and path: a getter that throws, a __proto__ key, a function, a Proxy's trap, too large", () => {
    const keys = ["a", "b", "c"];
    const trap = new Proxy({ a: 1, b: 2, c: 3 }, {
      ownKeys() {
        throw new TypeError("no keys");
      },
    });
    const cases: [string, unknown, number?][] = [
      ["getter", {
        a: 1,
        get b(): number {
          throw new RangeError("no b");
        },
        c: 3,
      }],
      ["getter of a key past the list", {
        a: 1,
        b: 2,
        get d(): number {
          throw new RangeError("no d");
        },
      }],
      ["__proto__", JSON.parse('{"a": 1, "b": 2, "__proto__": 3}')],
      ["__proto__ past the list", JSON.parse('{"a": 1, "b": 2, "c": 3, "__proto__": 4}')],
      ["function", { a: 1, b: () => 2, c: 3 }],
      ["nested function", { a: 1, b: { g: [1, () => 2] }, c: 3 }],
      ["symbol", { a: 1, b: 2, c: Symbol("c") }],
      ["Proxy", trap],
      ["too large", { a: 1, b: "x".repeat(500), c: 3 }, 300],
      ["too large at the end", { a: 1, b: 2, c: "x".repeat(100) }, 60],
      ["too large, a short string", { a: 1, b: "x".repeat(30), c: 3 }, 20],
      ["too large, a short string at the end", { a: 1, b: 2, c: "x".repeat(31) }, 25],
    ];
    for (const [what, payload, maxBytes] of cases) {
      const expected = loopWrites(payload, maxBytes);
      expect(expected, what).toBeInstanceOf(EncodeFailure);
      const w = warmed(keys);
      expectSame(writes(w, payload, maxBytes), expected, what);
      expectSame(writes(w, { inner: payload }, maxBytes), loopWrites({ inner: payload }, maxBytes), `${what}, nested`);
      // The writer still writes its list after a refusal.
      const o = { a: 10, b: "x", c: [1] };
      expectSame(writes(w, o), loopWrites(o), `${what}, then a good object`);
    }
  });

  it("writes only own keys when Object.prototype gains an enumerable key of the compiled list", () => {
    const w = warmed(["a", "b", "c"]);
    const ownOnly = loopWrites({ a: 1, b: 2 });
    const proto = Object.prototype as Record<string, unknown>;
    proto.c = "inherited";
    try {
      expectSame(writes(w, { a: 1, b: 2 }), ownOnly, "own a, b; inherited c");
    } finally {
      delete proto.c;
    }
  });

  it("writes a getter's changes to the object as the loop does: a later key deleted, a key added", () => {
    const w = warmed(["a", "b", "c"]);
    /** `{ a, b, c }` whose getter of `a` changes the object (a fresh one per call: one for the writer, one for the loop). */
    const changing = (change: (o: Record<string, unknown>) => void) => {
      const o: Record<string, unknown> = {
        get a() {
          change(o);
          return 1;
        },
        b: 2,
        c: 3,
      };
      return o;
    };
    const deleteC = (o: Record<string, unknown>) => delete o.c;
    const addD = (o: Record<string, unknown>) => (o.d = 4);
    expectSame(writes(w, changing(deleteC)), loopWrites(changing(deleteC)), "c deleted by a's getter");
    expectSame(writes(w, changing(addD)), loopWrites(changing(addD)), "d added by a's getter");
  });

  it("writes every integer width and the frame's buffer growth exactly, at any position of the buffer", () => {
    const numbers = [0, -0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -1, 0.5, NaN];
    const w = warmed(["id", "value", "tag"]);
    for (const id of numbers) {
      for (const value of numbers) {
        const o = { id, value, tag: "tick" };
        expectSame(writes(w, o), loopWrites(o), JSON.stringify([id, value]));
      }
    }
    // In frames: a map whose bytes cross the end of the buffer, at every offset.
    const objects = [
      { id: 2 ** 32 - 1, value: 0xffff, tag: "tick" },
      { id: 1, value: 2, tag: "t".repeat(31) }, // a string longer than an integer's room
    ];
    let crossed = 0;
    for (let run = 0; run < 2 * 160; run++) {
      const o = objects[run % 2]!;
      const frames = new FrameEncoder(noRefs);
      for (let i = 0; i <= WRITE_COMPILED_AFTER; i++) frames.writeEnvelope(0, 1025, 0, 0, "m", o);
      // The next frame's buffer is this one's length and 4096 bytes (frame-encoder.ts's
      // CAPACITY_SLACK): a string envelope fills it to 150 bytes or fewer before its end.
      const capacity = frames.take().byteLength + 4096;
      const pad = capacity - 150 + (run >> 1);
      frames.writeEnvelope(0, 1025, 0, 0, "m", "x".repeat(pad));
      if (frames.byteLength < capacity && frames.byteLength + 48 > capacity) crossed++;
      const before = frames.byteLength;
      frames.writeEnvelope(0, 1025, 0, 0, "m", o);
      const written = frames.take().slice(before);
      const fresh = new FrameEncoder(noRefs);
      fresh.writeEnvelope(0, 1025, 0, 0, "m", "x".repeat(pad));
      const freshBefore = fresh.byteLength;
      fresh.writeEnvelope(0, 1025, 0, 0, "m", o);
      expect(written, `pad ${pad}`).toEqual(fresh.take().slice(freshBefore));
    }
    expect(crossed, "maps written across the buffer's end").toBeGreaterThan(40);
  });

  it("writes two key lists compiled at one depth, interleaved, and lists that share a first key with either", () => {
    const w = new FrameEncoder(noRefs);
    const a = (i: number) => ({ id: i, value: i * 3, tag: "a" });
    const b = (i: number) => ({ kind: "b", at: [i], id: i });
    const c = (i: number) => ({ id: i, value: i, other: true }); // parts from a's list at its third key
    const d = (_i: number) => ({ kind: "d" }); // parts from b's list after its first key
    for (let i = 0; i <= WRITE_COMPILED_AFTER; i++) w.encodeValue(a(i));
    for (let i = 0; i <= WRITE_COMPILED_AFTER; i++) w.encodeValue(b(i));
    expect(compiledWriterFor(["id", "value", "tag"]) && compiledWriterFor(["kind", "at", "id"])).toBe(true);
    const makers = [a, b, a, c, b, d, b, a, a, d, c, b];
    for (let round = 0; round < 3; round++) {
      makers.forEach((make, i) => {
        const o = make(round * 100 + i);
        expectSame(writes(w, o), loopWrites(o), `${round}/${i}: ${JSON.stringify(o)}`);
        expectSame(writes(w, [o, { o }]), loopWrites([o, { o }]), `${round}/${i} nested`);
      });
    }
  });

  it("compiles no writer for an empty list, more than 15 keys, a key over the limit, or __proto__", () => {
    const bytes = (k: string): number[] => [0xa0 | k.length, ...new TextEncoder().encode(k)];
    const list = (keys: string[]) => entryWriter(keys, keys.map(bytes));
    expect(list([])).toBeNull();
    expect(list(Array.from({ length: 16 }, (_, i) => `k${i}`))).toBeNull();
    expect(entryWriter(["long"], [Array.from({ length: MAX_WRITER_KEY_BYTES + 1 }, () => 0x6b)])).toBeNull();
    expect(list(["a", "__proto__"])).toBeNull();
    const fifteen = Array.from({ length: 15 }, (_, i) => `k${i}`);
    expect(list(fifteen)?.keys).toEqual(fifteen);
    expect(list(fifteen)).toBe(list(fifteen)); // compiled once per thread
  });
});

/**
 * Refs in same-loop copies (`Codec.copyEnvelope`): a ref of the loop travels as a one-byte
 * index into the copy's own table and arrives as that very object, at any depth; a ref the
 * loop cannot share (ask defaults, another loop) is encoded and arrives equal by address;
 * the size limit counts every ref's full bytes as a link would; and the extension is
 * refused, as a type Missive does not write, by every reader but the copy's own. A flat
 * object (primitives and such refs) is copied without bytes (src/wire/flat-copy.ts): each
 * value read once, and whatever it cannot copy fails as the writer fails. The seed
 * of the property tests is fixed (override with MISSIVE_SEED).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WireError } from "../mod.ts";
import { Codec } from "../src/wire/codec.ts";
import { EncodeFailure } from "../src/wire/encode-failure.ts";
import { type Envelope, Kind } from "../src/wire/envelope.ts";
import { Ext } from "../src/wire/format.ts";
import { FrameEncoder, MAX_LOCAL_REFS } from "../src/wire/frame-encoder.ts";
import { findUnencodable } from "../src/wire/unencodable.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261130);

/** A stand-in for `ActorRef`: `shared` ones are what the loop may carry as they are. */
class FakeRef {
  readonly node: number;
  readonly address: number;
  readonly flow: number;
  readonly label: string;
  readonly shared: boolean;
  constructor(node: number, address: number, flow: number, label: string, shared: boolean) {
    this.node = node;
    this.address = address;
    this.flow = flow;
    this.label = label;
    this.shared = shared;
    Object.freeze(this);
  }
}

function fakeCodec(local = true): Codec {
  return new Codec({
    isRef: (v) => v instanceof FakeRef,
    toWire: (v) => {
      const r = v as FakeRef;
      return [r.node, r.address, r.flow, r.label];
    },
    fromWire: (node, address, flow, label) => new FakeRef(node, address, flow, label, true),
    ...(local ? { local: (v: object) => v instanceof FakeRef && v.shared } : {}),
  });
}

const ref = fc.record({
  node: fc.nat({ max: 3 }),
  address: fc.integer({ min: 1025, max: 70_000 }),
  flow: fc.integer({ min: -5, max: 5 }),
  label: fc.string({ maxLength: 70 }),
  shared: fc.boolean(),
}).map((r) => new FakeRef(r.node, r.address, r.flow, r.label, r.shared));

/** Values with refs at any depth: in arrays, objects, Maps, Sets, null-prototype objects, error fields. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 20 }), fc.boolean(), fc.constant(null), fc.constant(undefined), ref),
  node: fc.oneof(
    { depthSize: "small" },
    tie("leaf"),
    ref,
    fc.array(tie("node"), { maxLength: 6 }),
    fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== "__proto__"), tie("node"), { maxKeys: 6, noNullPrototype: false }),
    fc.array(fc.tuple(tie("leaf"), tie("node")), { maxLength: 3 }).map((entries) => new Map(entries)),
    fc.array(tie("leaf"), { maxLength: 3 }).map((items) => new Set(items)),
    tie("node").map((v) => Object.assign(new Error("e"), { field: v })),
    // 16 keys or more: the writer starts the map again key by key (what it wrote is forgotten).
    fc.dictionary(fc.string({ maxLength: 4 }).filter((k) => k !== "__proto__"), tie("leaf"), { minKeys: 15, maxKeys: 18 }),
  ),
})).node;

/**
 * Walks `sent` and `got` side by side: "" when `got` is the copy the wire promises, every
 * shared ref the very object sent (`same`) or, for the others and for every ref when `same`
 * is false, a ref equal by address (a different, frozen object when not shared).
 */
function compare(got: unknown, sent: unknown, same: boolean, path = "value"): string {
  if (sent instanceof FakeRef) {
    if (!(got instanceof FakeRef)) return `${path}: not a ref`;
    if (got.node !== sent.node || got.address !== sent.address || got.flow !== sent.flow || got.label !== sent.label) {
      return `${path}: another ref`;
    }
    if (same && sent.shared && got !== sent) return `${path}: a shared ref was copied`;
    if (!sent.shared && got === sent) return `${path}: a ref with what does not travel was shared`;
    return Object.isFrozen(got) ? "" : `${path}: not frozen`;
  }
  if (typeof sent !== "object" || sent === null) return Object.is(got, sent) ? "" : `${path}: ${String(got)} is not ${String(sent)}`;
  if (typeof got !== "object" || got === null || got === sent) return `${path}: not a copy`;
  if (Object.getPrototypeOf(got) !== Object.getPrototypeOf(sent)) return `${path}: another prototype`;
  const entries = (v: object): [unknown, unknown][] =>
    v instanceof Map
      ? [...v]
      : v instanceof Set
      ? [...v].map((x, i) => [i, x])
      : v instanceof Error
      ? [["field", (v as unknown as { field: unknown }).field]]
      : Object.entries(v);
  const g = entries(got);
  const s = entries(sent);
  if (g.length !== s.length) return `${path}: ${g.length} entries, not ${s.length}`;
  for (let i = 0; i < s.length; i++) {
    const d = compare(g[i]![0], s[i]![0], same, `${path}<key ${i}>`) || compare(g[i]![1], s[i]![1], same, `${path}[${String(s[i]![0])}]`);
    if (d) return d;
  }
  return "";
}

const copyOf = (codec: Codec, payload: unknown, maxBytes = 1 << 20): unknown =>
  (codec.copyEnvelope(Kind.Tell, 1025, 2049, 0, "m", payload, maxBytes) as Envelope)[5];

/** Values a flat copy carries (strings up to `maxLength`). */
const flatLeaf = (maxLength: number) =>
  fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength }), fc.boolean(), fc.constant(null), fc.constant(undefined), ref);

/**
 * Copies an object of `entries` (each a getter that counts its reads when `getters`) and
 * checks that the copy is what a link delivers and that every getter was read once.
 */
function expectCopiedOnce(codec: Codec, entries: readonly (readonly [string, unknown])[], getters: boolean): void {
  const reads = new Map<string, number>();
  const sent: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    if (getters) {
      Object.defineProperty(sent, k, {
        get: () => (reads.set(k, (reads.get(k) ?? 0) + 1), v),
        enumerable: true,
        configurable: true,
      });
    } else sent[k] = v;
  }
  const got = copyOf(codec, sent);
  if (getters) {
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
    expect(reads.size).toBe(Object.keys(sent).length);
  }
  const plain = Object.fromEntries(Object.keys(sent).map((k) => [k, sent[k]]));
  expect(compare(got, plain, true)).toBe("");
  expect(Object.keys(got as object)).toEqual(Object.keys(plain));
}

/** "ok", or the failure's kind, bytes and limit. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    const f = e as EncodeFailure;
    return `${f.kind} ${f.bytes} ${f.limit} ${f.atLeast}`;
  }
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("refs in same-loop copies", () => {
  it("arrive as the very ref when shared, equal by address otherwise, at any depth, as through a link (fast-check)", () => {
    const codec = fakeCodec();
    const plain = fakeCodec(false); // no `local`: every ref is encoded, as before
    fc.assert(
      fc.property(value, (v) => {
        expect(compare(copyOf(codec, v), v, true)).toBe("");
        expect(compare(copyOf(plain, v), v, false)).toBe("");
        expect(compare(codec.decode(codec.encode(v)), v, false)).toBe("");
        // The size limit sees the envelope a link would carry: the same verdict, bytes and limit.
        const size = codec.encodeEnvelope(Kind.Tell, 1025, 2049, 0, "m", v).byteLength;
        for (const limit of [size + 8, size, size - 1, size >> 1]) {
          const linked = outcome(() => codec.encodeEnvelope(Kind.Tell, 1025, 2049, 0, "m", v, limit));
          expect(outcome(() => copyOf(codec, v, limit))).toBe(linked);
          expect(outcome(() => copyOf(plain, v, limit))).toBe(linked);
        }
      }),
      { seed: SEED, numRuns: 300, endOnFailure: true },
    );
  });

  it(`carries more than ${MAX_LOCAL_REFS} refs in one message (the rest encoded) and keeps none of them afterwards`, () => {
    const codec = fakeCodec();
    const many = Array.from({ length: MAX_LOCAL_REFS + 10 }, (_, i) => new FakeRef(0, 1025 + i * 1024, 0, `a${i}`, true));
    const got = copyOf(codec, { many, again: many[0] }) as { many: FakeRef[]; again: FakeRef };
    expect(compare(got, { many, again: many[0] }, false)).toBe("");
    expect(got.many.slice(0, MAX_LOCAL_REFS - 1).every((r, i) => r === many[i])).toBe(true);
    expect(got.many[MAX_LOCAL_REFS + 5]).not.toBe(many[MAX_LOCAL_REFS + 5]);
    // A failed copy leaves nothing behind either: the next copy starts from an empty table.
    expect(() => copyOf(codec, [many[0], () => 1])).toThrow(EncodeFailure);
    expect(copyOf(codec, [many[1]])).toEqual([many[1]]);
  });

  it("forgets the refs of an error field sent as its String() (a function inside): sizes stay those of a link", () => {
    const codec = fakeCodec();
    const a = new FakeRef(0, 1025, 0, "a".repeat(40), true);
    const error = Object.assign(new Error("e"), { field: [a, a, a, () => 1], ref: a });
    const size = codec.encodeEnvelope(Kind.Tell, 1025, 2049, 0, "m", error).byteLength;
    for (const limit of [size, size - 1]) {
      expect(outcome(() => copyOf(codec, error, limit))).toBe(
        outcome(() => codec.encodeEnvelope(Kind.Tell, 1025, 2049, 0, "m", error, limit)),
      );
    }
    const got = copyOf(codec, error) as { field: unknown; ref: unknown };
    expect(typeof got.field).toBe("string");
    expect(got.ref).toBe(a);
  });

  it("copies flat objects (and snapshots the others) reading every value once, as a link delivers them (fast-check)", () => {
    const codec = fakeCodec();
    const entries = fc.array(fc.tuple(fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__"), fc.oneof(flatLeaf(30), value)), {
      maxLength: 20,
    });
    fc.assert(
      fc.property(entries, fc.boolean(), (list, getters) => expectCopiedOnce(codec, list, getters)),
      { seed: SEED, numRuns: 300, endOnFailure: true },
    );
  });

  it("copies a key list it copied before as the first time: the same list, lists that part from it at any key, shorter and longer ones, each getter read once (fast-check)", () => {
    const key = fc.string({ maxLength: 5 }).filter((k) => k !== "__proto__");
    const leaf = flatLeaf(12);
    // How each object's keys come from the first list: cut short, one key replaced, keys added; a nested value makes it no longer flat.
    const edit = fc.record({
      cut: fc.nat({ max: 8 }),
      swap: fc.option(fc.tuple(fc.nat({ max: 7 }), key)),
      extra: fc.uniqueArray(key, { maxLength: 2 }),
      getters: fc.boolean(),
      nested: fc.option(fc.nat({ max: 8 })),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { maxLength: 7 }),
        fc.array(edit, { minLength: 1, maxLength: 8 }),
        fc.array(leaf, { minLength: 9, maxLength: 9 }),
        (first, edits, leaves) => {
          const codec = fakeCodec(); // a copier is generated for a list once it was copied flat
          for (const e of [{ cut: 8, swap: null, extra: [], getters: false, nested: null }, ...edits]) {
            const list = first.slice(0, e.cut);
            if (e.swap !== null && list.length > 0) list[e.swap[0] % list.length] = e.swap[1];
            const keys = [...new Set([...list, ...e.extra])];
            expectCopiedOnce(codec, keys.map((k, i) => [k, e.nested === i ? { inner: leaves[i] } : leaves[i]]), e.getters);
          }
        },
      ),
      { seed: SEED, numRuns: 300, endOnFailure: true },
    );
  });

  it("refuses what the writer refuses, with its failure and path: a getter that throws, a __proto__ key, a function, a revoked Proxy, too large", () => {
    const codec = fakeCodec();
    const a = new FakeRef(0, 1025, 0, "a", true);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const cases: [string, unknown][] = [
      ["getter", {
        replyTo: a,
        get n(): number {
          throw new RangeError("no n");
        },
      }],
      ["__proto__", JSON.parse('{"a": 1, "__proto__": 2}')],
      ["function", { replyTo: a, f: () => 1 }],
      ["nested function", { replyTo: a, inner: { g: [1, () => 2] } }],
      ["symbol", { s: Symbol("s") }],
      ["revoked", revoked.proxy],
      ["revoked inside", { replyTo: a, p: revoked.proxy }],
      ["large", { replyTo: a, text: "x".repeat(500) }],
    ];
    for (const [what, payload] of cases) {
      const viaLink = thrown(() => codec.encodeEnvelope(Kind.Tell, 1025, 2049, 0, "m", payload, 300)) as EncodeFailure;
      // Also where the copy has a copier generated for the same keys (a flat object of them copied first).
      const warmed = fakeCodec();
      const keys = outcome(() => Object.keys(payload as object)) === "ok"
        ? Object.keys(payload as object).filter((k) => k !== "__proto__")
        : [];
      copyOf(warmed, Object.fromEntries(keys.map((k) => [k, 1])));
      for (const [how, copier] of [["", codec], [" (copier generated)", warmed]] as const) {
        const viaCopy = thrown(() => copyOf(copier, payload, 300)) as EncodeFailure;
        expect(viaCopy, what + how).toBeInstanceOf(EncodeFailure);
        expect([viaCopy.kind, viaCopy.message, viaCopy.bytes, viaCopy.limit], what + how).toEqual([
          viaLink.kind,
          viaLink.message,
          viaLink.bytes,
          viaLink.limit,
        ]);
        // The loop names the path from the caller's own object (not a snapshot of it).
        const isRef = (o: object) => o instanceof FakeRef;
        expect(findUnencodable(payload, "arg", isRef, viaCopy), what + how).toEqual(findUnencodable(payload, "arg", isRef, viaLink));
      }
    }
  });

  it("nests: a copy made while another is being encoded (a getter that sends) gets its own writer and table", () => {
    const codec = fakeCodec();
    const a = new FakeRef(0, 1025, 0, "a", true);
    const b = new FakeRef(0, 2049, 0, "b", true);
    let inner: unknown;
    const outer = copyOf(codec, {
      first: a,
      get second() {
        inner = copyOf(codec, { x: b, y: [a] });
        return b;
      },
    });
    expect(outer).toEqual({ first: a, second: b });
    expect((outer as { first: unknown }).first).toBe(a);
    expect(inner).toEqual({ x: b, y: [a] });
    expect((inner as { y: unknown[] }).y[0]).toBe(a);
  });

  it("is refused with WireError by every reader but the copy's own (a frame, a decode)", () => {
    const codec = fakeCodec();
    const w = new FrameEncoder((v) => codec.encode(v));
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", new Uint8Array([0xd4, Ext.LocalRef, 0]));
    const frame = w.take();
    // Patch the byte array's header into the extension's: [bin8 3] d4 0c 00 → [nop…] d4 0c 00.
    const at = frame.indexOf(0xd4);
    const forged = new Uint8Array([...frame.subarray(0, at - 2), ...frame.subarray(at)]);
    const cursor = codec.openFrame(forged);
    expect(() => cursor.next()).toThrow(WireError);
    expect(() => codec.openFrame(forged).next()).toThrow(/extension type 12 is not one Missive writes/);
    expect(() => codec.decode(new Uint8Array([0xd4, Ext.LocalRef, 0]))).toThrow(WireError);
    expect(() => codec.decode(new Uint8Array([0x91, 0xd4, Ext.LocalRef, 7]))).toThrow(/extension type 12/);
  });
});

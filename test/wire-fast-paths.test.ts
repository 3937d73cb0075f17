/**
 * The hot-path shortcuts of the frame encoder and reader must read and write exactly what
 * the generic msgpack path does: maps built through the shape tree (object-shapes.ts),
 * `for…in` key enumeration, the remembered message name, envelope integers.
 */
import { describe, expect, it } from "vitest";
import { WireError } from "../mod.ts";
import { Codec } from "../src/wire/codec.ts";
import { type Envelope, Kind } from "../src/wire/envelope.ts";
import { FrameEncoder } from "../src/wire/frame-encoder.ts";
import { registerHandleCodec } from "../src/wire/handles.ts";
import { COMPILE_AFTER, MAX_COMPILED_READERS, MAX_SHAPE_NODES } from "../src/wire/object-shapes.ts";
import { frameToString, STRING_FRAME_BYTES, stringFrameCount, StringFrameReader } from "../src/wire/string-frames.ts";

const refs = {
  isRef: () => false,
  toWire: (): [number, number, number, string] => [0, 0, 0, ""],
  fromWire: () => ({}),
};
const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);

function readAll(codec: Codec, frame: Uint8Array): Envelope[] {
  const cursor = codec.openFrame(frame);
  const out: Envelope[] = [];
  for (let env = cursor.next(); env !== null; env = cursor.next()) out.push(env);
  return out;
}

/** A frame holding the given raw envelope bytes (hand-written msgpack). */
function rawFrame(...envelopes: number[][]): Uint8Array {
  const body = envelopes.flat();
  const frame = new Uint8Array(8 + body.length);
  new DataView(frame.buffer).setUint32(0, envelopes.length, true);
  frame.set(body, 8);
  return frame;
}

const str = (s: string): number[] => [0xa0 | s.length, ...new TextEncoder().encode(s)];

describe("frame reader: maps through the shape tree", () => {
  it("builds the same objects as key-by-key assignment, for any key lists, over many frames (fast-check)", async () => {
    const fc = (await import("fast-check")).default;
    const codec = new Codec(refs); // one reader for every run: its shape tree keeps growing
    const key = fc.constantFrom("a", "b", "c", "id", "value", "1", "20", "é", "k".repeat(20), "", "constructor", "toString");
    const object = fc.array(fc.tuple(key, fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null))), { maxLength: 20 })
      .map((entries) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of entries) o[k] = v;
        return o;
      });
    const nested = fc.oneof(object, object.map((o) => ({ inner: o, list: [o, o] })));
    fc.assert(
      fc.property(fc.array(nested, { minLength: 1, maxLength: 30 }), (values) => {
        const w = new FrameEncoder((v) => codec.encode(v));
        for (const v of values) w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", v);
        const back = readAll(codec, w.take()).map((e) => e[5]) as Record<string, unknown>[];
        expect(back).toEqual(values);
        for (const [i, o] of back.entries()) {
          expect(Object.keys(o)).toEqual(Object.keys(values[i]!)); // same key order
          expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("keeps decoding correctly once the shape tree is full, and known shapes still use it", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    // Chains of 16 distinct keys: 16 nodes each, enough to pass the node limit.
    const chains = Math.ceil(MAX_SHAPE_NODES / 16) + 40;
    const values: Record<string, number>[] = [];
    for (let c = 0; c < chains; c++) {
      const o: Record<string, number> = {};
      for (let k = 0; k < 16; k++) o[`c${c}k${k}`] = c * 16 + k;
      values.push(o);
    }
    values.push({ id: 1, tag: 2 }, { id: 3, tag: 4 });
    for (const v of values) w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", v);
    expect(readAll(codec, w.take()).map((e) => e[5])).toEqual(values);
  });

  it("reads number keys, duplicate keys and maps of more than 16 keys like assignment does", () => {
    const codec = new Codec(refs);
    const head = [0x96, 0, 0x01, 0, 0, ...str("m")];
    const frame = rawFrame(
      [...head, 0x82, 0x01, ...str("a"), 0x02, ...str("b")], // {1: "a", 2: "b"}
      [...head, 0x83, ...str("x"), 0x01, ...str("y"), 0x02, ...str("x"), 0x03], // x twice: the later wins
      [...head, 0x82, 0x01, ...str("a"), 0x02, ...str("b")], // the number-key list again (now known)
      [...head, 0xde, 0x00, 17, ...Array.from({ length: 17 }, (_, i) => [...str(`k${i}`), i]).flat()],
    );
    const back = readAll(codec, frame).map((e) => e[5]);
    expect(back[0]).toEqual({ 1: "a", 2: "b" });
    expect(back[1]).toEqual({ x: 3, y: 2 });
    expect(Object.keys(back[1] as object)).toEqual(["x", "y"]);
    expect(back[2]).toEqual({ 1: "a", 2: "b" });
    expect(back[3]).toEqual(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i])));
  });

  it("refuses a __proto__ key wherever it appears in a key list, known prefix or not", () => {
    const codec = new Codec(refs);
    const head = [0x96, 0, 0x01, 0, 0, ...str("m")];
    const good = [...head, 0x82, ...str("a"), 0x01, ...str("b"), 0x02];
    const evil = [...head, 0x82, ...str("a"), 0x01, ...str("__proto__"), 0x80];
    expect(readAll(codec, rawFrame(good))[0]![5]).toEqual({ a: 1, b: 2 });
    expect(() => readAll(codec, rawFrame(evil))).toThrow(/"__proto__" is refused/);
    expect(readAll(codec, rawFrame(good))[0]![5]).toEqual({ a: 1, b: 2 });
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});

/** A handle class whose decodes are counted: a value read twice would show. */
class Counted {
  readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
}
let countedDecodes = 0;
registerHandleCodec<Counted>("test.wire-fast-paths.counted", {
  is: (v) => v instanceof Counted,
  toWire: (c) => c.n,
  fromWire: (n) => {
    countedDecodes++;
    return new Counted(n as number);
  },
}, import.meta.url);

describe("frame reader: compiled readers of key lists seen often (entry-readers.ts)", () => {
  const head = [0x96, 0, 0x01, 0, 0, ...str("m")];
  /** A map of `entries` with each key as given (raw bytes) and small-integer values. */
  const rawMap = (...entries: [number[], number][]): number[] => [0x80 | entries.length, ...entries.flatMap(([k, v]) => [...k, v])];
  /** A codec whose reader has compiled the key list [id, value, tag] at depth 2 (the payload). */
  function warmed(): Codec {
    const codec = new Codec(refs);
    const runs = Array.from(
      { length: COMPILE_AFTER + 2 },
      (_, i) => [...head, ...rawMap([str("id"), i], [str("value"), 1], [str("tag"), 2])],
    );
    expect(readAll(codec, rawFrame(...runs)).map((e) => e[5])).toEqual(runs.map((_, i) => ({ id: i, value: 1, tag: 2 })));
    return codec;
  }

  it("hands a map whose keys differ at any position back to the tree with the entries read so far", () => {
    const codec = warmed();
    const frame = rawFrame(
      [...head, ...rawMap([str("id"), 1], [str("value"), 2], [str("other"), 3])], // differs at the third key
      [...head, ...rawMap([str("id"), 4], [str("x"), 5], [str("tag"), 6])], // at the second
      [...head, ...rawMap([str("q"), 7], [str("value"), 8], [str("tag"), 9])], // at the first
      [...head, ...rawMap([[0xd9, 2, 0x69, 0x64], 10], [str("value"), 11], [str("tag"), 12])], // "id" as a str8: other bytes, same key
      [...head, ...rawMap([str("id"), 13], [str("value"), 14], [str("tag"), 15])],
    );
    expect(readAll(codec, frame).map((e) => e[5])).toEqual([
      { id: 1, value: 2, other: 3 },
      { id: 4, x: 5, tag: 6 },
      { q: 7, value: 8, tag: 9 },
      { id: 10, value: 11, tag: 12 },
      { id: 13, value: 14, tag: 15 },
    ]);
  });

  it("refuses a __proto__ key and a map cut short inside a known key list, with WireError", () => {
    const codec = warmed();
    const evil = rawFrame([...head, 0x83, ...str("id"), 1, ...str("value"), 2, ...str("__proto__"), 0x80]);
    expect(() => readAll(codec, evil)).toThrow(/"__proto__" is refused/);
    expect(({} as Record<string, unknown>).id).toBeUndefined();
    const cut = rawFrame([...head, 0x83, ...str("id"), 1, ...str("value"), 2, 0xa3, 0x74, 0x61]); // "tag" without its last byte
    expect(() => readAll(codec, cut)).toThrow(WireError);
    expect(readAll(codec, rawFrame([...head, ...rawMap([str("id"), 3], [str("value"), 4], [str("tag"), 5])]))[0]![5]).toEqual({
      id: 3,
      value: 4,
      tag: 5,
    });
  });

  it("reads every integer width as the reader does, the unsigned ones up to 32 bits in the compiled reader itself", () => {
    const codec = warmed();
    const w = new FrameEncoder(codec.delegate);
    const edges = [
      0,
      1,
      127,
      128,
      255,
      256,
      65535,
      65536,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 53 - 1,
      -1,
      -32,
      -33,
      -129,
      -(2 ** 31),
      -0,
      0.5,
      1e300,
    ];
    const values = edges.flatMap((n, i) => [{ id: n, value: i, tag: "t" }, { id: i, value: n, tag: n }]);
    for (const v of values) w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", v);
    const back = readAll(codec, w.take()).map((e) => e[5] as Record<string, number>);
    expect(back).toEqual(values);
    expect(back.map((o) => Object.is(o.id, -0) || Object.is(o.value, -0))).toEqual(
      values.map((o) => Object.is(o.id, -0) || Object.is(o.value, -0)),
    );
  });

  it("refuses an unsigned integer cut off by the end of the frame, at every byte, with WireError (never a wrong number)", () => {
    const codec = warmed();
    // The last value of the map, so that nothing after it would notice a read past the end.
    const prefix = [...head, 0x83, ...str("id"), 1, ...str("value"), 2, ...str("tag")];
    const widths: [number[], number][] = [[[0xcc, 0xff], 0xff], [[0xcd, 0x12, 0x34], 0x1234], [[0xce, 0x12, 0x34, 0x56, 0x78], 0x12345678]];
    for (const [value, n] of widths) {
      for (let keep = 1; keep < value.length; keep++) {
        const cut = rawFrame([...prefix, ...value.slice(0, keep)]);
        expect(() => readAll(codec, cut), `${value.length}-byte value cut to ${keep}`).toThrow(WireError);
      }
      expect(readAll(codec, rawFrame([...prefix, ...value]))[0]![5]).toEqual({ id: 1, value: 2, tag: n });
    }
  });

  it("reads a short string value as the reader does: cut off at any byte a WireError, over the length limit refused", () => {
    const prefix = [...head, 0x83, ...str("id"), 1, ...str("value"), 2, ...str("tag")]; // the map's last value
    const codec = warmed();
    const tick = str("tick");
    for (let keep = 1; keep < tick.length; keep++) {
      expect(() => readAll(codec, rawFrame([...prefix, ...tick.slice(0, keep)])), `cut to ${keep} bytes`).toThrow(WireError);
    }
    expect(readAll(codec, rawFrame([...prefix, ...tick]))[0]![5]).toEqual({ id: 1, value: 2, tag: "tick" });
    expect(readAll(codec, rawFrame([...prefix, ...str("")]))[0]![5]).toEqual({ id: 1, value: 2, tag: "" });
    const utf8 = new TextEncoder().encode("é✓");
    expect(readAll(codec, rawFrame([...prefix, 0xa0 | utf8.length, ...utf8]))[0]![5]).toEqual({ id: 1, value: 2, tag: "é✓" });

    const limited = new Codec(refs, { maxStrLength: 5 }); // "value", the longest key, still fits
    const runs = Array.from(
      { length: COMPILE_AFTER + 2 },
      (_, i) => [...head, 0x83, ...str("id"), i, ...str("value"), 1, ...str("tag"), ...str("abcde")],
    );
    expect(readAll(limited, rawFrame(...runs)).map((e) => (e[5] as { tag: string }).tag)).toEqual(runs.map(() => "abcde"));
    expect(() => readAll(limited, rawFrame([...prefix, ...str("tickle")]))).toThrow(/a string of 6 bytes is over the limit of 5/);
  });

  it("reads every value once, also when a key differs after values were read", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder(codec.delegate);
    const values: Record<string, unknown>[] = [];
    for (let i = 0; i < COMPILE_AFTER * 2; i++) values.push({ a: new Counted(i), b: new Counted(-i), c: i });
    values.push({ a: new Counted(100), b: new Counted(101), d: 102 }, { a: new Counted(103), e: 104, c: 105 });
    for (const v of values) w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", v);
    const before = countedDecodes;
    const back = readAll(codec, w.take()).map((e) => e[5]);
    expect(back).toEqual(values);
    const sentCounted = values.reduce((n, v) => n + Object.values(v).filter((x) => x instanceof Counted).length, 0);
    expect(countedDecodes - before).toBe(sentCounted);
  });

  it("reads key lists it does not compile (a long key, past the compiled readers' budget) through the tree", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder(codec.delegate);
    const values: Record<string, number>[] = [];
    for (let i = 0; i < COMPILE_AFTER + 2; i++) values.push({ ["k".repeat(40)]: i, b: i });
    for (let list = 0; list < MAX_COMPILED_READERS + 20; list++) {
      for (let i = 0; i < COMPILE_AFTER + 1; i++) values.push({ [`l${list}`]: i, c: list });
    }
    for (const v of values) w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", v);
    expect(readAll(codec, w.take()).map((e) => e[5])).toEqual(values);
  });

  it("decodes runs of key lists that share prefixes, nested too, as they were sent (fast-check)", async () => {
    const fc = (await import("fast-check")).default;
    const codec = new Codec(refs); // one reader for every run: its compiled readers carry over
    const lists = [["id", "value", "tag"], ["id", "value", "other"], ["id", "x", "tag"], ["q", "value", "tag"], ["id", "value"], [
      "value",
      "id",
      "tag",
    ]];
    const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null), fc.constant(undefined));
    const shaped = (inner: import("fast-check").Arbitrary<unknown>) =>
      fc.tuple(fc.nat(lists.length - 1), fc.array(inner, { minLength: 4, maxLength: 4 })).map(([l, vs]) => {
        const o: Record<string, unknown> = {};
        lists[l]!.forEach((k, i) => (o[k] = vs[i]));
        return o;
      });
    const value = fc.oneof({ weight: 3, arbitrary: shaped(leaf) }, { weight: 1, arbitrary: shaped(shaped(leaf)) });
    const runs = fc.array(fc.tuple(value, fc.integer({ min: 1, max: 3 * COMPILE_AFTER })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(runs, (spec) => {
        const sent = spec.flatMap(([v, times]) => Array.from({ length: times }, () => v));
        const w = new FrameEncoder((v) => codec.encode(v));
        for (const v of sent) w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", v);
        const back = readAll(codec, w.take()).map((e) => e[5]) as Record<string, unknown>[];
        expect(back).toEqual(sent);
        for (const [i, o] of back.entries()) expect(Object.keys(o)).toEqual(Object.keys(sent[i]!));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe("frame reader: envelope fields", () => {
  it("reads integers in any msgpack encoding and remembers the message name only when the bytes match", () => {
    const codec = new Codec(refs);
    const frame = rawFrame(
      [0x96, 0xd0, 0x00, 0xcd, 0x04, 0x01, 0xcc, 0x05, 0xce, 0, 0, 0, 9, ...str("ab"), 1],
      [0x96, 0, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...str("abc"), 2],
      [0x96, 0, 1, 0, 0, ...str("ab"), 3],
      [0x96, 0, 1, 0, 0, 0xc0, 4],
      [0x96, 0, 1, 0, 0, 0xd9, 2, 0x61, 0x62, 5], // "ab" as str8: same string, other bytes
    );
    expect(readAll(codec, frame)).toEqual([
      [0, 1025, 5, 9, "ab", 1],
      [0, 2 ** 32, 0, 0, "abc", 2],
      [0, 1, 0, 0, "ab", 3],
      [0, 1, 0, 0, null, 4],
      [0, 1, 0, 0, "ab", 5],
    ]);
  });

  it("refuses negative or fractional fields and names that are not strings, with WireError", () => {
    const codec = new Codec(refs);
    for (
      const bad of [
        [0x96, 0xff, 1, 0, 0, ...str("m"), 1], // kind -1
        [0x96, 0, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0, ...str("m"), 1], // to 1.5
        [0x96, 0, 1, 0, 0, 0x07, 1], // name 7
        [0x95, 0, 1, 0, 0, ...str("m")], // five fields
      ]
    ) {
      expect(() => readAll(codec, rawFrame(bad))).toThrow(WireError);
    }
  });
});

describe("frame encoder: plain objects", () => {
  const roundTrip = (value: unknown): unknown => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", value);
    return readAll(codec, w.take())[0]![5];
  };

  it("writes objects of 0, 15, 16 and 17 keys and null-prototype objects", () => {
    for (const n of [0, 1, 15, 16, 17, 40]) {
      const o = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
      expect(roundTrip(o)).toEqual(o);
    }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: [2] });
    expect(roundTrip(bare)).toEqual({ a: 1, b: [2] });
  });

  it("refuses an own __proto__ key (JSON.parse makes them) and writes nothing", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "ok", 1);
    expect(() => w.writeEnvelope(Kind.Tell, 1025, 0, 0, "bad", { a: 1, nested: JSON.parse('{"x":1,"__proto__":2}') })).toThrow();
    expect(readAll(codec, w.take()).map((e) => e[5])).toEqual([1]);
  });

  it("writes only own keys when Object.prototype has an enumerable property", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = "yes";
    try {
      expect(roundTrip({ a: 1, b: { c: 2 } })).toEqual({ a: 1, b: { c: 2 } });
      expect(Object.keys(roundTrip({ a: 1 }) as object)).toEqual(["a"]);
    } finally {
      delete proto.polluted;
    }
  });

  it("writes remembered keys of every length, numbers at every width's edges and short strings as the generic path reads them", () => {
    // Keys of 0 to 12 chars (the ones of up to 8 bytes with their header are written as two
    // words), multi-byte and uncached long keys, in runs so that each slot is hit again,
    // over enough envelopes that the frame's buffer grows between a key and its value.
    const keys = [...Array.from({ length: 13 }, (_, n) => "k".repeat(n)), "é", "ключ", "x".repeat(65)];
    const numbers = [0, -0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 2 ** 32 - 1, 2 ** 32, -1, -0x20, -0x21, 1.5, NaN, 2 ** 53];
    const strings = ["", "tick", "x".repeat(31), "y".repeat(32), "é", `${"a".repeat(30)}é`];
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    const sent: unknown[] = [];
    for (let i = 0; i < 600; i++) {
      const run = Math.floor(i / 3); // each key list three times in a row
      const o: Record<string, unknown> = {};
      for (let j = 0; j < 4; j++) {
        o[keys[(run + j * 5) % keys.length]!] = j % 2 === 0 ? numbers[(i + j) % numbers.length] : strings[(i + j) % strings.length];
      }
      o.nested = { [keys[run % keys.length]!]: numbers[i % numbers.length] };
      sent.push(o);
      w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", o);
    }
    const back = readAll(codec, w.take()).map((e) => e[5]);
    expect(back).toEqual(sent); // toEqual tells -0 from 0 and sees NaN as NaN
  });

  it("writes a remembered key that lands on the last bytes of the frame's buffer (the buffer grows first)", () => {
    // After a frame is taken, the next one's buffer is sized by it; padding the value
    // before the key by one more char each time puts the key's two words across the end.
    const key = "k".repeat(7); // 8 bytes with its header: written as two words
    for (let pad = 4080; pad < 4160; pad++) {
      const codec = new Codec(refs);
      const w = new FrameEncoder((v) => codec.encode(v));
      w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", { p: "", [key]: 1 });
      w.take();
      const padded = { p: "x".repeat(pad), [key]: 2 };
      w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", padded);
      expect(readAll(codec, w.take())[0]![5]).toEqual(padded);
    }
  });

  it("reuses remembered key and name bytes only for the same strings", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    const values = [{ a: 1, b: 2 }, { a: 3, c: 4 }, { b: 5, a: 6 }, { a: { a: 7, b: 8 } }, { ab: 9 }];
    const names = ["x", "x", "y", "x", "xy"];
    values.forEach((v, i) => w.writeEnvelope(Kind.Tell, 1025, 0, 0, names[i]!, v));
    const back = readAll(codec, w.take());
    expect(back.map((e) => e[4])).toEqual(names);
    expect(back.map((e) => e[5])).toEqual(values);
  });
});

describe("string frames", () => {
  it("carry every byte value, and frames read from one slab stay intact", () => {
    const reader = new StringFrameReader();
    const frames = Array.from(
      { length: 200 },
      (_, i) => Uint8Array.from({ length: 1 + ((i * 37) % STRING_FRAME_BYTES) }, (_, j) => (i + j * 7) & 0xff),
    );
    const back = frames.map((f) => reader.read(frameToString(f)));
    back.forEach((b, i) => expect(b).toEqual(frames[i]));
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(reader.read(frameToString(all))).toEqual(all);
  });

  it("refuses a char over 255 with WireError, and reads the header count of any string", () => {
    expect(() => new StringFrameReader().read("\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0100")).toThrow(WireError);
    expect(stringFrameCount("\u0003\u0001\u0000\u0000\u0000\u0000\u0000\u0000")).toBe(259);
    expect(stringFrameCount("\u0003")).toBe(0);
  });

  it("lets the encoder write the next frame into a recycled buffer, and only into that one", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "a", { x: 1 });
    const first = w.take();
    const text = frameToString(first);
    w.recycle(first);
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "b", { x: 2 });
    const second = w.take();
    expect(second.buffer).toBe(first.buffer); // reused…
    expect(readAll(codec, new StringFrameReader().read(text))[0]![5]).toEqual({ x: 1 }); // …after the copy was made
    expect(readAll(codec, second)[0]![4]).toBe("b");
    // A frame that was not given back (transferred) is never written again.
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "c", 3);
    const third = w.take();
    expect(third.buffer).not.toBe(second.buffer);
    w.recycle(first); // not the last frame taken: ignored
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "d", 4);
    expect(w.take().buffer).not.toBe(first.buffer);
  });
});

describe("same-loop copies (codec.copyEnvelope)", () => {
  it("hands out copies that later copies never overwrite, extension types included", () => {
    const codec = new Codec(refs);
    const payload = (b: number) => ({
      bytes: new Uint8Array([b, b, b]),
      m: new Map([[1, new Uint8Array([b])]]),
      s: new Set([new Uint8Array([b, b])]),
      e: Object.assign(new Error("x"), { data: new Uint8Array([b]) }),
    });
    const first = codec.copyEnvelope(Kind.Tell, 1025, 0, 0, "m", payload(1), 1 << 20) as Envelope;
    for (let b = 2; b < 50; b++) codec.copyEnvelope(Kind.Tell, 1025, 0, 0, "m", payload(b), 1 << 20);
    const got = first[5] as ReturnType<typeof payload>;
    expect(got.bytes).toEqual(new Uint8Array([1, 1, 1]));
    expect(got.m.get(1)).toEqual(new Uint8Array([1]));
    expect([...got.s][0]).toEqual(new Uint8Array([1, 1]));
    expect((got.e as unknown as { data: Uint8Array }).data).toEqual(new Uint8Array([1]));
  });

  it("is a copy: the sender's object is not shared", () => {
    const codec = new Codec(refs);
    const sent = { list: [1, 2], inner: { a: 1 } };
    const copy = (codec.copyEnvelope(Kind.Tell, 1025, 0, 0, "m", sent, 1 << 20) as Envelope)[5] as typeof sent;
    sent.list.push(3);
    sent.inner.a = 2;
    expect(copy).toEqual({ list: [1, 2], inner: { a: 1 } });
  });

  it("reports an oversized or unencodable payload and leaves nothing behind for the next copy", () => {
    const codec = new Codec(refs);
    expect(() => codec.copyEnvelope(Kind.Tell, 1025, 0, 0, "m", "x".repeat(2000), 1000)).toThrow(/over the limit of 1000 bytes/);
    expect(() => codec.copyEnvelope(Kind.Tell, 1025, 0, 0, "m", { f: () => 1 }, 1 << 20)).toThrow();
    expect(codec.copyEnvelope(Kind.Tell, 1025, 0, 3, "ok", { a: 1 }, 1 << 20)).toEqual([Kind.Tell, 1025, 0, 3, "ok", { a: 1 }]);
  });
});

describe("frames: an envelope like the one before it is written as a repeat [id, payload]", () => {
  const header = (frame: Uint8Array, offsets: number[]) => offsets.map((o) => frame[o]);

  it("writes a run to one actor as one whole envelope and repeats, and reads it back whole", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    const a = w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", 1);
    const b = w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", 2);
    const c = w.writeEnvelope(Kind.Ask, 1025, 2049, 300, "add", 3); // another kind: whole again
    const d = w.writeEnvelope(Kind.Ask, 1025, 2049, 301, "add", 4);
    const frame = w.take();
    // [0x96, 0, cd 04 01, cd 08 01, 0, a3 "add", 1], [0x92, 0, 2], then ids 300 and 301 as uint16 (3 bytes)
    expect([a, b, c, d]).toEqual([14, 3, 16, 5]);
    expect(header(frame, [8, 8 + a, 8 + a + b, 8 + a + b + c])).toEqual([0x96, 0x92, 0x96, 0x92]);
    expect(readAll(codec, frame)).toEqual([
      [Kind.Tell, 1025, 2049, 0, "add", 1],
      [Kind.Tell, 1025, 2049, 0, "add", 2],
      [Kind.Ask, 1025, 2049, 300, "add", 3],
      [Kind.Ask, 1025, 2049, 301, "add", 4],
    ]);
  });

  it("refuses a message over maxBytes the same way whether it is written whole or as a repeat", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    const payload = { text: "x".repeat(100) };
    const whole = codec.encodeEnvelope(Kind.Tell, 1025, 2049, 0, "add", payload).byteLength;
    const failure = () => {
      try {
        w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", payload, whole - 1);
      } catch (e) {
        return (e as Error).message;
      }
      return "written";
    };
    const first = failure(); // nothing in the frame yet: it would be written whole
    expect(first).toMatch(new RegExp(`${whole} bytes encoded, over the limit of ${whole - 1} bytes`));
    expect(w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", payload, whole)).toBe(whole); // fits exactly, whole
    expect(failure()).toBe(first); // as a repeat: the same refusal
    expect(w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", payload, whole)).toBeLessThan(whole); // fits, as a repeat
    // A size refusal inside the payload (certain before it is written) counts the omitted fields too.
    expect(() => w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", "y".repeat(whole), whole)).toThrow(
      /at least \d+ bytes encoded, over the limit of \d+ bytes/,
    );
    expect(readAll(codec, w.take()).map((e) => e[5])).toEqual([payload, payload]);
  });

  it("keeps the run through a failed write and restarts it after an envelope appended whole", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    const throwing = {
      get boom(): number {
        throw new Error("getter");
      },
    };
    w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", 1);
    expect(() => w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", throwing)).toThrow(/getter/);
    expect(() => w.writeEnvelope(Kind.Tell, 3073, 2049, 0, "sub", throwing)).toThrow(/getter/); // another run, failed
    w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", 2); // still a repeat of the first
    w.appendEncoded(new FrameEncoder((v) => codec.encode(v)).encodeEnvelope(Kind.Tell, 3073, 2049, 0, "sub", 3));
    w.writeEnvelope(Kind.Tell, 3073, 2049, 0, "sub", 4); // the appended one's fields are not known: whole
    w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", 5);
    expect(readAll(codec, w.take())).toEqual([
      [Kind.Tell, 1025, 2049, 0, "add", 1],
      [Kind.Tell, 1025, 2049, 0, "add", 2],
      [Kind.Tell, 3073, 2049, 0, "sub", 3],
      [Kind.Tell, 3073, 2049, 0, "sub", 4],
      [Kind.Tell, 1025, 2049, 0, "add", 5],
    ]);
    // A new frame starts whole, whatever the last one ended with.
    w.writeEnvelope(Kind.Tell, 1025, 2049, 0, "add", 6);
    const next = w.take();
    expect(next[8]).toBe(0x96);
    expect(readAll(codec, next)).toEqual([[Kind.Tell, 1025, 2049, 0, "add", 6]]);
  });

  it("refuses a repeat with no whole envelope before it in its frame (WireError), also after a frame that had one", () => {
    const codec = new Codec(refs);
    const whole = [0x96, 0, 0xcd, 0x04, 0x01, 0, 0, ...str("add"), 1];
    expect(readAll(codec, rawFrame(whole, [0x92, 0, 2]))).toEqual([[0, 1025, 0, 0, "add", 1], [0, 1025, 0, 0, "add", 2]]);
    expect(() => readAll(codec, rawFrame([0x92, 0, 2]))).toThrow(WireError);
    expect(() => readAll(codec, rawFrame([0x92, 0, 2]))).toThrow(/repeated envelope \[id, payload\] at offset 8 with no whole envelope/);
  });

  it("reads back any sequence of envelopes, cut into frames anywhere (fast-check)", async () => {
    const fc = (await import("fast-check")).default;
    const codec = new Codec(refs);
    const envelope = fc.tuple(
      fc.constantFrom(Kind.Tell, Kind.Ask, Kind.Reply),
      fc.constantFrom(1025, 2049, 1 << 20),
      fc.constantFrom(0, 2049, 70_000),
      fc.oneof(fc.constant(0), fc.nat({ max: 1 << 20 })),
      fc.constantFrom("add", "sub", null),
      fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(undefined), fc.record({ id: fc.nat(), tag: fc.string() })),
      fc.nat({ max: 9 }), // 0: the frame ends after it; 1: it is appended as encoded elsewhere
    );
    fc.assert(
      fc.property(fc.array(envelope, { minLength: 1, maxLength: 40 }), (envelopes) => {
        const w = new FrameEncoder((v) => codec.encode(v));
        const other = new FrameEncoder((v) => codec.encode(v));
        const back: Envelope[] = [];
        for (const [kind, to, from, id, name, payload, cut] of envelopes) {
          if (cut === 1) w.appendEncoded(other.encodeEnvelope(kind, to, from, id, name, payload));
          else w.writeEnvelope(kind, to, from, id, name, payload);
          if (cut === 0) back.push(...readAll(codec, w.take()));
        }
        if (w.count !== 0) back.push(...readAll(codec, w.take()));
        expect(back).toEqual(envelopes.map(([kind, to, from, id, name, payload]) => [kind, to, from, id, name, payload]));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

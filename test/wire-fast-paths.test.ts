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
import { MAX_SHAPE_NODES } from "../src/wire/object-shapes.ts";
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

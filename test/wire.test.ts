/**
 * The wire on its own: frames, envelopes, extension types, and bad bytes.
 */
import { describe, expect, it } from "vitest";
import { WireError } from "../mod.ts";
import { Codec } from "../src/wire/codec.ts";
import { type Envelope, Kind } from "../src/wire/envelope.ts";
import { FrameEncoder } from "../src/wire/frame-encoder.ts";

const refs = {
  isRef: () => false,
  toWire: (): [number, number, number, string] => [0, 0, 0, ""],
  fromWire: () => ({}),
};

function frameOf(codec: Codec, envelopes: Envelope[]): Uint8Array {
  const writer = new FrameEncoder((v) => codec.encode(v));
  for (const e of envelopes) writer.appendEncoded(codec.encodeEnvelope(...e));
  return writer.take();
}

function readAll(codec: Codec, frame: Uint8Array): Envelope[] {
  const cursor = codec.openFrame(frame);
  const out: Envelope[] = [];
  for (let env = cursor.next(); env !== null; env = cursor.next()) out.push(env);
  return out;
}

describe("wire", () => {
  it("round-trips a batch of envelopes in one frame, in order", () => {
    const codec = new Codec(refs);
    const envelopes: Envelope[] = Array.from({ length: 1000 }, (_, i) => [Kind.Tell, 1025, 0, 0, "inc", { i, s: "x".repeat(i % 7) }]);
    const frame = frameOf(codec, envelopes);
    expect(readAll(codec, frame)).toEqual(envelopes);
  });

  it("grows the frame buffer for large payloads and starts the next frame fresh", () => {
    const codec = new Codec(refs);
    const writer = new FrameEncoder((v) => codec.encode(v));
    writer.appendEncoded(codec.encodeEnvelope(Kind.Tell, 1, 0, 0, "big", new Uint8Array(100_000)));
    const first = writer.take();
    expect(first.byteLength).toBeGreaterThan(100_000);
    writer.appendEncoded(codec.encodeEnvelope(Kind.Tell, 1, 0, 0, "small", 1));
    const second = writer.take();
    expect(second.buffer).not.toBe(first.buffer);
    expect(readAll(codec, second)).toEqual([[Kind.Tell, 1, 0, 0, "small", 1]]);
  });

  it("rejects truncated and garbage frames with WireError, and decodes the next good frame", () => {
    const codec = new Codec(refs);
    const good = frameOf(codec, [[Kind.Tell, 1, 0, 0, "a", 1], [Kind.Tell, 1, 0, 0, "b", 2]]);
    const truncated = good.slice(0, good.byteLength - 2);
    expect(() => readAll(codec, truncated)).toThrow(WireError);
    expect(() => readAll(codec, new Uint8Array([1, 0]))).toThrow(WireError);
    const garbage = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0xc1, 0xff, 0x00]);
    expect(() => readAll(codec, garbage)).toThrow(WireError);
    const notEnvelope = new FrameEncoder((v) => codec.encode(v));
    notEnvelope.appendEncoded(codec.encode({ hello: "world" }));
    expect(() => readAll(codec, notEnvelope.take())).toThrow(/not \[kind, to, from, id, name, payload\]/);
    // The codec is still usable.
    expect(readAll(codec, good).map((e) => e[4])).toEqual(["a", "b"]);
  });

  it("encodes Map, Set, bigint, Date, ArrayBuffer and errors as extension types", () => {
    const codec = new Codec(refs);
    const value = {
      m: new Map([[1, "a"]]),
      s: new Set(["x"]),
      b: -(2n ** 70n),
      d: new Date(0),
      ab: new Uint8Array([9, 8]).buffer,
      e: new RangeError("r"),
    };
    const back = codec.decode(codec.encode(value)) as typeof value;
    expect(back.m).toEqual(value.m);
    expect(back.s).toEqual(value.s);
    expect(back.b).toBe(value.b);
    expect(back.d).toEqual(value.d);
    expect(new Uint8Array(back.ab)).toEqual(new Uint8Array([9, 8]));
    expect(back.e).toBeInstanceOf(RangeError);
    expect(back.e.message).toBe("r");
  });
});

describe("frame encoder", () => {
  it("writes what the decoder reads back, for any mix of values (fast-check)", async () => {
    const fc = (await import("fast-check")).default;
    const codec = new Codec(refs);
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.maxSafeInteger(),
        fc.maxSafeNat(),
        fc.constant(-0),
        fc.boolean(),
        fc.constant(null),
        fc.string(),
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.string({ minLength: 31, maxLength: 300 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.bigInt(),
        fc.date({ noInvalidDate: true }),
      ),
      node: fc.oneof(
        { depthSize: "small" },
        tie("leaf"),
        fc.array(tie("node"), { maxLength: 20 }),
        fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => k !== "__proto__"), tie("node"), { maxKeys: 20 }),
        fc.constant(new Map([[1, "a"]])),
      ),
    })).node;
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 10 }), (values) => {
        const w = new FrameEncoder((v) => codec.encode(v));
        for (const [i, v] of values.entries()) w.writeEnvelope(Kind.Tell, 1025 + i, 7, i, "m", v);
        const back = readAll(codec, w.take(3));
        expect(back.map((e) => e[5])).toEqual(values.map((v) => codec.decode(codec.encode(v))));
        expect(back.map((e) => e[3])).toEqual(values.map((_, i) => i));
      }),
      { seed: Number(process.env.MISSIVE_SEED ?? 20261121), numRuns: 500 },
    );
  });

  it("keeps a short string that lands at the very end of the buffer (regression)", () => {
    const codec = new Codec(refs);
    for (let pad = 990; pad < 1010; pad++) {
      const w = new FrameEncoder((v) => codec.encode(v));
      w.writeEnvelope(Kind.Tell, 1025, 0, 0, "put", ["x".repeat(pad), "a27"]);
      expect(readAll(codec, w.take())[0]![5]).toEqual(["x".repeat(pad), "a27"]);
    }
  });

  it("leaves the frame unchanged when a payload cannot be encoded", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "ok", 1);
    expect(() => w.writeEnvelope(Kind.Tell, 1025, 0, 0, "bad", { f: () => 1 })).toThrow();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => w.writeEnvelope(Kind.Tell, 1025, 0, 0, "bad", cyclic)).toThrow(/nested deeper than 100 levels/);
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "ok", 2);
    expect(readAll(codec, w.take()).map((e) => e[5])).toEqual([1, 2]);
  });
});

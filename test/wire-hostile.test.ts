/**
 * Hostile and edge-case payloads (issue 9, hardening): the sender refuses exactly what the
 * receiver would refuse, with a typed error at the call and nothing else in the frame lost;
 * error cause chains encode in linear time and cycles are refused; values that throw when
 * read give `MessageEncodeError` with the path; -0, invalid dates, `undefined`, lone
 * surrogates and null prototypes arrive as they were sent; a message certain to be too
 * large fails before it is encoded. The seed of the property tests is fixed (override with
 * MISSIVE_SEED); fast-check prints it with any counterexample.
 */
import { delivered, diff } from "./fixtures/wire-compare.ts";
import { Decoder } from "@msgpack/msgpack";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, MessageEncodeError, MessageTooLargeError, runtimeName, WireError } from "../mod.ts";
import { Codec } from "../src/wire/codec.ts";
import { EncodeFailure } from "../src/wire/encode-failure.ts";
import { type Envelope, Kind } from "../src/wire/envelope.ts";
import { MAX_DEPTH } from "../src/wire/format.ts";
import { FrameEncoder } from "../src/wire/frame-encoder.ts";
import { findUnencodable } from "../src/wire/unencodable.ts";
import { BoundedKeeper, causeChain, depthOf, hostile, Keeper, nested, type Outcome, Sender } from "./fixtures/wire-hostile.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const LIMIT = 64 * 1024;
const refs = {
  isRef: () => false,
  toWire: (): [number, number, number, string] => [0, 0, 0, ""],
  fromWire: () => ({}),
};

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2, maxMessageBytes: LIMIT });
});
afterAll(async () => {
  await system.shutdown();
});

/** What `fn` threw (fails the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

const deepPath = (n: number, step = "[0]"): string => "arg" + step.repeat(n);

function readAll(codec: Codec, frame: Uint8Array): Envelope[] {
  const cursor = codec.openFrame(frame);
  const out: Envelope[] = [];
  for (let env = cursor.next(); env !== null; env = cursor.next()) out.push(env);
  return out;
}

describe(`payload depth on ${runtimeName}: the sender refuses what the receiver would`, () => {
  it(`counts the envelope: a payload ${MAX_DEPTH - 1} deep goes, ${MAX_DEPTH} deep throws MessageEncodeError at tell, and the rest of the frame arrives`, async () => {
    const k = await system.spawn(Keeper, undefined, { worker: 0 });
    k.tell("keep", nested(MAX_DEPTH - 1));
    const err = thrown(() => k.tell("keep", nested(MAX_DEPTH)));
    expect(err).toBeInstanceOf(MessageEncodeError);
    expect((err as MessageEncodeError).path).toBe(deepPath(MAX_DEPTH - 1));
    expect((err as MessageEncodeError).reason).toBe(`nested deeper than ${MAX_DEPTH} levels`);
    k.tell("keep", nested(3));
    await expect(k.ask("keep", nested(MAX_DEPTH))).rejects.toBeInstanceOf(MessageEncodeError);
    expect(await k.ask("depths")).toEqual([MAX_DEPTH - 1, 3]);
  });

  it("refuses the same depth on a worker, to an actor on its own worker (the copy path) and on another", async () => {
    const s = await system.spawn(Sender, undefined, { worker: 0 });
    for (const worker of [0, 1]) {
      const k = await system.spawn(Keeper, undefined, { worker });
      const outcomes = await s.ask("tellNested", { to: k, depths: [MAX_DEPTH - 1, MAX_DEPTH, 5] });
      expect(outcomes[0]).toBe("ok");
      expect(outcomes[1]).toMatchObject({
        name: "MessageEncodeError",
        path: deepPath(MAX_DEPTH - 1),
        reason: `nested deeper than ${MAX_DEPTH} levels`,
      });
      expect(outcomes[2]).toBe("ok");
      expect(await k.ask("depths")).toEqual([MAX_DEPTH - 1, 5]); // the sender flushed k before it replied
    }
  });

  it(`fails an ask whose reply is ${MAX_DEPTH} deep with MessageEncodeError (it used to never settle)`, async () => {
    const s = await system.spawn(Sender, undefined, { worker: 1 });
    expect(depthOf(await s.ask("nested", MAX_DEPTH - 1))).toBe(MAX_DEPTH - 1);
    const err = await s.ask("nested", MAX_DEPTH).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessageEncodeError);
    expect((err as MessageEncodeError).path).toBe(deepPath(MAX_DEPTH - 1));
  });

  it("refuses a payload that is too deep at `send` to a bounded actor (encoded before it waits)", async () => {
    const b = await system.spawn(BoundedKeeper, undefined, { worker: 1 });
    await expect(b.send("keep", nested(MAX_DEPTH))).rejects.toBeInstanceOf(MessageEncodeError);
    await b.send("keep", nested(MAX_DEPTH - 1));
    expect(await b.ask("depths")).toEqual([MAX_DEPTH - 1]);
  });

  it("counts depth inside Map, Set and Error contents as it does outside", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    // Map at depth 2, its contents at 3: a value nested n deep inside goes down to 2 + n.
    for (
      const [wrap, step] of [
        [(v: unknown) => new Map([["k", v]]), '.get("k")'],
        [(v: unknown) => new Set([v]), ".<item 0>"],
        [(v: unknown) => new Error("e", { cause: v }), ".cause"],
        [(v: unknown) => Object.assign(Object.create(null) as object, { k: v }), ".k"],
      ] as const
    ) {
      w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", wrap(nested(MAX_DEPTH - 2)));
      const f = thrown(() => w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", wrap(nested(MAX_DEPTH - 1))));
      expect(f).toBeInstanceOf(EncodeFailure);
      expect((f as EncodeFailure).kind).toBe("depth");
      const payload = wrap(nested(MAX_DEPTH - 1));
      expect(findUnencodable(payload, "arg", () => false, thrown(() => codec.encodeEnvelope(Kind.Tell, 1025, 0, 0, "m", payload)))?.path)
        .toBe("arg" + step + "[0]".repeat(MAX_DEPTH - 2));
    }
    expect(readAll(codec, w.take()).length).toBe(4);
  });

  it("counts a ref as the array its data is, on both sides", () => {
    class FakeRef {}
    const codec = new Codec({ isRef: (v) => v instanceof FakeRef, toWire: () => [0, 1, 2, "r"], fromWire: () => new FakeRef() });
    const w = new FrameEncoder((v) => codec.encode(v));
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", nested(MAX_DEPTH - 2, new FakeRef())); // the ref at depth 100
    expect(readAll(codec, w.take())[0]![5]).toEqual(nested(MAX_DEPTH - 2, new FakeRef()));
    const f = thrown(() => w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", nested(MAX_DEPTH - 1, new FakeRef())));
    expect((f as EncodeFailure).kind).toBe("depth");
  });

  it("has the reader refuse, with WireError, depth hidden inside a Map's data (hand-built frame)", () => {
    const codec = new Codec(refs);
    // Encoded on its own the Map is at depth 1 and passes; inside an envelope it is at 2.
    for (const [n, ok] of [[MAX_DEPTH - 2, true], [MAX_DEPTH - 1, false]] as const) {
      const map = codec.encode(new Map([[1, nested(n)]]));
      const frame = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0x96, 0, 1, 0, 0, 0xc0, ...map]);
      if (ok) expect(depthOf((readAll(codec, frame)[0]![5] as Map<number, unknown>).get(1))).toBe(n);
      else expect(() => readAll(codec, frame)).toThrow(/nested deeper than 100 levels/);
    }
  });
});

describe(`error cause chains on ${runtimeName}`, () => {
  it("encodes a long cause chain in linear time and it arrives whole (60 levels would take 2^60 probes before)", async () => {
    const codec = new Codec(refs);
    const back = codec.decode(codec.encode(causeChain(60))) as Error;
    expect(diff(back, causeChain(60))).toBe("");
    const e = await system.spawn(Sender, undefined, { worker: 0 });
    const chain = await e.ask("causeChain", 40);
    expect(diff(chain, causeChain(40))).toBe("");
    let innermost = chain as Error;
    while (innermost.cause !== undefined) innermost = innermost.cause as Error;
    expect(innermost).toBeInstanceOf(RangeError);
  });

  it("refuses a cause chain past the depth limit with MessageEncodeError", async () => {
    const k = await system.spawn(Keeper, undefined, { worker: 1 });
    k.tell("keep", causeChain(MAX_DEPTH - 1));
    const err = thrown(() => k.tell("keep", causeChain(MAX_DEPTH)));
    expect(err).toBeInstanceOf(MessageEncodeError);
    expect((err as MessageEncodeError).path).toBe(deepPath(MAX_DEPTH - 1, ".cause"));
    expect((await k.ask("depths")).length).toBe(1);
  });

  it("refuses an error that is its own cause, or a cycle through its fields, as a cycle", async () => {
    const self = new Error("self");
    (self as { cause?: unknown }).cause = self;
    const viaField = Object.assign(new Error("field"), { data: {} as Record<string, unknown> });
    viaField.data.back = viaField;
    const viaCause = new Error("a", { cause: new Error("b") });
    (viaCause.cause as { cause?: unknown }).cause = viaCause;
    const k = await system.spawn(Keeper, undefined, { worker: 0 });
    for (const [value, path] of [[self, "arg.cause"], [viaField, "arg.data.back"], [viaCause, "arg.cause.cause"]] as const) {
      const err = thrown(() => k.tell("keep", value));
      expect(err).toBeInstanceOf(MessageEncodeError);
      expect((err as MessageEncodeError).path).toBe(path);
      expect((err as MessageEncodeError).reason).toBe("a cycle (it refers back to arg)");
    }
  });

  it("settles an ask whose handler throws an error that is its own cause (it used to block the worker)", async () => {
    const s = await system.spawn(Sender, undefined, { worker: 1 });
    await expect(s.ask("throwCyclic")).rejects.toThrow(/I am my own cause/);
    expect(depthOf(await s.ask("nested", 2))).toBe(2); // the worker goes on
  });
});

describe(`values that throw when read on ${runtimeName}`, () => {
  const cases = [
    ["getter", "arg.bad", "Error: getter boom"],
    ["ownKeys", "arg.p", "Error: ownKeys boom"],
    ["revoked", "arg.list[1]", "TypeError"],
    ["revokedRoot", "arg", "TypeError"],
    ["getTrap", 'arg.m.get("k")[1]', "TypeError: get trap boom"],
    ["errorField", "arg.detail", "Error: field boom"],
  ] as const;

  it("give MessageEncodeError with the path and the original error as cause, at tell and ask", async () => {
    const k = await system.spawn(Keeper, undefined, { worker: 0 });
    for (const [kind, path, cause] of cases) {
      const err = thrown(() => k.tell("keep", hostile(kind)));
      expect(err, kind).toBeInstanceOf(MessageEncodeError);
      expect((err as MessageEncodeError).path, kind).toBe(path);
      expect((err as MessageEncodeError).reason, kind).toMatch(/^unreadable \(reading it threw /);
      const original = (err as MessageEncodeError).cause as Error;
      expect(`${original.name}: ${original.message}`.startsWith(cause), kind).toBe(true);
      await expect(k.ask("keep", hostile(kind))).rejects.toBeInstanceOf(MessageEncodeError);
    }
    k.tell("keep", 1);
    expect(await k.ask("take")).toEqual([1]);
  });

  it("give MessageEncodeError on a worker too: to its own worker, to another, and as a reply", async () => {
    const s = await system.spawn(Sender, undefined, { worker: 1 });
    const near = await system.spawn(Keeper, undefined, { worker: 1 });
    const far = await system.spawn(Keeper, undefined, { worker: 0 });
    for (const [kind, path, cause] of cases) {
      for (const to of [near, far]) {
        const outcome = (await s.ask("tellHostile", { to, kind })) as Outcome;
        expect(outcome, kind).toMatchObject({ name: "MessageEncodeError", path });
        expect(outcome.cause?.startsWith(cause), kind).toBe(true);
      }
      const err = await s.ask("hostile", kind).catch((e: unknown) => e);
      expect(err, kind).toBeInstanceOf(MessageEncodeError);
      expect((err as MessageEncodeError).path, kind).toBe(path);
    }
  });

  it("never make findUnencodable throw, with or without the encoder's error", () => {
    for (const [kind, path] of cases) {
      const value = hostile(kind);
      expect(findUnencodable(value, "arg", () => false)?.path, kind).toBe(path);
      expect(findUnencodable(value, "arg", () => false, new Error("not the encoder's")).path, kind).toBe(path);
    }
    const weird = {
      get toString(): never {
        throw new Error("no");
      },
    };
    expect(findUnencodable({ a: 1 }, "arg", () => false, weird)).toMatchObject({ path: "arg" });
    const trap = new Proxy({}, {
      getPrototypeOf(): never {
        throw new Error("trap");
      },
    });
    expect(findUnencodable({ a: 1 }, "arg", () => false, trap)).toMatchObject({ path: "arg" });
    class Widget {}
    const throwingHasCodec = (): boolean => {
      throw new Error("hasCodec boom");
    };
    const found = findUnencodable({ w: new Widget() }, "arg", throwingHasCodec, new Error("x"));
    expect(found.path).toBe("arg.w");
    expect(found.reason).toMatch(/hasCodec boom/);
  });
});

describe(`what arrives as it was sent on ${runtimeName}`, () => {
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, {
    a: 1,
    inner: Object.assign(Object.create(null) as object, { b: [2] }),
  });
  const withUndefinedCause = new Error("u", { cause: undefined });
  const samples: [string, unknown][] = [
    ["-0", -0],
    ["-0 inside", [-0, { z: -0 }, new Map([[-1, -0]])]],
    ["NaN and infinities", [NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 63), 0.1]],
    ["invalid Date", new Date(NaN)],
    ["dates", [new Date(0), new Date(-1), new Date(8.64e15), new Date(-8.64e15), new Date(1_700_000_000_123)]],
    ["undefined items", [undefined, 1, undefined]],
    ["undefined values", { a: undefined, b: 1 }],
    ["lone surrogates", ["\ud800", "a\udc00b", "\udbff\udfff", `${"x".repeat(40)}\ud800`, "é\ud800"]],
    ["lone surrogate keys", { "\ud800": 1, ok: 2, [`k${"\udfff"}`]: 3 }],
    ["null prototype", nullProto],
    ["error with an undefined cause", withUndefinedCause],
    ["bigint, bytes", [2n ** 70n, -5n, new Uint8Array([1, 2, 3]), new Uint8Array([7]).buffer]],
  ];

  it("keeps -0, invalid dates, undefined, lone surrogates and null prototypes through every path (fast-check below covers mixes)", async () => {
    const codec = new Codec(refs);
    const s = await system.spawn(Sender, undefined, { worker: 0 });
    const near = await system.spawn(Keeper, undefined, { worker: 0 });
    const e = await system.spawn(Keeper, undefined, { worker: 1 });
    for (const [what, value] of samples) {
      expect(diff(codec.decode(codec.encode(value)), value), `${what}: Codec.encode`).toBe("");
      expect(diff((codec.copyEnvelope(Kind.Tell, 1025, 0, 0, "m", value, LIMIT) as Envelope)[5], value), `${what}: same-loop copy`).toBe(
        "",
      );
      e.tell("keep", value); // main → worker, and back as a reply
      await s.ask("forward", { to: near, value }); // main → worker, then a same-worker copy (flushed)
    }
    const far = await e.ask("take");
    const copied = await near.ask("take");
    samples.forEach(([what, value], i) => {
      expect(diff(far[i], value), `${what}: across workers`).toBe("");
      expect(diff(copied[i], value), `${what}: forwarded on a worker`).toBe("");
    });
  });

  it("documents what still changes: holes become undefined, symbol keys are left out; a missing argument stays undefined", async () => {
    const k = await system.spawn(Keeper, undefined, { worker: 1 });
    const sym = Symbol("s");
    k.tell("keep", [, 1]); // eslint-disable-line no-sparse-arrays
    k.tell("keep", { [sym]: 1, a: 2 });
    k.tell("keep", undefined);
    const [holes, symbols, missing] = await k.ask("take");
    expect(diff(holes, [undefined, 1])).toBe("");
    expect(0 in (holes as unknown[])).toBe(true);
    expect(diff(symbols, { a: 2 })).toBe("");
    expect(missing).toBe(undefined);
  });

  it("writes the same bytes through the frame (a repeat after the first) and on its own, reads back what was sent, and stays standard msgpack (fast-check)", () => {
    const codec = new Codec(refs);
    // A stock msgpack decoder (our extension types come out as ExtData, also as map keys).
    const stock = new Decoder({ mapKeyConverter: (k) => (typeof k === "string" || typeof k === "number" ? k : String(k)) });
    const lone = fc.constantFrom("\ud800", "\udfff", "a\udbffb", "\udc00\ud800");
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: "grapheme", maxLength: 20 }),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.tuple(fc.string({ maxLength: 40 }), lone).map(([a, b]) => a + b),
    );
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.constant(-0),
        fc.constant(NaN),
        fc.maxSafeInteger(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        text,
        fc.bigInt(),
        fc.uint8Array({ maxLength: 40 }),
        fc.date(),
        fc.constant(new Date(NaN)),
      ),
      node: fc.oneof(
        { depthSize: "small" },
        tie("leaf"),
        fc.array(tie("node"), { maxLength: 8 }),
        fc.array(tie("node"), { minLength: 1, maxLength: 8 }).chain((a) =>
          fc.nat({ max: a.length - 1 }).map((i) => {
            const holey = a.slice();
            delete holey[i];
            return holey;
          })
        ),
        fc.dictionary(text.filter((k) => k !== "__proto__"), tie("node"), { maxKeys: 8 }),
        fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => k !== "__proto__"), tie("node"), { maxKeys: 5, noNullPrototype: false }),
        fc.array(fc.tuple(tie("leaf"), tie("node")), { maxLength: 4 }).map((entries) => new Map(entries)),
        fc.array(tie("leaf"), { maxLength: 4 }).map((items) => new Set(items)),
        fc.tuple(text, tie("node"), fc.boolean()).map((
          [message, cause, has],
        ) => (has ? new Error(message, { cause }) : new TypeError(message))),
      ),
    })).node;
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (values) => {
        const w = new FrameEncoder((v) => codec.encode(v));
        const single: number[] = [];
        for (const [i, v] of values.entries()) {
          w.writeEnvelope(Kind.Tell, 1025, 7, i, "m", v);
          const alone = [...codec.encodeEnvelope(Kind.Tell, 1025, 7, i, "m", v)];
          // [kind, to, from, id, name, …] on its own; in the frame, after the first: the repeat [id, …].
          expect(alone.slice(0, 9)).toEqual([0x96, Kind.Tell, 0xcd, 0x04, 0x01, 7, i, 0xa1, 0x6d]);
          single.push(...(i === 0 ? alone : [0x92, i, ...alone.slice(9)]));
          expect(() => stock.decode(codec.encodeEnvelope(Kind.Tell, 1025, 7, i, "m", v))).not.toThrow();
        }
        const frame = w.take();
        expect([...frame.subarray(8)]).toEqual(single);
        const back = readAll(codec, frame);
        for (const [i, v] of values.entries()) {
          const want = delivered(v);
          expect(diff(back[i]![5], want)).toBe("");
          expect(diff(codec.decode(codec.encode(v)), delivered(v))).toBe("");
          expect(diff((codec.copyEnvelope(Kind.Tell, 1025, 7, i, "m", v, 1 << 20) as Envelope)[5], want)).toBe("");
        }
      }),
      { seed: SEED, numRuns: 400, endOnFailure: true },
    );
  });

  it("fuzz: mutated frames holding every extension type give only WireError (fast-check)", () => {
    const codec = new Codec(refs, { maxStrLength: 1 << 16, maxBinLength: 1 << 16, maxArrayLength: 1 << 16, maxMapLength: 1 << 16 });
    const w = new FrameEncoder((v) => codec.encode(v));
    for (const [, v] of samples) w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", v);
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", { e: causeChain(3), s: new Set([1]), m: new Map([[1, nullProto]]) });
    const valid = w.take();
    const edits = fc.array(fc.tuple(fc.nat({ max: valid.byteLength - 1 }), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(edits, (changes) => {
        const bytes = valid.slice();
        for (const [at, b] of changes) bytes[at] = b;
        try {
          readAll(codec, bytes);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
        }
      }),
      { seed: SEED, numRuns: 3000, endOnFailure: true },
    );
  });
});

describe(`size limit on ${runtimeName}: refused before encoding when certain`, () => {
  const huge: [string, () => unknown][] = [
    ["a sparse array of 2^26 holes", () => new Array(2 ** 26)],
    ["a string of 2^25 chars", () => "x".repeat(2 ** 25)],
    ["a DAG of 2^40 leaves", () => {
      let v: unknown = [1];
      for (let i = 0; i < 40; i++) v = [v, v];
      return v;
    }],
    ["a Set of 100 000 items", () => new Set(Array.from({ length: 100_000 }, (_, i) => i))],
    ["a Map of bytes", () => new Map([["b", new Uint8Array(LIMIT + 1)]])],
  ];

  it("throws MessageTooLargeError from tell and rejects ask and send, and the system goes on", async () => {
    const k = await system.spawn(Keeper, undefined, { worker: 0 });
    const b = await system.spawn(BoundedKeeper, undefined, { worker: 1 });
    for (const [what, make] of huge) {
      const err = thrown(() => k.tell("keep", make()));
      expect(err, what).toBeInstanceOf(MessageTooLargeError);
      expect((err as MessageTooLargeError).limit).toBe(LIMIT);
      expect((err as MessageTooLargeError).bytes).toBeGreaterThan(LIMIT);
      await expect(k.ask("keep", make()), what).rejects.toBeInstanceOf(MessageTooLargeError);
      await expect(b.send("keep", make()), what).rejects.toBeInstanceOf(MessageTooLargeError);
    }
    expect((thrown(() => k.tell("keep", new Array(2 ** 26))) as MessageTooLargeError).atLeast).toBe(true);
    k.tell("keep", "fine");
    expect(await k.ask("take")).toEqual(["fine"]);
  });

  it("refuses the same on a worker: to its own worker, to another, and as a reply", async () => {
    const s = await system.spawn(Sender, undefined, { worker: 1 });
    for (const worker of [1, 0]) {
      const k = await system.spawn(Keeper, undefined, { worker });
      expect(await s.ask("tellSparse", { to: k, length: 2 ** 26 })).toMatchObject({ name: "MessageTooLargeError", atLeast: true });
      expect(await s.ask("tellSparse", { to: k, length: 3 })).toBe("ok");
      expect((await k.ask("take")).map((a) => (a as unknown[]).length)).toEqual([3]);
    }
    await expect(s.ask("sparse", 2 ** 26)).rejects.toBeInstanceOf(MessageTooLargeError);
  });

  it("stops the frame encoder as soon as the limit is certain to be passed, and leaves the frame as it was", () => {
    const codec = new Codec(refs);
    const w = new FrameEncoder((v) => codec.encode(v));
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "ok", 1, 100);
    for (const [what, make] of huge) {
      const f = thrown(() => w.writeEnvelope(Kind.Tell, 1025, 0, 0, "big", make(), LIMIT)) as EncodeFailure;
      expect(f, what).toBeInstanceOf(EncodeFailure);
      expect(f.kind, what).toBe("size");
      expect(f.bytes, what).toBeGreaterThan(LIMIT);
    }
    const exact = thrown(() => w.writeEnvelope(Kind.Tell, 1025, 0, 0, "big", "y".repeat(88), 100)) as EncodeFailure; // 101 bytes, not certain before
    expect([exact.kind, exact.atLeast]).toEqual(["size", false]);
    w.writeEnvelope(Kind.Tell, 1025, 0, 0, "ok", 2, 100);
    expect(readAll(codec, w.take()).map((e) => e[5])).toEqual([1, 2]);
    expect((thrown(() => codec.copyEnvelope(Kind.Tell, 1025, 0, 0, "m", new Array(2 ** 26), LIMIT)) as EncodeFailure).kind).toBe("size");
  });
});

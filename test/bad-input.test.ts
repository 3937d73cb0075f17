/**
 * Bad input: each gets a typed, actionable error, and nothing else is lost.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ActorRef,
  ActorSystem,
  type DeadLetter,
  MessageEncodeError,
  MessageTooLargeError,
  runtimeName,
  UnknownMessageError,
  WireError,
} from "../mod.ts";
import { mainLoopOf } from "../src/system/actor-system.ts";
import { Codec } from "../src/wire/codec.ts";
import { Kind } from "../src/wire/envelope.ts";
import { FrameEncoder } from "../src/wire/frame-encoder.ts";
import { frameToString } from "../src/wire/string-frames.ts";
import { Counter } from "./fixtures/counter.ts";
import { Echo, Recorder } from "./fixtures/actors.ts";
import { LogCapture } from "./fixtures/log.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);

let system: ActorSystem;
const logs = new LogCapture();
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2, maxMessageBytes: 64 * 1024, logger: logs.logger });
});
afterAll(async () => {
  await system.shutdown();
});

describe(`bad input on ${runtimeName}`, () => {
  it("refuses __proto__ keys at the sender, and constructor keys pollute nothing", async () => {
    const e = await system.spawn(Echo);
    const hostile = JSON.parse('{"a": 1, "__proto__": {"polluted": true}}');
    const err = await e.ask("echo", hostile).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(MessageEncodeError);
    expect((err as MessageEncodeError).path).toBe('arg["__proto__"]');
    expect(await e.ask("pollutionCheck", { constructor: { prototype: { polluted: true } } })).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses a message over maxMessageBytes, and the system goes on", async () => {
    const c = await system.spawn(Counter, 0);
    const big = "x".repeat(100_000);
    let thrown: unknown;
    try {
      c.tell("inc", big as unknown as number);
    } catch (x) {
      thrown = x;
    }
    expect(thrown).toBeInstanceOf(MessageTooLargeError);
    expect((thrown as MessageTooLargeError).limit).toBe(64 * 1024);
    c.tell("inc", 1);
    expect(await c.ask("get")).toBe(1);
  });

  it("reports a message name outside the protocol (untyped callers) as a dead letter or an error", async () => {
    const dead: DeadLetter[] = [];
    using _ = system.deadLetters.subscribe((d) => dead.push(d));
    const c = (await system.spawn(Counter, 0)) as unknown as ActorRef;
    c.tell("decrement", 1);
    await expect(c.ask("decrement", 1)).rejects.toBeInstanceOf(UnknownMessageError);
    await c.flush();
    expect(dead.some((d) => d.reason === "no-handler" && d.name === "decrement" && d.arg === 1)).toBe(true);
    expect(logs.containing('no handler for "decrement"').map((e) => [e.level, e.source])).toEqual([["warn", c.label]]);
  });

  it("drops a malformed or truncated frame with WireError accounting, and the link keeps working", async () => {
    const r = await system.spawn(Recorder, undefined, { worker: 0 });
    const dead: DeadLetter[] = [];
    using _ = system.deadLetters.subscribe((d) => dead.push(d));
    const link = mainLoopOf(system).link(1);
    r.tell("rec", { s: 0, n: 1 });
    // Header says 3 envelopes; the bytes are garbage.
    link.postFrame(new Uint8Array([3, 0, 0, 0, 0, 0, 0, 0, 0xc1, 0xc1, 0xc1]));
    // A real frame, cut short.
    const codec = new Codec({ isRef: () => false, toWire: () => [0, 0, 0, ""], fromWire: () => ({}) });
    const w = new FrameEncoder((v) => codec.encode(v));
    w.appendEncoded(codec.encodeEnvelope(Kind.Tell, r.address, 0, 0, "rec", { s: 0, n: 99 }));
    w.appendEncoded(codec.encodeEnvelope(Kind.Tell, r.address, 0, 0, "rec", { s: 0, n: 100 }));
    const frame = w.take();
    link.postFrame(frame.slice(0, frame.byteLength - 3));
    r.tell("rec", { s: 0, n: 2 });
    await r.flush();
    const log = (await r.ask("log")).map(([, n]) => n);
    // The truncated frame's first envelope was whole and is delivered; the cut one is not.
    expect(log).toEqual([1, 99, 2]);
    const malformed = dead.filter((d) => d.reason === "malformed").reduce((n, d) => n + d.count, 0);
    expect(malformed).toBe(3 + 1);
    expect(logs.containing("Malformed frame").map((e) => e.source)).toEqual(["worker 0", "worker 0"]);
  });

  it("drops a string frame with a char over 255, counts its envelopes as lost, and the link keeps working", async () => {
    const r = await system.spawn(Recorder, undefined, { worker: 1 });
    const dead: DeadLetter[] = [];
    using _ = system.deadLetters.subscribe((d) => dead.push(d));
    const link = mainLoopOf(system).link(2);
    r.tell("rec", { s: 0, n: 1 });
    // Header: 2 envelopes; then a char no byte can be.
    link.postFrame("\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0096\u0100");
    // A good frame as a string, as the link sends small frames.
    const codec = new Codec({ isRef: () => false, toWire: () => [0, 0, 0, ""], fromWire: () => ({}) });
    const w = new FrameEncoder((v) => codec.encode(v));
    w.appendEncoded(codec.encodeEnvelope(Kind.Tell, r.address, 0, 0, "rec", { s: 0, n: 50 }));
    link.postFrame(frameToString(w.take()));
    r.tell("rec", { s: 0, n: 2 });
    await r.flush();
    expect((await r.ask("log")).map(([, n]) => n)).toEqual([1, 50, 2]);
    expect(dead.filter((d) => d.reason === "malformed").reduce((n, d) => n + d.count, 0)).toBe(2);
    expect(logs.containing("char over 255").map((e) => e.source)).toEqual(["worker 1"]);
    // Shutdown's quiescence count includes the lost frame: the drain still completes (afterAll).
  });

  it("fuzz: random bytes and mutated frames never crash the decoder, only WireError", () => {
    const codec = new Codec({ isRef: () => false, toWire: () => [0, 0, 0, ""], fromWire: () => ({}) }, {
      maxStrLength: 1 << 16,
      maxBinLength: 1 << 16,
      maxArrayLength: 1 << 16,
      maxMapLength: 1 << 16,
    });
    const w = new FrameEncoder((v) => codec.encode(v));
    for (let i = 0; i < 20; i++) {
      w.appendEncoded(codec.encodeEnvelope(Kind.Tell, 1025, 0, 0, "m", { i, list: [i, "s", null, true], m: new Map([[i, i]]) }));
    }
    const valid = w.take();
    const decodeAll = (bytes: Uint8Array) => {
      try {
        const cursor = codec.openFrame(bytes);
        let n = 0;
        while (cursor.next() !== null) n++;
        return n;
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        return -1;
      }
    };
    expect(decodeAll(valid.slice())).toBe(20);
    const randomBytes = fc.uint8Array({ maxLength: 512 });
    const mutated = fc.array(fc.tuple(fc.nat({ max: valid.byteLength - 1 }), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    })
      .map((edits) => {
        const bytes = valid.slice();
        for (const [at, value] of edits) bytes[at] = value;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(randomBytes, mutated), (bytes) => {
        const n = decodeAll(bytes);
        return n >= -1 && n <= 20 + 0xffffffff;
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

/**
 * Refs in messages: the bytes of a ref decode to one shared, frozen `ActorRef` per reader
 * (src/wire/ref-cache.ts), that still works; different refs stay different.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem } from "../mod.ts";
import { Codec } from "../src/wire/codec.ts";
import { RefCache } from "../src/wire/ref-cache.ts";
import { Counter } from "./fixtures/counter.ts";
import { RefKeeper } from "./fixtures/ref-keeper.ts";

class FakeRef {
  readonly node: number;
  readonly address: number;
  readonly flow: number;
  readonly label: string;
  constructor(node: number, address: number, flow: number, label: string) {
    this.node = node;
    this.address = address;
    this.flow = flow;
    this.label = label;
  }
}

function fakeCodec(): { codec: Codec; built: () => number } {
  let built = 0;
  const codec = new Codec({
    isRef: (v) => v instanceof FakeRef,
    toWire: (v) => {
      const r = v as FakeRef;
      return [r.node, r.address, r.flow, r.label];
    },
    fromWire: (node, address, flow, label) => {
      built++;
      return new FakeRef(node, address, flow, label);
    },
  });
  return { codec, built: () => built };
}

describe("ref cache: the codec", () => {
  it("decodes the same ref's bytes to one frozen object, built once", () => {
    const { codec, built } = fakeCodec();
    const ref = new FakeRef(0, 1025, 0, "Ping#1@w0");
    const a = codec.decode(codec.encode({ replyTo: ref })) as { replyTo: FakeRef };
    const b = codec.decode(codec.encode([ref, ref])) as FakeRef[];
    expect(a.replyTo).toEqual(ref);
    expect(b[0]).toBe(a.replyTo);
    expect(b[1]).toBe(a.replyTo);
    expect(Object.isFrozen(a.replyTo)).toBe(true);
    expect(built()).toBe(1);
  });

  it("keeps refs that differ in any field apart", () => {
    const { codec } = fakeCodec();
    const refs = [
      new FakeRef(0, 1025, 0, "a"),
      new FakeRef(0, 1025, 0, "b"),
      new FakeRef(0, 2049, 0, "a"),
      new FakeRef(3, 1025, 0, "a"),
      new FakeRef(0, 1025, -8, "a"),
      new FakeRef(0, 1025, 8, "a"),
      new FakeRef(0, 1025, 0, "a".repeat(200)), // too long to cache: decoded every time
    ];
    for (let round = 0; round < 2; round++) {
      const decoded = codec.decode(codec.encode(refs)) as FakeRef[];
      expect(decoded).toEqual(refs);
    }
  });

  it("serves a hit only for exactly the bytes it cached", () => {
    const cache = new RefCache();
    const bytes = new Uint8Array([0x94, 0, 1, 0, 0xa1, 0x61]);
    const ref = { label: "a" };
    expect(cache.get(bytes, 0, bytes.length)).toBeUndefined();
    cache.set(bytes, 0, bytes.length, ref);
    expect(cache.get(bytes, 0, bytes.length)).toBe(ref);
    const other = bytes.slice();
    other[5] = 0x62;
    expect(cache.get(other, 0, other.length)).toBeUndefined();
    expect(cache.get(bytes, 0, bytes.length - 1)).toBeUndefined();
  });
});

describe("ref cache: refs in messages", () => {
  let system: ActorSystem;
  beforeAll(async () => {
    system = await ActorSystem.start({ workers: 2 });
  });
  afterAll(async () => {
    await system.shutdown();
  });

  for (const [where, worker] of [["on the same worker", 0], ["across workers", 1]] as const) {
    it(`a ref sent twice ${where} arrives as the same working ref`, async () => {
      const counter = await system.spawn(Counter, 5, { worker: 0 });
      const keeper = await system.spawn(RefKeeper, undefined, { worker });
      const other = await system.spawn(Counter, 0, { worker: 0 });
      keeper.tell("keep", { ref: counter });
      const [same, frozen, equal, label] = await keeper.ask("compare", { ref: counter });
      expect([same, frozen, equal, label]).toEqual([true, true, true, counter.label]);
      expect(await keeper.ask("compare", { ref: other })).toEqual([false, true, false, other.label]);
      expect(await keeper.ask("pair", [counter, counter])).toBe(true);
      expect(await keeper.ask("pair", [counter, other])).toBe(false);
      expect(await keeper.ask("incKept", 2)).toBe(7);
      expect(await counter.ask("get")).toBe(7);
    });
  }
});

describe("ctx.sender", () => {
  let system: ActorSystem;
  beforeAll(async () => {
    system = await ActorSystem.start({ workers: 2 });
  });
  afterAll(async () => {
    await system.shutdown();
  });

  it("is one frozen ref per sender, kept while the sender stays the same, a new one when it changes", async () => {
    const target = await system.spawn(RefKeeper, undefined, { worker: 1 });
    const a = await system.spawn(RefKeeper, undefined, { worker: 0 });
    const b = await system.spawn(RefKeeper, undefined, { worker: 1 });
    const [first, second] = await a.ask("askWhoSent", target);
    expect(first).toEqual([true, false, true, a.address]);
    expect(second).toEqual([true, true, true, a.address]); // the same ref as for a's previous message
    const [third] = await b.ask("askWhoSent", target);
    expect(third).toEqual([true, false, true, b.address]); // another sender: another ref
    expect(await target.ask("whoSent")).toEqual([true, false, true, undefined]); // from the main loop: no sender
  });
});

describe("refs as whole messages", () => {
  let system: ActorSystem;
  beforeAll(async () => {
    system = await ActorSystem.start({ workers: 2 });
  });
  afterAll(async () => {
    await system.shutdown();
  });

  it("a ref sent to an actor on the same loop arrives as that very ref; one with ask defaults as a copy", async () => {
    const a = await system.spawn(RefKeeper, undefined, { worker: 0 });
    const b = await system.spawn(RefKeeper, undefined, { worker: 0 });
    const c = await system.spawn(RefKeeper, undefined, { worker: 1 });
    expect(await a.ask("shareSelf", { other: b, withDefaults: false })).toEqual([true, true]);
    // Ask defaults do not travel: such a ref arrives as a copy without them (the reader's cached one).
    expect(await a.ask("shareSelf", { other: b, withDefaults: true })).toEqual([true, false]);
    // Across workers: the ref the reader cached, each time.
    expect(await a.ask("shareSelf", { other: c, withDefaults: false })).toEqual([true, false]);
  });
});

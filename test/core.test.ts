/**
 * Conformance suite for the core: the same file runs on Node, Deno and Bun.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ActorInitError,
  ActorNameTakenError,
  type ActorRef,
  ActorStoppedError,
  ActorSystem,
  AskTimeoutError,
  DefinitionNotFoundError,
  InvalidArgumentError,
  MessageEncodeError,
  RemoteError,
  runtimeName,
  UnknownActorError,
  UnknownMessageError,
} from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import { Counter } from "./fixtures/counter.ts";
import {
  BytesKeeper,
  Echo,
  Failer,
  hiddenDefinition,
  Holder,
  Picky,
  Pinger,
  Ponger,
  Quitter,
  Recorder,
  Releaser,
  Reporter,
  Serial,
  Spawner,
} from "./fixtures/actors.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  const report = await system.shutdown();
  expect(report.exits).toHaveLength(2);
});

describe(`core on ${runtimeName}`, () => {
  it("spawns, tells, asks and flushes", async () => {
    const c = await system.spawn(Counter, 5);
    c.tell("inc", 2);
    expect(await c.ask("get")).toBe(7);
    expect(await c.ask("slowGet")).toBe(7);
    for (let i = 0; i < 1000; i++) c.tell("inc", 1);
    await c.flush();
    expect(await c.ask("get")).toBe(1007);
  });

  it("places actors round-robin across workers, or on the named worker", async () => {
    const refs = await Promise.all([0, 1, 2, 3].map(() => system.spawn(Counter, 0)));
    const workers = refs.map((r) => r.worker).sort();
    expect(workers).toEqual([0, 0, 1, 1]);
    const pinned = await system.spawn(Counter, 0, { worker: 1 });
    expect(pinned.worker).toBe(1);
    await expect(system.spawn(Counter, 0, { worker: 2 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("flush resolves only after every earlier message was processed", async () => {
    using probe = TestProbe.create(system);
    const r = await system.spawn(Reporter, probe.ref);
    for (let i = 0; i < 500; i++) r.tell("work", i);
    await r.flush();
    // The reports travel on the same link as the flush reply, ahead of it.
    expect(probe.messages.map((m) => m.arg)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it("re-creates a handler's error on the caller side", async () => {
    const f = await system.spawn(Failer);
    const typeError = await f.ask("typeError", "bad input").catch((e: unknown) => e);
    expect(typeError).toBeInstanceOf(TypeError);
    expect((typeError as Error).message).toBe("bad input");
    expect((typeError as Error).stack).toContain("typeError");
    expect("cause" in (typeError as Error)).toBe(false);

    const custom = await f.ask("validation", "email").catch((e: unknown) => e);
    expect(custom).toBeInstanceOf(RemoteError);
    expect((custom as Error).name).toBe("ValidationError");
    expect((custom as Error).message).toBe("field email is invalid");
    expect((custom as { field?: string }).field).toBe("email");

    await expect(f.ask("rejects")).rejects.toThrow(RangeError);
    // The actor keeps its state and goes on.
    expect(await f.ask("calls")).toBe(3);
  });

  it("carries structured values and refs across the wire", async () => {
    const e = await system.spawn(Echo);
    const other = await system.spawn(Counter, 1);
    const value = {
      date: new Date(1_700_000_000_000),
      map: new Map<unknown, unknown>([["a", 1], [2, [3]]]),
      set: new Set([1, "two"]),
      big: 12345678901234567890n,
      bytes: new Uint8Array([1, 2, 3]),
      error: Object.assign(new Error("inner", { cause: "why" }), { code: 42 }),
      nested: { deep: [{ ref: other }] },
      nothing: null,
    };
    const back = (await e.ask("echo", value)) as typeof value;
    expect(back.date).toEqual(value.date);
    expect(back.map).toEqual(value.map);
    expect(back.set).toEqual(value.set);
    expect(back.big).toBe(value.big);
    expect([...back.bytes]).toEqual([1, 2, 3]);
    expect(back.error).toBeInstanceOf(Error);
    expect(back.error.message).toBe("inner");
    expect((back.error as Error & { code: number }).code).toBe(42);
    expect(back.error.cause).toBe("why");
    const ref = back.nested.deep[0]!.ref as ActorRef<typeof Counter>;
    expect(ref.equals(other)).toBe(true);
    ref.tell("inc", 1);
    expect(await ref.ask("get")).toBe(2);
  });

  it("gives each receiver its own copy of byte arrays, also between actors on one worker", async () => {
    const relay = await system.spawn(BytesKeeper);
    const keeper = await relay.ask("relay");
    expect(keeper.worker).toBe(relay.worker);
    expect(await keeper.ask("kept")).toEqual([[1, 2, 3], [9, 9, 9]]);
  });

  it("refuses unencodable messages at the call, naming actor, message and path", async () => {
    const e = await system.spawn(Echo);
    class Point {
      x: number;
      constructor(x: number) {
        this.x = x;
      }
    }
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cases: [unknown, string, RegExp][] = [
      [{ cb: () => 1 }, "arg.cb", /function/],
      [{ list: [1, Symbol("s")] }, "arg.list[1]", /symbol/],
      [{ p: new Point(1) }, "arg.p", /instance of Point/],
      [cyclic, "arg.self", /cycle/],
    ];
    for (const [payload, path, reason] of cases) {
      let thrown: unknown;
      try {
        e.tell("echo", payload);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(MessageEncodeError);
      const err = thrown as MessageEncodeError;
      expect(err.path).toBe(path);
      expect(err.reason).toMatch(reason);
      expect(err.messageName).toBe("echo");
      expect(err.actor).toBe(e.label);
      await expect(e.ask("echo", payload)).rejects.toBeInstanceOf(MessageEncodeError);
    }
    // A reply that cannot be encoded fails that ask only.
    await expect(e.ask("returnsFunction")).rejects.toBeInstanceOf(MessageEncodeError);
    // The actor and the system keep running.
    expect(await e.ask("echo", "still here")).toBe("still here");
  });

  it("runs one message at a time per actor, async handlers included", async () => {
    const s = await system.spawn(Serial);
    for (let i = 0; i < 20; i++) s.tell("step", i);
    const { log, maxRunning } = await s.ask("report");
    expect(maxRunning).toBe(1);
    expect(log).toEqual(Array.from({ length: 20 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
  });

  it("sends refs inside messages and replies to ctx.sender across workers", async () => {
    using probe = TestProbe.create(system);
    const ponger = await system.spawn(Ponger, undefined, { worker: 0 });
    ponger.tell("ping", { replyTo: probe.ref, n: 1 });
    expect((await probe.receive()).arg).toBe(1);

    const pinger = await system.spawn(Pinger, probe.ref, { worker: 1 });
    pinger.tell("start", { ponger, n: 2 });
    const pong = await probe.receive();
    expect(pong.arg).toEqual({ n: 2, from: ponger.address });
    expect(pong.sender?.address).toBe(pinger.address);
  });

  it("lets actors spawn actors whose refs work from the main loop", async () => {
    const spawner = await system.spawn(Spawner);
    const child = await spawner.ask("spawnCounter", 40);
    child.tell("inc", 2);
    expect(await child.ask("get")).toBe(42);
    expect(child.worker).toBe(spawner.worker);
  });

  it("stops an actor that stops itself; later asks fail with ActorStoppedError", async () => {
    const q = await system.spawn(Quitter);
    expect(await q.ask("get")).toBe(1);
    q.tell("quit");
    const after = await q.ask("get").catch((e: unknown) => e);
    expect(after).toBeInstanceOf(ActorStoppedError);
    expect((after as ActorStoppedError).actor).toBe(q.label);
  });

  it("settles asks by timeout, by abort, and counts late replies", async () => {
    const h = await system.spawn(Holder, undefined, { worker: 0 });
    const r = await system.spawn(Releaser, undefined, { worker: 0 });
    const timedOut = await h.ask("hold", "t1", { timeout: 20 }).catch((e: unknown) => e); // timer-under-test: the ask timeout
    expect(timedOut).toBeInstanceOf(AskTimeoutError);
    expect((timedOut as AskTimeoutError).timeoutMs).toBe(20);

    const late = system.stats.lateReplies;
    expect(await r.ask("release", "t1")).toBe(true);
    await h.flush(); // the late reply travels ahead of the flush reply
    expect(system.stats.lateReplies).toBe(late + 1);

    const controller = new AbortController();
    const aborted = h.ask("hold", "t2", { signal: controller.signal });
    controller.abort(new Error("user cancelled"));
    await expect(aborted).rejects.toThrow("user cancelled");
    await r.ask("release", "t2");

    const pre = AbortSignal.abort("already");
    await expect(h.ask("noop", undefined, { signal: pre })).rejects.toBe("already");
  });

  it("names actors; lookup finds them; names are unique", async () => {
    const named = await system.spawn(Counter, 3, { name: "the-counter" });
    expect(named.label).toBe("the-counter");
    const found = system.lookup<typeof Counter>("the-counter");
    expect(await found.ask("get")).toBe(3);
    await expect(system.spawn(Counter, 0, { name: "the-counter" })).rejects.toBeInstanceOf(ActorNameTakenError);
    expect(() => system.lookup("nobody")).toThrow(UnknownActorError);
  });

  it("reports init failures, unknown messages and unexported definitions with typed errors", async () => {
    const initError = await system.spawn(Picky, -1).catch((e: unknown) => e);
    expect(initError).toBeInstanceOf(ActorInitError);
    expect(((initError as Error).cause as Error).message).toBe("n must be >= 0, got -1");
    expect(await (await system.spawn(Picky, 4)).ask("get")).toBe(4);

    const c = await system.spawn(Counter, 0);
    const untyped = c as unknown as ActorRef;
    await expect(untyped.ask("nope")).rejects.toBeInstanceOf(UnknownMessageError);

    await expect(system.spawn(hiddenDefinition())).rejects.toBeInstanceOf(DefinitionNotFoundError);
  });
});

describe(`records across workers on ${runtimeName}`, () => {
  it("delivers each sender's messages to each receiver in order", async () => {
    const recorders = await Promise.all([0, 1].map((w) => system.spawn(Recorder, undefined, { worker: w })));
    for (let n = 0; n < 300; n++) recorders[n % 2]!.tell("rec", { s: 0, n });
    await Promise.all(recorders.map((r) => r.flush()));
    const logs = await Promise.all(recorders.map((r) => r.ask("log")));
    expect(logs[0]!.map(([, n]) => n)).toEqual(Array.from({ length: 150 }, (_, i) => i * 2));
    expect(logs[1]!.map(([, n]) => n)).toEqual(Array.from({ length: 150 }, (_, i) => i * 2 + 1));
  });
});

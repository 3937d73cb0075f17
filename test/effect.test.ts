/**
 * `missive-actors/effect`: the system as a scoped service, typed operations, Effect
 * handlers with a Layer on the worker, Schemas checked at the sender and decoded at the
 * receiver, declared failures travelling back typed, defects as supervision failures.
 */
import { Cause, Effect, Exit, Layer } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, runtimeName, type ShutdownReport } from "../mod.ts";
import { client, layer, MissiveSystem, spawn, stopActor } from "../effect.ts";
import { Counter } from "./fixtures/counter.ts";
import { Account, Gate, Overdrawn } from "./fixtures/effect-actors.ts";

let system: ActorSystem;
/** Runs an Effect with the shared system provided (the layer tests make their own). */
const run = <A, E>(effect: Effect.Effect<A, E, MissiveSystem>) =>
  Effect.runPromiseExit(Effect.provideService(effect, MissiveSystem, system));
const failureOf = <A, E>(exit: Exit.Exit<A, E>) => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${String(exit.value)}`);
  const found = Cause.findErrorOption(exit.cause);
  if (found._tag === "None") throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`);
  return found.value;
};

beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  const report = await system.shutdown();
  expect(report.deadlineHit).toBe(false);
});

describe(`missive-actors/effect: the system as a service on ${runtimeName}`, () => {
  it("layer() starts a system for the scope and shuts it down at its end, handing over the report", async () => {
    const reports: ShutdownReport[] = [];
    let seen: ActorSystem | undefined;
    const program = Effect.gen(function* () {
      seen = yield* MissiveSystem;
      const counter = yield* spawn(Counter, 5);
      yield* counter.tell("inc", 2);
      return yield* counter.ask("get");
    });
    const live = layer({ workers: 1, onShutdown: (r) => Effect.sync(() => reports.push(r)) });
    expect(await Effect.runPromise(Effect.provide(program, live))).toBe(7);
    expect(seen!.stopping).toBe(true);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.processed).toBeGreaterThanOrEqual(2);
    expect(reports[0]!.deadlineHit).toBe(false);
  });

  it("shuts down when the program fails, and when it is interrupted", async () => {
    const reports: ShutdownReport[] = [];
    const live = layer({ workers: 1, onShutdown: (r) => Effect.sync(() => reports.push(r)) });
    const failed = await Effect.runPromiseExit(
      Effect.provide(Effect.flatMap(Effect.service(MissiveSystem), () => Effect.fail("nope")), live),
    );
    expect(Exit.isFailure(failed)).toBe(true);
    const interrupted = await Effect.runPromiseExit(
      Effect.provide(Effect.flatMap(Effect.service(MissiveSystem), () => Effect.interrupt), live),
    );
    expect(Exit.isFailure(interrupted) && Cause.hasInterruptsOnly(interrupted.cause)).toBe(true);
    expect(reports).toHaveLength(2);
  });

  it("a layer built once serves a whole program (Layer.provide into another service)", async () => {
    const reports: ShutdownReport[] = [];
    const live = layer({ workers: 1, onShutdown: (r) => Effect.sync(() => reports.push(r)) });
    const both = Effect.all([Effect.service(MissiveSystem), Effect.service(MissiveSystem)]);
    const [a, b] = await Effect.runPromise(Effect.provide(both, Layer.merge(live, Layer.empty)));
    expect(a).toBe(b);
    expect(reports).toHaveLength(1);
  });
});

describe(`missive-actors/effect: typed operations on ${runtimeName}`, () => {
  it("ask succeeds with the reply; AskTimeout and ActorStopped are typed failures", async () => {
    const counter = system.spawn(Counter, 1);
    const c = client(Counter, await counter);
    expect(await Effect.runPromise(c.ask("get"))).toBe(1);
    const gate = client(Gate, await system.spawn(Gate));
    const timedOut = await Effect.runPromiseExit(gate.ask("hold", undefined, { timeout: 20 })); // timer-under-test
    expect(failureOf(timedOut)).toMatchObject({ _tag: "AskTimeout", messageName: "hold", timeoutMs: 20 });
    expect(await Effect.runPromise(gate.ask("release"))).toBe(1);
    const gone = await run(Effect.gen(function* () {
      const doomed = yield* spawn(Counter, 0);
      yield* stopActor(doomed);
      return yield* doomed.ask("get");
    }));
    expect(failureOf(gone)).toMatchObject({ _tag: "ActorStopped" });
  });

  it("tell and ask refuse a payload that cannot be encoded: MessageEncode with the path, nothing sent", async () => {
    const c = client(Counter, await system.spawn(Counter, 0));
    const exit = await Effect.runPromiseExit(c.tell("inc", { bad: () => 1 } as unknown as number));
    expect(failureOf(exit)).toMatchObject({ _tag: "MessageEncode", path: "arg.bad", messageName: "inc" });
    expect(await Effect.runPromise(c.ask("get"))).toBe(0);
  });

  it("an undeclared throw in a plain handler is a defect, with the original error", async () => {
    const c = client(Counter, await system.spawn(Counter, 0));
    const exit = await Effect.runPromiseExit(c.ask("fail", "broken"));
    expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true);
    expect(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause)).toBeInstanceOf(TypeError);
  });
});

describe(`missive-actors/effect: Effect handlers on ${runtimeName}`, () => {
  it("runs Effect handlers with the Layer's services on the worker, and decodes the reply Schema", async () => {
    const exit = await run(Effect.gen(function* () {
      const account = yield* spawn(Account, 100, { worker: 1 });
      const greeting = yield* account.ask("greet", "Ada");
      const left = yield* account.ask("withdraw", 30);
      const when = yield* account.ask("when");
      return { greeting, left, when };
    }));
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ greeting: "hello, Ada", left: 70, when: new Date(0) });
    expect(Exit.isSuccess(exit) && exit.value.when).toBeInstanceOf(Date);
  });

  it("a declared failure travels back typed (its class re-created from the Schema); the actor keeps its state", async () => {
    const exit = await run(Effect.gen(function* () {
      const account = yield* spawn(Account, 10);
      const failure = yield* Effect.flip(account.ask("withdraw", 25));
      const balance = yield* account.ask("balance");
      return { failure, balance };
    }));
    if (!Exit.isSuccess(exit)) throw new Error(Cause.pretty(exit.cause));
    expect(exit.value.failure).toBeInstanceOf(Overdrawn);
    expect(exit.value.failure).toMatchObject({ _tag: "Overdrawn", missing: 15 });
    expect(exit.value.balance).toBe(10);
  });

  it("a defect in an Effect handler is a supervision failure: the ask dies with it, the actor resumes (its default strategy)", async () => {
    const exit = await run(Effect.gen(function* () {
      const account = yield* spawn(Account, 1);
      const boom = yield* Effect.exit(account.ask("boom"));
      return { boom, balance: yield* account.ask("balance") };
    }));
    if (!Exit.isSuccess(exit)) throw new Error(Cause.pretty(exit.cause));
    const { boom, balance } = exit.value;
    expect(Exit.isFailure(boom) && Cause.hasDies(boom.cause)).toBe(true);
    expect(Cause.squash((boom as Exit.Failure<unknown, unknown>).cause)).toBeInstanceOf(RangeError);
    expect(balance).toBe(1);
  });
});

describe(`missive-actors/effect: Schemas on the protocol on ${runtimeName}`, () => {
  it("rejects a bad payload at the sender, before anything is sent, naming the message and the path", async () => {
    const exit = await run(Effect.gen(function* () {
      const account = yield* spawn(Account, 10);
      const bad = { id: "o-1", items: [{ sku: "a", qty: 1 }, { sku: "b", qty: 0 }] };
      const failure = yield* Effect.flip(account.tell("place", bad));
      const orders = yield* account.ask("orders");
      return { failure, orders };
    }));
    if (!Exit.isSuccess(exit)) throw new Error(Cause.pretty(exit.cause));
    expect(exit.value.failure).toMatchObject({ _tag: "InvalidMessage", messageName: "place", path: "arg.items[1].qty" });
    expect(exit.value.failure.message).toContain("arg.items[1].qty");
    expect(exit.value.orders).toEqual([]); // nothing reached the actor
    expect(system.stats.pendingAsks).toBe(0);
  });

  it("decodes at the receiver: a raw ref that bypasses the sender's check gets InvalidMessage and the handler does not run", async () => {
    const exit = await run(Effect.gen(function* () {
      const account = yield* spawn(Account, 10);
      const raw = yield* Effect.flip(Effect.tryPromise({ try: () => account.ref.ask("withdraw", -5), catch: (e) => e }));
      const balance = yield* account.ask("balance");
      return { raw, balance };
    }));
    if (!Exit.isSuccess(exit)) throw new Error(Cause.pretty(exit.cause));
    expect(exit.value.raw).toMatchObject({ name: "InvalidMessageError", messageName: "withdraw", path: "arg" });
    expect(exit.value.balance).toBe(10);
  });
});

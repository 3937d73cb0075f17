/**
 * Channels as Streams and Sinks: closing, interruption and errors map both ways without
 * losing or duplicating an item. The property (fast-check) interrupts a consuming stream
 * at random points — often while its next get is in flight — and checks that a second
 * consumer gets exactly the rest, in order. The seed is fixed (MISSIVE_SEED, default
 * 20261121); fast-check prints it and the counterexample on failure.
 */
import { Cause, Deferred, Effect, Exit, Fiber, type Scope, Stream } from "effect";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, type Channel, runtimeName } from "../mod.ts";
import { Echo } from "./fixtures/effect-actors.ts";
import { fromChannel, MissiveSystem, openChannel, pipeInto, ProducerInterrupted, put, toChannel } from "../effect.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 25);

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  const report = await system.shutdown();
  expect(report.deadlineHit).toBe(false);
});

const runExit = <A, E>(effect: Effect.Effect<A, E, MissiveSystem | Scope.Scope>) =>
  Effect.runPromiseExit(Effect.scoped(Effect.provideService(effect, MissiveSystem, system)));

class Upstream extends Error {
  readonly code = 7;
}

describe(`channels as streams on ${runtimeName}`, () => {
  it("an interrupted consumer loses nothing and duplicates nothing: the next consumer gets exactly the rest, in order", async () => {
    const scenario = fc.record({
      items: fc.integer({ min: 0, max: 40 }),
      capacity: fc.constantFrom(0, 1, 3, 16),
      worker: fc.constantFrom(0, 1),
      taken: fc.nat({ max: 45 }),
      delay: fc.nat({ max: 3 }),
      // The rest through another handle of the same channel (the interrupted get's cancel then reaches the owner).
      otherHandle: fc.boolean(),
    });
    let returned = 0;
    let cancelled = 0;
    const echo = await system.spawn(Echo);
    await fc.assert(
      fc.asyncProperty(scenario, async ({ items, capacity, worker, taken, delay, otherHandle }) => {
        const sent = Array.from({ length: items }, (_, i) => i);
        const k = Math.min(taken, items);
        const exit = await runExit(Effect.gen(function* () {
          const ch = yield* openChannel<number>({ capacity, worker });
          const producer = yield* Effect.forkChild(pipeInto(Stream.fromIterable(sent), ch));
          const first: number[] = [];
          const reached = yield* Deferred.make<void>();
          if (k === 0) yield* Deferred.succeed(reached, undefined);
          const consumer = yield* Effect.forkChild(
            Stream.runForEach(fromChannel(ch), (n) =>
              Effect.suspend(() => {
                first.push(n);
                return first.length === k ? Deferred.succeed(reached, undefined) : Effect.void;
              })),
            { startImmediately: true },
          );
          yield* Deferred.await(reached);
          for (let i = 0; i < delay; i++) yield* Effect.yieldNow; // the next get is often in flight now
          yield* Fiber.interrupt(consumer);
          const other = otherHandle ? yield* Effect.promise(() => echo.ask("echo", ch) as Promise<Channel<number>>) : ch;
          const rest = yield* Stream.runCollect(fromChannel(other));
          yield* Fiber.join(producer);
          const stats = yield* Effect.promise(() => ch.stats());
          return { first, rest: [...rest], stats };
        }));
        if (!Exit.isSuccess(exit)) throw new Error(Cause.pretty(exit.cause));
        const { first, rest, stats } = exit.value;
        expect(first.length).toBeGreaterThanOrEqual(k);
        expect([...first, ...rest]).toEqual(sent);
        expect([stats.getters, stats.putters, stats.inDoubt, stats.buffered]).toEqual([0, 0, 0, 0]);
        returned += stats.returned;
        cancelled += stats.cancelled;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`effect-stream: ${cancelled} gets cancelled by interruption, ${returned} of them after the item was handed over`);
  });

  it("a plain close ends the stream; a close with a reason fails it with ChannelClosed carrying the reason", async () => {
    const exit = await runExit(Effect.gen(function* () {
      const plain = yield* openChannel<number>({ capacity: 4 });
      yield* put(plain, 1);
      yield* Effect.promise(() => plain.close());
      const drained = yield* Stream.runCollect(fromChannel(plain));
      const failed = yield* openChannel<number>({ capacity: 4 });
      yield* put(failed, 1);
      yield* Effect.promise(() => failed.close(new Upstream("upstream broke")));
      const seen: number[] = [];
      const failure = yield* Effect.flip(Stream.runForEach(fromChannel(failed), (n) => Effect.sync(() => seen.push(n))));
      return { drained: [...drained], seen, failure };
    }));
    if (!Exit.isSuccess(exit)) throw new Error(Cause.pretty(exit.cause));
    expect(exit.value.drained).toEqual([1]);
    expect(exit.value.seen).toEqual([1]); // the buffer first, then the failure
    expect(exit.value.failure._tag).toBe("ChannelClosed");
    expect(exit.value.failure.cause.cause).toMatchObject({ message: "upstream broke", code: 7 });
  });

  it("pipeInto closes with the stream's error, and with ProducerInterrupted when interrupted; consumers see which", async () => {
    const exit = await runExit(Effect.gen(function* () {
      const ch = yield* openChannel<number>({ capacity: 8 });
      const broken = Stream.concat(Stream.make(1, 2), Stream.fail(new Upstream("producer failed")));
      const produced = yield* Effect.flip(pipeInto(broken, ch));
      const consumed = yield* Effect.flip(Stream.runCollect(fromChannel(ch)));

      const slow = yield* openChannel<number>({ capacity: 0 }); // rendezvous: the put waits for a getter
      const producer = yield* Effect.forkChild(pipeInto(Stream.make(9), slow), { startImmediately: true });
      yield* Fiber.interrupt(producer);
      const afterInterrupt = yield* Effect.flip(Stream.runCollect(fromChannel(slow)));
      return { produced, consumed, afterInterrupt };
    }));
    if (!Exit.isSuccess(exit)) throw new Error(Cause.pretty(exit.cause));
    expect(exit.value.produced).toBeInstanceOf(Upstream);
    expect(exit.value.consumed.cause.cause).toMatchObject({ message: "producer failed" });
    expect(exit.value.afterInterrupt.cause.cause).toMatchObject({ name: "ProducerInterrupted" });
    expect(new ProducerInterrupted("x").name).toBe("ProducerInterrupted");
  });

  it("a sink into a closed channel fails with ChannelClosed carrying the value that was not sent", async () => {
    const exit = await runExit(Effect.gen(function* () {
      const ch = yield* openChannel<string>({ capacity: 1 });
      yield* Effect.promise(() => ch.close());
      return yield* Effect.flip(Stream.run(Stream.make("a", "b"), toChannel(ch)));
    }));
    if (!Exit.isSuccess(exit)) throw new Error(Cause.pretty(exit.cause));
    expect(exit.value).toMatchObject({ _tag: "ChannelClosed", hasValue: true, value: "a" });
  });

  it("openChannel closes the channel when its scope closes", async () => {
    let ch: Channel<number> | undefined;
    await runExit(Effect.map(openChannel<number>({ capacity: 1 }), (c) => (ch = c)));
    expect((await ch!.stats()).closed).toBe(true);
  });
});

/**
 * Rate limiter (token bucket) and circuit breaker (actors/rate-limiter.ts,
 * circuit-breaker.ts): the bucket never grants more than burst + rate × time and always
 * grants once its wait has passed (for all schedules); the breaker follows its state
 * machine for any sequence of outcomes and clock steps; both around real asks.
 */
import fc from "fast-check";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, AskTimeoutError, InvalidArgumentError, runtimeName } from "../mod.ts";
import { CircuitBreaker, CircuitOpenError, type CircuitState, RateLimitedError, RateLimiter, TokenBucket } from "../actors/mod.ts";
import { Responder, Routee } from "./fixtures/actors-blocks.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 100);

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

describe(`TokenBucket and RateLimiter on ${runtimeName}`, () => {
  it("for every schedule: never more than burst + rate × elapsed, tokens within [0, burst], a token once its wait has passed", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.record({ dt: fc.nat({ max: 3000 }), takes: fc.nat({ max: 6 }) }), { maxLength: 40 }),
        (rate, burst, steps) => {
          let t = 0;
          const bucket = new TokenBucket({ rate, burst, now: () => t });
          let granted = 0;
          for (const { dt, takes } of steps) {
            t += dt;
            for (let i = 0; i < takes; i++) if (bucket.tryTake()) granted++;
            expect(granted).toBeLessThanOrEqual(burst + (rate * t) / 1000 + 1e-6);
            expect(bucket.tokens).toBeGreaterThanOrEqual(0);
            expect(bucket.tokens).toBeLessThanOrEqual(burst);
          }
          const wait = bucket.waitTime();
          t += wait * (1 + 1e-9) + 1e-9;
          expect(bucket.tryTake()).toBe(true);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("reject mode: the burst passes, the next call fails with RateLimitedError and never reaches the actor", async () => {
    const routee = await system.spawn(Routee, undefined);
    const limiter = new RateLimiter({ rate: 0.001, burst: 3, mode: "reject", name: "api" });
    for (let i = 0; i < 3; i++) expect(await limiter.ask(routee, "whoami")).toBe(routee.address);
    const error = await limiter.ask(routee, "whoami").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryInMs).toBeGreaterThan(0);
    expect(await routee.ask("seen")).toBe(3);
    expect(limiter.tryAcquire()).toBe(false);
  });

  it("wait mode: calls past the burst wait for their tokens, in order", async () => {
    const routee = await system.spawn(Routee, undefined);
    const limiter = new RateLimiter({ rate: 2000, burst: 1 }); // timer-under-test: the waits are ~0.5 ms
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => limiter.send(routee, "work", i).then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
    await routee.flush();
    expect(await routee.ask("seen")).toBe(5);
    expect(limiter.waiting).toBe(0);
  });

  it("a wait is cancelled by its signal (the token is not taken); dispose rejects the rest", async () => {
    const limiter = new RateLimiter({ rate: 0.001, burst: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const first = limiter.acquire({ signal: controller.signal });
    const second = limiter.acquire();
    expect(limiter.waiting).toBe(2);
    controller.abort(new Error("no longer needed"));
    await expect(first).rejects.toThrow("no longer needed");
    expect(limiter.waiting).toBe(1);
    limiter.dispose();
    await expect(second).rejects.toBeInstanceOf(RateLimitedError);
    await expect(limiter.acquire({ signal: controller.signal })).rejects.toThrow("no longer needed");
  });

  it("bad options are InvalidArgumentError", async () => {
    for (const rate of [0, -1, Number.NaN, Infinity, "5" as never]) expect(() => new RateLimiter({ rate })).toThrow(InvalidArgumentError);
    for (const burst of [0, 1.5, -2]) expect(() => new TokenBucket({ rate: 1, burst })).toThrow(InvalidArgumentError);
    expect(() => new RateLimiter({ rate: 1, mode: "drop" as never })).toThrow(InvalidArgumentError);
    expect(() => new RateLimiter(undefined as never)).toThrow(InvalidArgumentError);
    await expect(new RateLimiter({ rate: 1 }).acquire({ signal: 1 as never })).rejects.toThrow(InvalidArgumentError);
  });
});

describe(`CircuitBreaker on ${runtimeName}`, () => {
  it("for any sequence of outcomes and clock steps it follows the state machine, and an open breaker calls nothing", async () => {
    type Step = { dt: number } | { ok: boolean };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.oneof(fc.record({ dt: fc.nat({ max: 150 }) }), fc.record({ ok: fc.boolean() })), { maxLength: 60 }),
        async (maxFailures, resetTimeout, steps: Step[]) => {
          let t = 0;
          const changes: CircuitState[] = [];
          const breaker = new CircuitBreaker({ maxFailures, resetTimeout, now: () => t, onStateChange: (s) => changes.push(s) });
          // The model.
          let state: CircuitState = "closed";
          let failures = 0;
          let openedAt = 0;
          let streak = 0; // failures in a row that reached the target while closed
          for (const step of steps) {
            if ("dt" in step) {
              t += step.dt;
              continue;
            }
            if (state === "open" && t - openedAt >= resetTimeout) state = "half-open";
            let called = false;
            const outcome = await breaker.call(() => {
              called = true;
              if (!step.ok) throw new Error("down");
              return 1;
            }).then(() => "ok", (e: unknown) => (e instanceof CircuitOpenError ? "open" : "failed"));
            if (state === "open") {
              expect(called).toBe(false);
              expect(outcome).toBe("open");
            } else {
              expect(called).toBe(true);
              expect(outcome).toBe(step.ok ? "ok" : "failed");
              if (step.ok) [state, failures, streak] = ["closed", 0, 0];
              else if (state === "half-open" || ++failures >= maxFailures) [state, openedAt, failures, streak] = ["open", t, 0, 0];
              else streak++;
            }
            expect(streak).toBeLessThan(maxFailures);
            expect(breaker.state).toBe(state);
          }
          for (let i = 1; i < changes.length; i++) expect(changes[i]).not.toBe(changes[i - 1]);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("around asks: opens after maxFailures, fails fast without asking, a trial after resetTimeout closes it", async () => {
    let t = 0;
    const failing = await system.spawn(Responder, { kind: "fail", value: 1 });
    const healthy = await system.spawn(Responder, { kind: "reply", value: 2 }, { worker: 1 });
    const breaker = new CircuitBreaker({ name: "payments", maxFailures: 3, resetTimeout: 1_000, now: () => t });
    for (let i = 0; i < 3; i++) await expect(breaker.ask(failing, "get")).rejects.toThrow("responder 1 fails");
    expect(breaker.state).toBe("open");
    const open = await breaker.ask(failing, "get").catch((e: unknown) => e);
    expect(open).toBeInstanceOf(CircuitOpenError);
    expect((open as CircuitOpenError).retryInMs).toBe(1_000);
    expect(await failing.ask("asked")).toBe(3); // the fourth never reached it
    t += 1_000;
    expect(breaker.state).toBe("half-open");
    const value: number | undefined = await breaker.ask(healthy, "get");
    expect(value).toBe(2);
    expect(breaker.state).toBe("closed");
  });

  it("half-open lets one trial through at a time; a slow call's late outcome does not count in a later state", async () => {
    let t = 0;
    const breaker = new CircuitBreaker({ maxFailures: 1, resetTimeout: 10, now: () => t });
    const slow = Promise.withResolvers<number>();
    const slowCall = breaker.call(() => slow.promise); // started while closed
    await expect(breaker.call(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(breaker.state).toBe("open");
    t += 10;
    const trial = Promise.withResolvers<number>();
    const trialCall = breaker.call(() => trial.promise);
    await expect(breaker.call(() => 1)).rejects.toBeInstanceOf(CircuitOpenError); // one trial at a time
    slow.resolve(5); // started in the closed state: does not close the half-open breaker
    expect(await slowCall).toBe(5);
    expect(breaker.state).toBe("half-open");
    trial.reject(new Error("still down"));
    await expect(trialCall).rejects.toThrow("still down");
    expect(breaker.state).toBe("open");
  });

  it("callTimeout: an ask with no answer in time is a failure; isFailure can exempt errors", async () => {
    const silent = await system.spawn(Responder, { kind: "silent", value: 3 });
    const breaker = new CircuitBreaker({ maxFailures: 1, resetTimeout: 60_000, callTimeout: 50 }); // timer-under-test
    await expect(breaker.ask(silent, "get")).rejects.toBeInstanceOf(AskTimeoutError);
    expect(breaker.state).toBe("open");
    const lenient = new CircuitBreaker({ maxFailures: 1, isFailure: (e) => !(e instanceof RangeError) });
    await expect(lenient.call(() => Promise.reject(new RangeError("bad input")))).rejects.toThrow(RangeError);
    expect(lenient.state).toBe("closed");
  });

  it("bad options are InvalidArgumentError", () => {
    for (const maxFailures of [0, -1, 2.5, Number.NaN]) expect(() => new CircuitBreaker({ maxFailures })).toThrow(InvalidArgumentError);
    for (const resetTimeout of [0, -5, Number.NaN, Infinity]) {
      expect(() => new CircuitBreaker({ resetTimeout })).toThrow(InvalidArgumentError);
    }
    expect(() => new CircuitBreaker({ callTimeout: 0 })).toThrow(InvalidArgumentError);
    expect(() => new CircuitBreaker({ isFailure: 1 as never })).toThrow(InvalidArgumentError);
    expect(() => new CircuitBreaker(7 as never)).toThrow(InvalidArgumentError);
  });
});

/**
 * `ctx.timers`: an actor's keyed timers (Akka's `TimerScheduler`). When a timer fires, the
 * actor gets the message `name` with `arg` from itself, in mailbox order. Starting a key
 * again replaces its timer; the actor's timers are cancelled when it stops or restarts.
 * They run on the loop's clock: the real one, or the testkit's virtual clock.
 *
 * @example
 * ```ts
 * export const Poller = defineActor(import.meta.url, {
 *   init: (_: void, ctx) => {
 *     ctx.timers.startPeriodic("poll", "tick", null, 1_000);
 *     return { ticks: 0 };
 *   },
 *   handlers: {
 *     tick(state, _: null, ctx) {
 *       if (++state.ticks === 3) ctx.timers.cancel("poll");
 *     },
 *   },
 * });
 * ```
 * @module
 */
import type { TimerScheduler } from "../actor/context.ts";
import { checkMessageName } from "../actor/validate.ts";
import { InvalidArgumentError } from "../errors.ts";
import type { Clock } from "../util/clock.ts";

/** What an actor's timers need: the clock, and a way to send the actor a message from itself. */
export interface TimersHost {
  readonly clock: Clock;
  /** Sends `name`(`arg`) to the actor from itself; throws what `tell` throws (an encode error). */
  tellSelf(name: string, arg: unknown): void;
  /** A timer's message could not be sent (it is then cancelled). */
  failed(key: string, error: unknown): void;
}

function checkDelay(what: string, ms: unknown): asserts ms is number {
  if (typeof ms !== "number" || !(ms >= 0) || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(`ctx.timers.${what}: the delay must be a finite number of milliseconds >= 0; got ${String(ms)}.`);
  }
}

/** The timers of one actor. */
export class ActorTimers implements TimerScheduler {
  readonly #host: TimersHost;
  readonly #active = new Map<string, unknown>();

  constructor(host: TimersHost) {
    this.#host = host;
  }

  startSingle(key: string, name: string, arg: unknown, delayMs: number): void {
    this.#start("startSingle", key, name, arg, delayMs, false);
  }

  startPeriodic(key: string, name: string, arg: unknown, intervalMs: number): void {
    this.#start("startPeriodic", key, name, arg, intervalMs, true);
    if (intervalMs === 0) {
      this.cancel(key);
      throw new InvalidArgumentError("ctx.timers.startPeriodic: the interval must be > 0 ms.");
    }
  }

  #start(what: string, key: string, name: string, arg: unknown, ms: number, periodic: boolean): void {
    if (typeof key !== "string") throw new InvalidArgumentError(`ctx.timers.${what}: the key must be a string; got ${typeof key}.`);
    checkMessageName(name);
    checkDelay(what, ms);
    this.cancel(key);
    const fire = (): void => {
      if (periodic) this.#active.set(key, this.#host.clock.setTimeout(fire, ms));
      else this.#active.delete(key);
      try {
        this.#host.tellSelf(name, arg);
      } catch (e) {
        this.cancel(key);
        this.#host.failed(key, e);
      }
    };
    this.#active.set(key, this.#host.clock.setTimeout(fire, ms));
  }

  cancel(key: string): void {
    const handle = this.#active.get(key);
    if (handle === undefined) return;
    this.#active.delete(key);
    this.#host.clock.clearTimeout(handle);
  }

  isActive(key: string): boolean {
    return this.#active.has(key);
  }

  cancelAll(): void {
    for (const key of [...this.#active.keys()]) this.cancel(key);
  }
}

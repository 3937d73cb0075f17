/**
 * Timers: messages to an actor later, once or periodically, by key (Akka typed's
 * `TimerScheduler`, Erlang's `erlang:send_after`). Two shapes:
 *
 * - `TimerScheduler`, inside an actor: `new TimerScheduler(ctx.self)` in `init`, kept in the
 *   state; its timers tell the actor itself. Starting a timer under a key that is active
 *   replaces it. Restart-safe: a new scheduler for the same actor (made by `init` after a
 *   restart) cancels the old one's timers, so they do not pile up. Call `cancelAll()` in
 *   `onStop`.
 * - `Scheduler` (actors/scheduler.ts), a small owner actor with a handle that travels:
 *   the main loop or any actor schedules messages to any ref.
 *
 * Timers run on the worker's event loop (`setTimeout`); a message a timer has already sent
 * is delivered even if the timer is cancelled afterwards (as with Erlang's
 * `cancel_timer`): cancel before it fires and nothing is sent.
 *
 * The core's `ctx.timers` does the same for an actor's own messages, with cancellation on
 * stop and restart built in and the testkit's virtual clock. `TimerScheduler` has its
 * methods and argument order (`startSingle(key, name, arg, delayMs)`, …), typed by the
 * actor's protocol, and is built on the public API only; it can become a thin typed layer
 * over `ctx.timers`.
 *
 * @example
 * ```ts
 * export const Heartbeat = defineActor(import.meta.url, {
 *   init: (_: void, ctx) => ({ timers: new TimerScheduler(ctx.self), beats: 0 }),
 *   handlers: {
 *     start(state) { state.timers.startPeriodic("beat", "beat", undefined, 1_000); },
 *     beat(state) { state.beats++; },
 *   },
 *   onStop(state) { state.timers.cancelAll(); },
 * });
 * ```
 * @module
 */
import { type ActorRef, type AnyDefinition, InvalidArgumentError, type MessageName, type TellArgs } from "../mod.ts";
import { checkPositive } from "./errors.ts";

type TimerId = ReturnType<typeof setTimeout>;

/** @internal */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== "string") throw new InvalidArgumentError(`a timer key must be a string; got ${typeof key}.`);
}

/** @internal */
export function checkDelay(what: string, ms: unknown): asserts ms is number {
  if (typeof ms !== "number" || Number.isNaN(ms) || ms < 0 || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(`${what} must be a finite number of milliseconds ≥ 0; got ${String(ms)}.`);
  }
}

/**
 * Keyed timers that send to refs: the core of `TimerScheduler` and the `Scheduler` owner.
 *
 * @example
 * ```ts
 * const timers = new Timers();
 * timers.start("k", counter, "inc", 1, 100, false); // inc(1) to counter in 100 ms
 * ```
 */
export class Timers {
  readonly #active = new Map<string, { timer: TimerId; periodic: boolean }>();

  get keys(): string[] {
    return [...this.#active.keys()];
  }

  has(key: string): boolean {
    return this.#active.has(key);
  }

  start(key: string, target: ActorRef, name: string, arg: unknown, ms: number, periodic: boolean): void {
    this.cancel(key);
    const fire = () => {
      if (!periodic) this.#active.delete(key);
      try {
        target.tell(name, arg);
      } catch {
        this.cancel(key); // the system is stopping, or the target refuses: this timer is done
      }
    };
    const timer = periodic ? setInterval(fire, Math.max(1, ms)) : setTimeout(fire, ms);
    this.#active.set(key, { timer, periodic });
  }

  cancel(key: string): boolean {
    const t = this.#active.get(key);
    if (!t) return false;
    if (t.periodic) clearInterval(t.timer);
    else clearTimeout(t.timer);
    this.#active.delete(key);
    return true;
  }

  cancelAll(): void {
    for (const key of [...this.#active.keys()]) this.cancel(key);
  }
}

/** The live scheduler of each actor on this worker, so that a restart's new one cancels the old. */
const schedulers = new Map<string, TimerScheduler>();

/**
 * Timers that tell their own actor, by key.
 *
 * @example
 * ```ts
 * const timers = new TimerScheduler(counter); // in init: new TimerScheduler(ctx.self)
 * timers.startSingle("nudge", "inc", 1, 500);  // inc(1) in 500 ms
 * timers.cancel("nudge");                      // true: it had not fired
 * ```
 */
// deno-lint-ignore no-explicit-any
export class TimerScheduler<D extends AnyDefinition = any> {
  readonly self: ActorRef<D>;
  readonly #timers = new Timers();

  constructor(self: ActorRef<D>) {
    if (typeof self?.tell !== "function") throw new InvalidArgumentError("TimerScheduler needs the actor's own ref (ctx.self).");
    this.self = self;
    const id = `${self.node}:${self.address}`;
    schedulers.get(id)?.cancelAll(); // the previous incarnation's (a restart)
    schedulers.set(id, this);
  }

  /** The keys of the timers still to fire. */
  get activeKeys(): string[] {
    return this.#timers.keys;
  }

  /** True while the timer under `key` has not fired (single) or has not been cancelled (periodic). */
  isActive(key: string): boolean {
    return this.#timers.has(key);
  }

  /**
   * Tells the actor `name(arg)` once, after `delayMs`; replaces an active timer under `key`.
   *
   * @example
   * ```ts
   * timers.startSingle("timeout", "inc", 1, 5_000);
   * ```
   */
  startSingle<K extends MessageName<D>>(key: string, name: K, arg: TellArgs<D, K>[0], delayMs: number): void {
    checkKey(key);
    checkDelay("TimerScheduler.startSingle delayMs", delayMs);
    this.#timers.start(key, this.self, name, arg, delayMs, false);
  }

  /**
   * Tells the actor `name(arg)` every `intervalMs` until cancelled; replaces an active timer under `key`.
   *
   * @example
   * ```ts
   * timers.startPeriodic("poll", "inc", 1, 1_000);
   * ```
   */
  startPeriodic<K extends MessageName<D>>(key: string, name: K, arg: TellArgs<D, K>[0], intervalMs: number): void {
    checkKey(key);
    checkPositive("TimerScheduler.startPeriodic intervalMs", intervalMs);
    this.#timers.start(key, this.self, name, arg, intervalMs, true);
  }

  /**
   * Cancels the timer under `key`; false when none was active.
   *
   * @example
   * ```ts
   * timers.cancel("poll");
   * ```
   */
  cancel(key: string): boolean {
    return this.#timers.cancel(key);
  }

  /**
   * Cancels every timer (call it in `onStop`).
   *
   * @example
   * ```ts
   * timers.cancelAll();
   * ```
   */
  cancelAll(): void {
    this.#timers.cancelAll();
    const id = `${this.self.node}:${this.self.address}`;
    if (schedulers.get(id) === this) schedulers.delete(id);
  }
}

/**
 * Circuit breakers (Akka's `pattern.CircuitBreaker`, Nygard's *Release It!*): after
 * `maxFailures` failures in a row the breaker **opens** and calls fail at once with
 * `CircuitOpenError`, sparing a struggling actor; after `resetTimeout` it is **half-open**
 * and lets one trial call through — success closes it, failure opens it again.
 *
 * A failure is a call that throws or rejects (an ask's `AskTimeoutError` after
 * `callTimeout` included), unless `isFailure` says otherwise. No timer runs: the breaker
 * reads its clock (injectable, for tests) when a call comes. A call's outcome counts only
 * in the state it started in: a slow call that fails after the breaker opened does not
 * open it again, and one that succeeds then does not close it.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ maxFailures: 3, resetTimeout: 10_000, callTimeout: 500 });
 * const n = await breaker.ask(counter, "get"); // CircuitOpenError while open
 * ```
 * @module
 */
import { type ActorRef, type AnyDefinition, type AskArgs, type AskReply, InvalidArgumentError, type MessageName } from "../mod.ts";
import { checkInt, checkObject, checkPositive, CircuitOpenError } from "./errors.ts";

/**
 * Where a breaker stands.
 *
 * @example
 * ```ts
 * const state: CircuitState = breaker.state; // "closed" | "open" | "half-open"
 * ```
 */
export type CircuitState = "closed" | "open" | "half-open";

/**
 * Options of {@link CircuitBreaker}.
 *
 * @example
 * ```ts
 * const options: CircuitBreakerOptions = { maxFailures: 3, resetTimeout: 5_000, callTimeout: 200 };
 * ```
 */
export interface CircuitBreakerOptions {
  /** A name for errors (default "circuit breaker"). */
  name?: string;
  /** Failures in a row that open the breaker (an integer ≥ 1; default 5). */
  maxFailures?: number;
  /** Milliseconds the breaker stays open before a trial call (> 0; default 30 000). */
  resetTimeout?: number;
  /** The timeout of asks made through `breaker.ask` (> 0, or Infinity; default: the system's `askTimeout`). */
  callTimeout?: number;
  /** Which errors count as failures (default: all). */
  isFailure?: (error: unknown) => boolean;
  /** Told each change of state. */
  onStateChange?: (state: CircuitState) => void;
  /** The clock, in milliseconds (default `performance.now`); tests pass their own. */
  now?: () => number;
}

/**
 * A circuit breaker around asks (or any async call).
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ maxFailures: 2, resetTimeout: 1_000, onStateChange: (s) => console.log(s) });
 * const value = await breaker.call(() => counter.ask("get"));
 * ```
 */
export class CircuitBreaker {
  readonly name: string;
  readonly maxFailures: number;
  readonly resetTimeout: number;
  readonly callTimeout: number | undefined;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #onStateChange: ((state: CircuitState) => void) | undefined;
  readonly #now: () => number;
  #state: CircuitState = "closed";
  #failures = 0;
  #openedAt = 0;
  #trialRunning = false;
  /** Bumped at every change of state: a call's outcome counts only in the state it started in. */
  #epoch = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    checkObject("CircuitBreaker options", options);
    const { name = "circuit breaker", maxFailures = 5, resetTimeout = 30_000, callTimeout, isFailure, onStateChange } = options;
    checkInt("CircuitBreaker option maxFailures", maxFailures, 1);
    checkPositive("CircuitBreaker option resetTimeout", resetTimeout);
    if (callTimeout !== undefined) checkPositive("CircuitBreaker option callTimeout", callTimeout, true);
    for (const [what, f] of [["isFailure", isFailure], ["onStateChange", onStateChange], ["now", options.now]] as const) {
      if (f !== undefined && typeof f !== "function") throw new InvalidArgumentError(`CircuitBreaker option ${what} must be a function.`);
    }
    this.name = name;
    this.maxFailures = maxFailures;
    this.resetTimeout = resetTimeout;
    this.callTimeout = callTimeout;
    this.#isFailure = isFailure ?? (() => true);
    this.#onStateChange = onStateChange;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The state now (an open breaker whose `resetTimeout` has passed reads `half-open`). */
  get state(): CircuitState {
    if (this.#state === "open" && this.#now() - this.#openedAt >= this.resetTimeout) this.#set("half-open");
    return this.#state;
  }

  /** Failures in a row so far (while closed). */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Runs `fn` through the breaker: rejects with `CircuitOpenError` without calling it while
   * open (and while a half-open trial is under way).
   *
   * @example
   * ```ts
   * const n = await breaker.call(() => counter.ask("get"));
   * ```
   */
  async call<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    const state = this.state;
    if (state === "open") throw new CircuitOpenError(this.name, this.resetTimeout - (this.#now() - this.#openedAt));
    if (state === "half-open") {
      if (this.#trialRunning) throw new CircuitOpenError(this.name, 0);
      this.#trialRunning = true;
    }
    const trial = state === "half-open";
    const epoch = this.#epoch;
    try {
      const value = await fn();
      if (epoch === this.#epoch) this.#succeeded();
      return value;
    } catch (e) {
      if (epoch === this.#epoch) {
        if (this.#isFailure(e)) this.#failed();
        else this.#succeeded();
      }
      throw e;
    } finally {
      if (trial) this.#trialRunning = false;
    }
  }

  /**
   * Asks `ref` through the breaker, with `callTimeout` as the ask's timeout unless the
   * call gives one.
   *
   * @example
   * ```ts
   * const n: number = await breaker.ask(counter, "get");
   * ```
   */
  ask<D extends AnyDefinition, K extends MessageName<D>>(ref: ActorRef<D>, name: K, ...args: AskArgs<D, K>): Promise<AskReply<D, K>> {
    const target = this.callTimeout === undefined ? ref : ref.with({ timeout: this.callTimeout });
    return this.call(() => target.ask(name, ...args));
  }

  /**
   * Closes the breaker by hand (failures forgotten).
   *
   * @example
   * ```ts
   * breaker.reset();
   * ```
   */
  reset(): void {
    this.#failures = 0;
    this.#set("closed");
  }

  #succeeded(): void {
    this.#failures = 0;
    if (this.#state !== "closed") this.#set("closed");
  }

  #failed(): void {
    if (this.#state === "half-open" || ++this.#failures >= this.maxFailures) {
      this.#openedAt = this.#now();
      this.#failures = 0;
      this.#set("open");
    }
  }

  #set(state: CircuitState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#epoch++;
    this.#onStateChange?.(state);
  }
}

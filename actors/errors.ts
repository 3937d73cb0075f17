/**
 * The errors of the ready-made actors, and the option checks they share. Both error
 * classes are registered, so they keep their class when they cross a worker boundary
 * (a handler that calls through a breaker and lets the error out rejects its caller's ask
 * with a `CircuitOpenError`).
 *
 * @example
 * ```ts
 * try { await breaker.ask(counter, "get"); }
 * catch (e) { if (e instanceof CircuitOpenError) console.log("retry in", e.retryInMs, "ms"); }
 * ```
 * @module
 */
import { InvalidArgumentError, MissiveError, registerErrorClass } from "../mod.ts";

/**
 * A circuit breaker is open: the call was not made. `retryInMs` is how long until it lets
 * a trial call through.
 *
 * @example
 * ```ts
 * const e = new CircuitOpenError("payments", 250);
 * console.log(e.retryInMs); // 250
 * ```
 */
export class CircuitOpenError extends MissiveError {
  /** The breaker's name. */ readonly breaker: string;
  /** Milliseconds until the breaker lets a trial call through (0: now, another trial is under way). */ readonly retryInMs: number;
  constructor(breaker: string, retryInMs: number) {
    super(
      `circuit breaker "${breaker}" is open: the call was not made. ` +
        (retryInMs > 0 ? `It lets a trial call through in ${Math.ceil(retryInMs)} ms.` : `A trial call is under way.`),
    );
    this.breaker = breaker;
    this.retryInMs = retryInMs;
  }
}

/**
 * A rate limiter in `reject` mode had no token for the call: it was not made.
 *
 * @example
 * ```ts
 * const e = new RateLimitedError("api", 100);
 * console.log(e.retryInMs); // 100
 * ```
 */
export class RateLimitedError extends MissiveError {
  /** The limiter's name. */ readonly limiter: string;
  /** Milliseconds until a token is there. */ readonly retryInMs: number;
  constructor(limiter: string, retryInMs: number) {
    super(`rate limiter "${limiter}" has no token: the call was not made. Retry in ${Math.ceil(retryInMs)} ms, or use mode "wait".`);
    this.limiter = limiter;
    this.retryInMs = retryInMs;
  }
}

/**
 * A router (or pool) has no routees to send to.
 *
 * @example
 * ```ts
 * const e = new NoRouteesError("round-robin router", "work");
 * ```
 */
export class NoRouteesError extends MissiveError {
  /** The message that could not be routed. */ readonly messageName: string;
  constructor(router: string, messageName: string) {
    super(`${router} has no routees to send "${messageName}" to; add routees (router.add, pool.resize) first.`);
    this.messageName = messageName;
  }
}

registerErrorClass(CircuitOpenError);
registerErrorClass(NoRouteesError);
registerErrorClass(RateLimitedError);

/**
 * Throws `InvalidArgumentError` unless `value` is an integer ≥ `min`.
 *
 * @example
 * ```ts
 * checkInt("Pool size", 0, 1); // throws: Pool size must be an integer ≥ 1; got 0.
 * ```
 */
export function checkInt(what: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}; got ${describe(value)}.`);
  }
}

/**
 * Throws `InvalidArgumentError` unless `value` is a number > 0 (finite unless `infinite`).
 *
 * @example
 * ```ts
 * checkPositive("rate", Number.NaN); // throws: rate must be a number > 0; got NaN.
 * ```
 */
export function checkPositive(what: string, value: unknown, infinite = false): asserts value is number {
  if (typeof value !== "number" || !(value > 0) || (!infinite && !Number.isFinite(value))) {
    throw new InvalidArgumentError(`${what} must be a ${infinite ? "" : "finite "}number > 0; got ${describe(value)}.`);
  }
}

/**
 * Throws `InvalidArgumentError` unless `options` is `undefined` or an object.
 *
 * @example
 * ```ts
 * checkObject("Topic.open options", 3); // throws
 * ```
 */
export function checkObject(what: string, options: unknown): void {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new InvalidArgumentError(`${what} must be an object; got ${describe(options)}.`);
  }
}

/**
 * Throws `InvalidArgumentError` unless `signal` is `undefined` or an `AbortSignal`.
 *
 * @example
 * ```ts
 * checkAbortSignal("scatterGather option signal", signal);
 * ```
 */
export function checkAbortSignal(what: string, signal: unknown): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError(`${what} must be an AbortSignal; got ${describe(signal)}.`);
  }
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : typeof value === "object" && value !== null ? "an object" : String(value);
}

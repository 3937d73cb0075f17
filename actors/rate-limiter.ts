/**
 * Rate limiting by token bucket: `rate` tokens per second drip into a bucket of `burst`;
 * each call takes one. `TokenBucket` is the arithmetic (with an injectable clock);
 * `RateLimiter` puts it around asks and sends: in `wait` mode a call without a token waits
 * for one (FIFO; cancel with a `signal`), in `reject` mode it fails at once with
 * `RateLimitedError`.
 *
 * A limiter lives on the loop that uses it (the main loop, or inside one actor, with its
 * timer cleared in `onStop` by `dispose()`): it limits what that loop sends, not what the
 * target receives from others.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ rate: 100, burst: 10 }); // 100 asks/s, bursts of 10
 * const n = await limiter.ask(counter, "get");               // waits for a token when needed
 * ```
 * @module
 */
import {
  type ActorRef,
  type AnyDefinition,
  type AskArgs,
  type AskReply,
  InvalidArgumentError,
  type MessageName,
  type SendArgs,
} from "../mod.ts";
import { checkAbortSignal, checkInt, checkObject, checkPositive, RateLimitedError } from "./errors.ts";

/**
 * Options of {@link TokenBucket}.
 *
 * @example
 * ```ts
 * const options: TokenBucketOptions = { rate: 50, burst: 5 }; // 50 per second, 5 at once
 * ```
 */
export interface TokenBucketOptions {
  /** Tokens added per second (a finite number > 0). */
  rate: number;
  /** Tokens the bucket holds at most, and starts with (an integer ≥ 1; default 1). */
  burst?: number;
  /** The clock, in milliseconds (default `performance.now`); tests pass their own. */
  now?: () => number;
}

/**
 * A token bucket.
 *
 * @example
 * ```ts
 * let t = 0;
 * const bucket = new TokenBucket({ rate: 2, burst: 2, now: () => t });
 * bucket.tryTake(); bucket.tryTake(); // true, true
 * bucket.tryTake();                   // false: empty
 * t += 500;                           // half a second: one token
 * bucket.tryTake();                   // true
 * ```
 */
export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: TokenBucketOptions) {
    checkObject("TokenBucket options", options);
    const { rate, burst = 1, now = () => performance.now() } = options ?? ({} as TokenBucketOptions);
    checkPositive("rate (tokens per second)", rate);
    checkInt("burst", burst, 1);
    this.rate = rate;
    this.burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Tokens in the bucket now (fractional while refilling). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is there (0: now). */
  waitTime(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 1000) / this.rate;
  }

  #refill(): void {
    const now = this.#now();
    if (now > this.#last) this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) * this.rate) / 1000);
    this.#last = Math.max(this.#last, now);
  }
}

/**
 * Options of {@link RateLimiter}.
 *
 * @example
 * ```ts
 * const options: RateLimiterOptions = { rate: 10, burst: 2, mode: "reject", name: "search" };
 * ```
 */
export interface RateLimiterOptions extends TokenBucketOptions {
  /** A name for errors (default "rate limiter"). */
  name?: string;
  /** Without a token: `wait` (default) for one, or `reject` with `RateLimitedError`. */
  mode?: "wait" | "reject";
}

/**
 * Options of a wait for a token.
 *
 * @example
 * ```ts
 * const options: AcquireOptions = { signal: AbortSignal.timeout(500) };
 * ```
 */
export interface AcquireOptions {
  /** Aborting the wait rejects with the signal's reason; the token is not taken. */
  signal?: AbortSignal;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A token-bucket rate limiter around asks and sends.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ rate: 5, burst: 1, mode: "reject", name: "api" });
 * try { await limiter.ask(counter, "get"); } catch (e) { if (e instanceof RateLimitedError) console.log(e.retryInMs); }
 * ```
 */
export class RateLimiter implements Disposable {
  readonly name: string;
  readonly mode: "wait" | "reject";
  readonly bucket: TokenBucket;
  readonly #waiting: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RateLimiterOptions) {
    checkObject("RateLimiter options", options);
    this.bucket = new TokenBucket(options);
    const { name = "rate limiter", mode = "wait" } = options;
    if (mode !== "wait" && mode !== "reject") {
      throw new InvalidArgumentError(`RateLimiter option mode must be "wait" or "reject"; got ${String(mode)}.`);
    }
    this.name = name;
    this.mode = mode;
  }

  /** Calls waiting for a token. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Takes a token without waiting; false when there is none (or others are waiting first).
   *
   * @example
   * ```ts
   * if (limiter.tryAcquire()) counter.tell("inc", 1);
   * ```
   */
  tryAcquire(): boolean {
    return this.#waiting.length === 0 && this.bucket.tryTake();
  }

  /**
   * Takes a token: at once, or after waiting for one (FIFO) in `wait` mode; rejects with
   * `RateLimitedError` in `reject` mode, or with the signal's reason when aborted.
   *
   * @example
   * ```ts
   * await limiter.acquire({ signal: AbortSignal.timeout(1_000) });
   * ```
   */
  acquire(options?: AcquireOptions): Promise<void> {
    try {
      checkObject("acquire options", options);
      checkAbortSignal("acquire option signal", options?.signal);
      options?.signal?.throwIfAborted();
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.tryAcquire()) return Promise.resolve();
    if (this.mode === "reject") return Promise.reject(new RateLimitedError(this.name, this.bucket.waitTime()));
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const signal = options?.signal;
    const waiter: Waiter = {
      resolve,
      reject,
      signal,
      onAbort: () => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        if (i === 0) this.#arm(); // the next one is at the head now
        reject(signal!.reason);
      },
    };
    signal?.addEventListener("abort", waiter.onAbort, { once: true });
    this.#waiting.push(waiter);
    if (this.#waiting.length === 1) this.#arm();
    return promise;
  }

  /**
   * Asks `ref` once a token is there. The ask's `signal` also cancels the wait.
   *
   * @example
   * ```ts
   * const n = await limiter.ask(counter, "get");
   * ```
   */
  async ask<D extends AnyDefinition, K extends MessageName<D>>(ref: ActorRef<D>, name: K, ...args: AskArgs<D, K>): Promise<AskReply<D, K>> {
    const signal = (args[1] as { signal?: AbortSignal } | undefined)?.signal;
    await this.acquire(signal === undefined ? undefined : { signal });
    return await ref.ask(name, ...args);
  }

  /**
   * Sends to `ref` (as `ref.send`) once a token is there.
   *
   * @example
   * ```ts
   * await limiter.send(counter, "inc", 1);
   * ```
   */
  async send<D extends AnyDefinition, K extends MessageName<D>>(ref: ActorRef<D>, name: K, ...args: SendArgs<D, K>): Promise<void> {
    const signal = (args[1] as { signal?: AbortSignal } | undefined)?.signal;
    await this.acquire(signal === undefined ? undefined : { signal });
    await ref.send(name, ...args);
  }

  /**
   * Rejects every waiting call (with `reason`) and clears the timer: call it in `onStop`
   * when the limiter lives in an actor.
   *
   * @example
   * ```ts
   * limiter.dispose(); // e.g. onStop(state) { state.limiter.dispose(); }
   * ```
   */
  dispose(reason: unknown = new RateLimitedError(this.name, Infinity)): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#waiting.splice(0)) {
      w.signal?.removeEventListener("abort", w.onAbort);
      w.reject(reason);
    }
  }

  /** `using` disposes at the end of the scope. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Wakes when the head waiter's token is due; hands out what is there, FIFO. */
  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#waiting.length > 0 && this.bucket.tryTake()) {
      const w = this.#waiting.shift()!;
      w.signal?.removeEventListener("abort", w.onAbort);
      w.resolve();
    }
    if (this.#waiting.length === 0) return;
    this.#timer = setTimeout(() => this.#arm(), Math.max(1, Math.ceil(this.bucket.waitTime())));
  }
}

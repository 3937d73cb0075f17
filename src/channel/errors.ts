/**
 * The errors of channels, barriers and latches. Both extend `MissiveError` and are added
 * to the wire's error registry when this module loads, so they keep their class when
 * they cross a worker boundary (e.g. thrown by an actor's handler into an ask).
 *
 * @example
 * ```ts
 * try { await ch.put(item); }
 * catch (e) { if (e instanceof ChannelClosedError) requeue(e.value); } // the value was not sent
 * ```
 * @module
 */
import { MissiveError } from "../errors.ts";
import { registerErrorClass } from "../error-registry.ts";
import { describeError } from "../util/error-text.ts";

/**
 * The channel (or barrier, or latch) is closed. From `put`/`tryPut` it carries the value
 * that was **not** sent (`value`, `hasValue`); from `get` it means the channel is closed
 * and every buffered item has been taken. When the channel was closed with a reason, or
 * its owner actor is gone, that is the `cause`; a plain `close()` leaves no cause (and
 * `for await` then ends quietly instead of throwing).
 *
 * @example
 * ```ts
 * await ch.close();
 * const e = await ch.put(42).catch((e) => e);
 * e instanceof ChannelClosedError && e.value; // 42
 * ```
 */
export class ChannelClosedError<T = unknown> extends MissiveError {
  /** The value that was not sent (puts only; `undefined` otherwise). */
  readonly value: T | undefined;
  /** True when the error carries an unsent value. */
  readonly hasValue: boolean;
  constructor(what: string, options: { value?: T; hasValue?: boolean; cause?: unknown } = {}) {
    const hasValue = options.hasValue ?? "value" in options;
    const why = "cause" in options && options.cause !== undefined ? ` (${describeError(options.cause)})` : "";
    super(
      hasValue
        ? `Cannot put into ${what}: it is closed${why}. The value was not sent; it is in error.value.`
        : `${what} is closed${why} and has nothing more to give.`,
      "cause" in options && options.cause !== undefined ? { cause: options.cause } : undefined,
    );
    this.value = options.value;
    this.hasValue = hasValue;
  }
}

/**
 * A wait (`put`, `get`, `join`, `select`, a barrier's or latch's `wait`) did not complete
 * within its `timeout`. Like an abort, it took effect at the owner: see the cancellation
 * rules in `channel.ts` (a put that was already accepted resolves instead).
 *
 * @example
 * ```ts
 * const item = await ch.get({ timeout: 100 }).catch((e) => (e instanceof WaitTimeoutError ? null : Promise.reject(e)));
 * ```
 */
export class WaitTimeoutError extends MissiveError {
  /** The timeout that passed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not complete within ${timeoutMs} ms; raise { timeout } or find out why nothing arrived.`);
    this.timeoutMs = timeoutMs;
  }
}

// The wire re-creates errors by name from this registry (see src/error-registry.ts).
registerErrorClass(ChannelClosedError);
registerErrorClass(WaitTimeoutError);

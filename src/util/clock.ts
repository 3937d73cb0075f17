/**
 * The clock a loop reads and sets its timers on: the real one (`performance.now`,
 * `setTimeout`), or a virtual one the testkit's deterministic mode advances by hand. Ask
 * timeouts, supervision backoff, the init timeout and `ctx.timers` go through it.
 *
 * @example
 * ```ts
 * const t = realClock.setTimeout(() => console.log("later"), 100);
 * realClock.clearTimeout(t);
 * ```
 * @module
 */

/** A timer's handle, as the clock that set it gives it back. */
export type TimerHandle = unknown;

/** Reads time and sets one-shot timers. */
export interface Clock {
  /** Milliseconds on this clock (monotonic). */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds of this clock. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer (an unknown or fired handle is ignored). */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

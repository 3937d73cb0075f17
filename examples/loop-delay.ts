/**
 * Measures how late a 10 ms interval timer fires on the current event loop: the
 * lateness of a timer is how long anything else kept the loop busy, so it tells how
 * responsive the loop stayed.
 *
 * @example
 * ```ts
 * using delay = new LoopDelayMonitor(); // stopped at the end of the scope, even on error
 * // … work …
 * const { maxMs, p99Ms } = delay.stop();
 * ```
 * @module
 */

/** Interval of the probe timer, in milliseconds. */
export const PROBE_INTERVAL_MS = 10;

/** Lateness statistics, in milliseconds. */
export interface DelayStats {
  /** Number of timer ticks measured. */
  samples: number;
  /** Worst lateness. */
  maxMs: number;
  /** Median lateness. */
  p50Ms: number;
  /** 99th percentile of lateness. */
  p99Ms: number;
}

/** A running probe of event-loop delay; {@link stop} (or dispose) it to let the process exit. */
export class LoopDelayMonitor implements Disposable {
  readonly #samples: number[] = [];
  #expected = performance.now() + PROBE_INTERVAL_MS;
  #recentMax = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Starts the probe timer. */
  constructor() {
    this.#timer = setInterval(() => this.#tick(), PROBE_INTERVAL_MS); // timer-under-test
  }

  #tick(): void {
    const now = performance.now();
    const late = Math.max(0, now - this.#expected);
    this.#samples.push(late);
    this.#recentMax = Math.max(this.#recentMax, late);
    this.#expected = now + PROBE_INTERVAL_MS;
  }

  /** Worst lateness since the previous call (for live display). */
  takeRecentMax(): number {
    const max = this.#recentMax;
    this.#recentMax = 0;
    return max;
  }

  /** Statistics so far. */
  stats(): DelayStats {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { samples: sorted.length, maxMs: sorted.at(-1) ?? 0, p50Ms: at(0.5), p99Ms: at(0.99) };
  }

  /** Clears the timer and returns the final statistics. Idempotent. */
  stop(): DelayStats {
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.stats();
  }

  /** `using delay = new LoopDelayMonitor()` stops it at the end of the scope. */
  [Symbol.dispose](): void {
    this.stop();
  }
}

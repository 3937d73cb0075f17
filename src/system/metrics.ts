/**
 * Metrics: what `await system.metrics()` returns, and the event-loop lateness sampler
 * each worker runs (a coarse timer whose lateness is the loop's delay, like Node's
 * `monitorEventLoopDelay`, portable to Deno and Bun).
 *
 * @example
 * ```ts
 * const m = await system.metrics();
 * for (const w of m.workers) console.log(w.worker, w.eventLoopDelay.maxMs, w.actors.length);
 * ```
 * @module
 */

/** One actor's counters. */
export interface ActorMetrics {
  label: string;
  address: number;
  /** Messages waiting in the mailbox now. */
  mailboxDepth: number;
  /** The deepest the mailbox has been. */
  maxMailboxDepth: number;
  /** Mailbox capacity (0 = unbounded). */
  capacity: number;
  processed: number;
  restarts: number;
}

/** Event-loop delay over the last sampling window. */
export interface LoopDelay {
  /** Mean lateness of the sampling timer, ms. */
  meanMs: number;
  /** Worst lateness, ms. */
  maxMs: number;
  /** Samples in the window. */
  samples: number;
}

/** One worker's metrics. */
export interface WorkerMetrics {
  worker: number;
  eventLoopDelay: LoopDelay;
  processed: number;
  deadLetters: number;
  actors: ActorMetrics[];
}

/** The whole system's metrics. */
export interface SystemMetrics {
  workers: WorkerMetrics[];
  deadLetters: number;
  lateReplies: number;
}

const SAMPLE_MS = 20;

/** Samples event-loop lateness with a coarse interval timer; `take()` returns and resets the window. */
export class LatenessSampler {
  #timer: ReturnType<typeof setInterval> | undefined;
  #last = 0;
  #sum = 0;
  #max = 0;
  #n = 0;

  start(): void {
    this.#last = performance.now();
    this.#timer = setInterval(() => {
      const now = performance.now();
      const late = Math.max(0, now - this.#last - SAMPLE_MS);
      this.#last = now;
      this.#sum += late;
      this.#max = Math.max(this.#max, late);
      this.#n++;
    }, SAMPLE_MS);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  take(): LoopDelay {
    const d = { meanMs: this.#n ? this.#sum / this.#n : 0, maxMs: this.#max, samples: this.#n };
    this.#sum = this.#max = this.#n = 0;
    return d;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

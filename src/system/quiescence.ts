/**
 * Waiting for quiescence while the system runs (the testkit's `expectNoMessage`): the same
 * counting method as shutdown's drain (see `shutdown.ts`), without the shutdown. While
 * someone waits, every worker reports whenever it becomes idle, with how many envelopes it
 * sent to and received from every other loop; the system is quiescent when the main loop
 * is idle, every worker's last report is idle, and every sent-count equals the matching
 * received-count. Reports carry the epoch of the wait that asked for them, so a report
 * from an earlier wait (the worker may have been busy since) is never taken for a fresh one.
 *
 * What the counts cannot see: work that starts without a message — a timer an actor set
 * with `setTimeout`, I/O an actor started without awaiting it in its handler. Such work
 * may still send after the system looked quiescent.
 *
 * @example
 * ```ts
 * const quiet = new QuiescenceWatch(loop, pool, () => system.stopping);
 * counter.tell("inc", 1);
 * await quiet.wait(); // the tell, and everything it caused, has been processed
 * ```
 * @module
 */
import { SystemStoppedError } from "../errors.ts";
import type { Loop } from "./loop.ts";
import { quiescent } from "./shutdown.ts";
import type { WorkerPool } from "./worker-pool.ts";

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class QuiescenceWatch {
  readonly #loop: Loop;
  readonly #pool: WorkerPool;
  readonly #stopping: () => boolean;
  readonly #waiters = new Set<Waiter>();

  constructor(loop: Loop, pool: WorkerPool, stopping: () => boolean) {
    this.#loop = loop;
    this.#pool = pool;
    this.#stopping = stopping;
  }

  /**
   * Resolves once the system is quiescent: nothing queued, running or in flight anywhere.
   * Rejects with `SystemStoppedError` once shutdown has begun, or with the signal's reason.
   */
  wait(signal?: AbortSignal): Promise<void> {
    if (this.#stopping()) return Promise.reject(new SystemStoppedError("wait for quiescence"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const waiter: Waiter = { resolve, reject };
    const first = this.#waiters.size === 0;
    this.#waiters.add(waiter);
    if (signal) {
      const onAbort = (): void => {
        if (this.#remove(waiter)) reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      void promise.catch(() => undefined).finally(() => signal.removeEventListener("abort", onAbort));
    }
    if (first) this.#pool.startReporting();
    else this.check();
    return promise;
  }

  /** Something changed that may complete the waits (an idle report, the main loop idle, a worker lost). */
  check(): void {
    if (this.#waiters.size === 0) return;
    if (this.#stopping()) {
      this.#settleAll((w) => w.reject(new SystemStoppedError("wait for quiescence")));
      return;
    }
    if (!this.#loop.idle || !quiescent(this.#loop, this.#pool.slots)) return;
    this.#settleAll((w) => w.resolve());
  }

  #settleAll(settle: (w: Waiter) => void): void {
    const all = [...this.#waiters];
    this.#waiters.clear();
    if (!this.#stopping()) this.#pool.stopReporting();
    for (const w of all) settle(w);
  }

  #remove(waiter: Waiter): boolean {
    if (!this.#waiters.delete(waiter)) return false;
    if (this.#waiters.size === 0 && !this.#stopping()) this.#pool.stopReporting();
    return true;
  }
}

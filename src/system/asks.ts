/**
 * The asks a loop is waiting on: one entry per ask, settled exactly once by the reply,
 * the failure, the timeout, the caller's signal, or the loop shutting down. A reply
 * that finds no entry (it came too late) is counted, never delivered elsewhere.
 *
 * @example
 * ```ts
 * const asks = new PendingAsks();
 * const { id, promise } = asks.open("Counter#1@w0", "get", { timeout: 1000 });
 * asks.settle(id, true, 7); // promise resolves with 7
 * ```
 * @module
 */
import { AskTimeoutError } from "../errors.ts";
import type { AskOptions } from "../actor/ref.ts";

interface Pending {
  /** Loop of the asked actor (so asks to a lost worker can be failed). */
  target: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class PendingAsks {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** Replies that arrived after their ask had settled. */
  lateReplies = 0;

  /** Asks still waiting. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Opens an ask. A signal that is already aborted rejects at once (and `id` is 0: send nothing).
   * `timeout` of `Infinity` (or 0) means no timer.
   */
  open(actor: string, messageName: string, timeout: number, signal: AskOptions["signal"], target = -1): { id: number; promise: Promise<unknown> } {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    if (signal?.aborted) {
      reject(signal.reason);
      return { id: 0, promise };
    }
    const id = this.#nextId++;
    const entry: Pending = { target, resolve, reject, timer: undefined, signal, onAbort: undefined };
    if (timeout > 0 && Number.isFinite(timeout)) {
      entry.timer = setTimeout(() => this.#fail(id, new AskTimeoutError(actor, messageName, timeout)), timeout);
    }
    if (signal) {
      entry.onAbort = () => this.#fail(id, signal.reason);
      signal.addEventListener("abort", entry.onAbort, { once: true });
    }
    this.#pending.set(id, entry);
    return { id, promise };
  }

  /** Settles ask `id` with a reply (`ok`) or an error. Counts it as late if it already settled. */
  settle(id: number, ok: boolean, value: unknown): void {
    const entry = this.#take(id);
    if (!entry) {
      this.lateReplies++;
      return;
    }
    if (ok) entry.resolve(value);
    else entry.reject(value);
  }

  /** Rejects ask `id` if it is still waiting (used when sending it failed). */
  cancel(id: number, error: unknown): void {
    this.#fail(id, error);
  }

  /** Rejects the waiting asks whose target loop matches (a worker died). */
  rejectWhere(which: (targetLoop: number) => boolean, error: (id: number) => unknown): void {
    for (const [id, entry] of [...this.#pending]) if (which(entry.target)) this.#fail(id, error(id));
  }

  /** Rejects every waiting ask (shutdown). */
  rejectAll(error: (id: number) => unknown): void {
    for (const id of [...this.#pending.keys()]) this.#fail(id, error(id));
  }

  #fail(id: number, error: unknown): void {
    this.#take(id)?.reject(error);
  }

  #take(id: number): Pending | undefined {
    const entry = this.#pending.get(id);
    if (!entry) return undefined;
    this.#pending.delete(id);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    if (entry.onAbort) entry.signal!.removeEventListener("abort", entry.onAbort);
    return entry;
  }
}

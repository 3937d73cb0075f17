/**
 * The asks a loop is waiting on: one entry per ask, settled exactly once by the reply,
 * the failure, the timeout, the caller's signal, or the loop shutting down. A reply
 * that finds no entry (it came too late) is counted, never delivered elsewhere.
 *
 * @example
 * ```ts
 * const asks = new PendingAsks();
 * // label, message name, timeout (ms), signal, loop of the asked actor (worker 0 is loop 1)
 * const { id, promise } = asks.open("Counter#1@w0", "get", 1000, signal, 1);
 * asks.settle(id, true, 7); // promise resolves with 7
 * ```
 * Timeouts do not cost a timer per ask: asks with the same timeout expire in the order
 * they were opened, so each distinct timeout value keeps a FIFO of deadlines and one
 * timer armed for its oldest entry. Settled asks leave the front as soon as they reach it,
 * and keep nothing alive while they wait to (their resolvers are dropped when they settle).
 *
 * @module
 */
import { AskTimeoutError } from "../errors.ts";
import type { AskOptions } from "../actor/ref.ts";
import { Deque } from "../util/deque.ts";
import { IdTable } from "../util/id-table.ts";
import { type Clock, realClock, type TimerHandle } from "../util/clock.ts";

/** The asks sharing one timeout value, oldest first, and the timer for the oldest. */
interface Lane {
  ms: number;
  queue: Deque<Pending>;
  timer: TimerHandle | undefined;
}

/** One waiting ask; it is also its own entry in its timeout's lane (one object per ask). */
interface Pending {
  id: number;
  /** Loop of the asked actor (so asks to a lost worker can be failed). */
  target: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** When it times out (clock milliseconds; Infinity: never). */
  deadline: number;
  /** Label of the asked actor and the message name, for the timeout error. */
  actor: string;
  name: string;
}

/** What a settled ask's resolvers become: it holds on to nothing, and its lane knows it settled. */
const released = (): void => {};

export class PendingAsks {
  readonly #pending = new IdTable<Pending>();
  readonly #lanes = new Map<number, Lane>();
  #nextId = 1;
  readonly #clock: Clock;
  /** Replies that arrived after their ask had settled. */
  lateReplies = 0;

  /** @param clock where timeouts are measured (the real clock, or the testkit's virtual one) */
  constructor(clock: Clock = realClock) {
    this.#clock = clock;
  }

  /** Asks still waiting. */
  get size(): number {
    return this.#pending.size;
  }

  /** Entries in the timeout lanes: the waiting asks with a timeout, and settled ones behind an older waiting one. */
  get inLanes(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.queue.length;
    return n;
  }

  /**
   * Opens an ask. A signal that is already aborted, or a `timeout` of 0 (a deadline that has
   * already passed), rejects at once (and `id` is 0: send nothing). `Infinity` means no timer.
   */
  open(
    actor: string,
    messageName: string,
    timeout: number,
    signal: AskOptions["signal"],
    target = -1,
  ): { id: number; promise: Promise<unknown> } {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    if (signal?.aborted) {
      reject(signal.reason);
      return { id: 0, promise };
    }
    if (timeout <= 0) {
      reject(new AskTimeoutError(actor, messageName, timeout));
      return { id: 0, promise };
    }
    const id = this.#nextId++;
    const entry: Pending = {
      id,
      target,
      resolve,
      reject,
      signal,
      onAbort: undefined,
      deadline: Infinity,
      actor,
      name: messageName,
    };
    if (Number.isFinite(timeout)) this.#expireAfter(entry, timeout);
    if (signal) this.#listen(entry, signal);
    this.#pending.set(id, entry);
    return { id, promise };
  }

  /** Settles ask `id` with a reply (`ok`) or an error. Counts it as late if it already settled. */
  settle(id: number, ok: boolean, value: unknown): void {
    if (!this.#settle(id, ok, value)) this.lateReplies++;
  }

  /** Rejects ask `id` if it is still waiting (used when sending it failed). */
  cancel(id: number, error: unknown): void {
    this.#fail(id, error);
  }

  /** Rejects the waiting asks whose target loop matches (a worker died). */
  rejectWhere(which: (targetLoop: number) => boolean, error: (id: number) => unknown): void {
    for (const [id, entry] of this.#pending.entries()) if (which(entry.target)) this.#fail(id, error(id));
  }

  /** Rejects every waiting ask (shutdown). */
  rejectAll(error: (id: number) => unknown): void {
    for (const id of this.#pending.keys()) this.#fail(id, error(id));
    this.dispose();
  }

  /** Its own method: a closure in {@link open} capturing `id` and `signal` made V8 allocate a context for every ask. */
  #listen(entry: Pending, signal: AbortSignal): void {
    entry.onAbort = () => this.#fail(entry.id, signal.reason);
    signal.addEventListener("abort", entry.onAbort, { once: true });
  }

  #expireAfter(entry: Pending, ms: number): void {
    let lane = this.#lanes.get(ms);
    if (lane === undefined) this.#lanes.set(ms, lane = { ms, queue: new Deque(), timer: undefined });
    // Settled asks at the front leave now, so the queue holds only what may still expire.
    const queue = lane.queue;
    while (queue.length > 0 && queue.peek()!.resolve === released) queue.shift();
    entry.deadline = this.#clock.now() + ms;
    queue.push(entry);
    if (lane.timer === undefined) this.#arm(lane);
  }

  #arm(lane: Lane): void {
    const head = lane.queue.peek();
    if (head === undefined) {
      this.#lanes.delete(lane.ms);
      return;
    }
    lane.timer = this.#clock.setTimeout(() => this.#expire(lane), Math.max(0, head.deadline - this.#clock.now()));
  }

  #expire(lane: Lane): void {
    lane.timer = undefined;
    const now = this.#clock.now();
    for (let head = lane.queue.peek(); head !== undefined; head = lane.queue.peek()) {
      if (head.resolve === released) {
        lane.queue.shift();
        continue;
      }
      if (head.deadline > now) break;
      lane.queue.shift();
      this.#fail(head.id, new AskTimeoutError(head.actor, head.name, lane.ms));
    }
    this.#arm(lane);
  }

  /** Clears every timer (after shutdown nothing may keep the process alive). */
  dispose(): void {
    for (const lane of this.#lanes.values()) if (lane.timer !== undefined) this.#clock.clearTimeout(lane.timer);
    this.#lanes.clear();
  }

  #fail(id: number, error: unknown): void {
    this.#settle(id, false, error);
  }

  /**
   * Settles ask `id` if it is still waiting (false if not), and lets go of what it held: its
   * promise's resolvers (and through them the promise and the context of the code that
   * awaited it) and its signal. A settled ask stays in its lane until it reaches the front
   * at the next ask or at the lane's timer, as a shell of ~100 bytes; it used to keep ~300
   * more alive until then (a burst of 100 000 asks answered at once: 30 MB for the timeout).
   * (Taking settled asks off the lane here, at once, sent V8's optimized ask path on Deno
   * into a deoptimization loop: sequential same-worker asks 0.9–1.4 → 0.6–0.7 M/s.)
   */
  #settle(id: number, ok: boolean, value: unknown): boolean {
    const entry = this.#pending.get(id);
    if (!entry) return false;
    this.#pending.delete(id);
    if (entry.onAbort) entry.signal!.removeEventListener("abort", entry.onAbort);
    const settle = ok ? entry.resolve : entry.reject;
    entry.resolve = released;
    entry.reject = released;
    entry.signal = undefined;
    entry.onAbort = undefined;
    settle(value);
    return true;
  }
}

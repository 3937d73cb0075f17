/**
 * The virtual clock of the testkit's deterministic mode: time stands still until the test
 * moves it. Ask timeouts, supervision backoff, the init timeout and `ctx.timers` run on it.
 * Moving it fires the timers that fall due, oldest deadline first (equal deadlines in the
 * order they were set), and lets the system run after each one.
 *
 * @example
 * ```ts
 * await using sim = await TestSystem.start();
 * const c = await sim.spawn(Counter, 0);
 * const slow = c.ask("get", undefined, { timeout: 1_000 });
 * await sim.clock.advance(1_000); // the ask has timed out now, if nothing answered it
 * ```
 * @module
 */
import type { Clock, TimerHandle } from "../util/clock.ts";
import { InvalidArgumentError, MissiveError } from "../errors.ts";

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

export class VirtualClock implements Clock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();
  readonly #settle: () => Promise<void>;

  /** @param settle lets the system run until it is quiescent (called after each timer fires) */
  constructor(settle: () => Promise<void>) {
    this.#settle = settle;
  }

  /** Virtual milliseconds since the system started. */
  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  /** Timers set and not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  #next(): Timer | undefined {
    let first: Timer | undefined;
    for (const t of this.#timers.values()) if (first === undefined || t.at < first.at || (t.at === first.at && t.id < first.id)) first = t;
    return first;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (in deadline
   * order), the system running until quiescent after each. Resolves when done.
   */
  async advance(ms: number): Promise<void> {
    if (typeof ms !== "number" || !(ms >= 0) || !Number.isFinite(ms)) {
      throw new InvalidArgumentError(`clock.advance: ms must be a finite number >= 0; got ${String(ms)}.`);
    }
    const until = this.#now + ms;
    await this.#settle();
    for (let t = this.#next(); t !== undefined && t.at <= until; t = this.#next()) {
      this.#timers.delete(t.id);
      this.#now = t.at;
      t.fn();
      await this.#settle();
    }
    this.#now = until;
  }

  /**
   * Fires timers, moving time to each deadline, until none is left; throws after `limit`
   * firings (a periodic timer never runs out: use `advance` for those).
   */
  async runAll(limit = 10_000): Promise<void> {
    await this.#settle();
    for (let n = 0;; n++) {
      const t = this.#next();
      if (t === undefined) return;
      if (n >= limit) {
        throw new MissiveError(`clock.runAll: still timers after ${limit} firings (a periodic timer?); use clock.advance(ms).`);
      }
      this.#timers.delete(t.id);
      this.#now = t.at;
      t.fn();
      await this.#settle();
    }
  }
}

/**
 * Credit-based flow control towards bounded actors (mailbox policies `reject` and
 * `wait`), as in Akka's bounded mailboxes and reactive-streams demand.
 *
 * Each loop may have at most `share` messages outstanding to one bounded actor, where
 * `share = max(1, floor(capacity / loops))`: sent but not yet taken out of the mailbox
 * by the receiver. The receiver returns credit (a `Credit` envelope, batched) as it
 * dequeues, drops or dead-letters those messages, so every counted message is credited
 * back exactly once. Together the loops never put more than `max(capacity, loops)`
 * messages into the mailbox, so a fast producer on one worker cannot grow an unbounded
 * queue on another, and memory stays flat under a sustained flood.
 *
 * With no credit left, `tell` throws `MailboxFullError` (it never blocks) and
 * `await ref.send()` waits: waiting senders are queued promises, FIFO per target,
 * cancellable with an `AbortSignal`. A cancelled wait removes exactly that waiter and
 * sends nothing; a granted wait sends exactly once.
 *
 * @example
 * ```ts
 * const credits = new Credits(3);
 * if (!credits.tryTake(addr, capacity)) await credits.take(addr, capacity, signal);
 * // …send, and later, when the receiver credits back:
 * credits.give(addr, 1);
 * ```
 * @module
 */
import { Deque } from "../util/deque.ts";

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  done: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Account {
  outstanding: number;
  share: number;
  waiters: Deque<Waiter>;
}

/** The sending side: outstanding messages per bounded target, and the senders waiting for room. */
export class Credits {
  readonly #loops: number;
  readonly #accounts = new Map<number, Account>();

  /** @param loops number of loops that may send (main + workers). */
  constructor(loops: number) {
    this.#loops = loops;
  }

  /** Senders waiting for room now, over every target (an aborted wait no longer counts). */
  get waiting(): number {
    let n = 0;
    for (const a of this.#accounts.values()) n += a.waiters.length;
    return n;
  }

  /** This loop's share of a mailbox of `capacity`. */
  share(capacity: number): number {
    return Math.max(1, Math.floor(capacity / this.#loops));
  }

  #account(addr: number, capacity: number): Account {
    let a = this.#accounts.get(addr);
    if (a === undefined) {
      a = { outstanding: 0, share: this.share(capacity), waiters: new Deque() };
      this.#accounts.set(addr, a);
    }
    return a;
  }

  /** Takes one credit for `addr` if there is one (and nobody is waiting ahead). */
  tryTake(addr: number, capacity: number): boolean {
    const a = this.#account(addr, capacity);
    if (a.outstanding >= a.share || a.waiters.length > 0) return false;
    a.outstanding++;
    return true;
  }

  /** Waits for one credit for `addr` (FIFO with other waiters). Rejects with the signal's reason when aborted. */
  take(addr: number, capacity: number, signal?: AbortSignal): Promise<void> {
    if (this.tryTake(addr, capacity)) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    const a = this.#account(addr, capacity);
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const waiter: Waiter = { resolve, reject, done: false, signal, onAbort: undefined };
    if (signal) {
      waiter.onAbort = () => {
        if (waiter.done) return;
        waiter.done = true;
        // Remove exactly this waiter; the others keep their order.
        const rest = a.waiters.drain().filter((w) => w !== waiter);
        for (const w of rest) a.waiters.push(w);
        reject(signal.reason);
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    a.waiters.push(waiter);
    return promise;
  }

  /** The receiver took `count` messages for `addr` out of its mailbox: wake waiters in order. */
  give(addr: number, count: number): void {
    const a = this.#accounts.get(addr);
    if (a === undefined) return;
    a.outstanding = Math.max(0, a.outstanding - count);
    while (a.outstanding < a.share && a.waiters.length > 0) {
      const w = a.waiters.shift()!;
      w.done = true;
      if (w.onAbort) w.signal!.removeEventListener("abort", w.onAbort);
      a.outstanding++;
      w.resolve();
    }
    if (a.outstanding === 0 && a.waiters.length === 0) this.#accounts.delete(addr);
  }

  /** The target is gone: every waiter rejects with `error(addr)` and its account is dropped. */
  forget(addr: number, error: unknown): void {
    const a = this.#accounts.get(addr);
    if (a === undefined) return;
    this.#accounts.delete(addr);
    for (const w of a.waiters.drain()) {
      w.done = true;
      if (w.onAbort) w.signal!.removeEventListener("abort", w.onAbort);
      w.reject(error);
    }
  }

  /** Every waiter rejects (shutdown or a lost loop). `which` selects the targets. */
  forgetWhere(which: (addr: number) => boolean, error: (addr: number) => unknown): void {
    for (const addr of [...this.#accounts.keys()]) if (which(addr)) this.forget(addr, error(addr));
  }
}

/**
 * The receiving side: credit owed to each sender loop per bounded actor, returned in
 * batches (at the end of a dispatcher slice, or once half a share has accumulated).
 */
export class CreditReturns {
  /** owed[actorAddress][senderLoop] = messages taken out of the mailbox, not yet credited. */
  readonly #owed = new Map<number, Map<number, number>>();
  readonly #send: (senderLoop: number, actorAddress: number, count: number) => void;
  readonly #threshold: (actorAddress: number) => number;

  constructor(send: (senderLoop: number, actorAddress: number, count: number) => void, threshold: (actorAddress: number) => number) {
    this.#send = send;
    this.#threshold = threshold;
  }

  /** One counted message from `senderLoop` to `actorAddress` left the mailbox (processed, dropped or dead). */
  owe(senderLoop: number, actorAddress: number): void {
    let bySender = this.#owed.get(actorAddress);
    if (bySender === undefined) this.#owed.set(actorAddress, bySender = new Map());
    const n = (bySender.get(senderLoop) ?? 0) + 1;
    if (n >= this.#threshold(actorAddress)) {
      bySender.delete(senderLoop);
      this.#send(senderLoop, actorAddress, n);
    } else bySender.set(senderLoop, n);
  }

  /** Returns all credit owed now. */
  flush(): void {
    if (this.#owed.size === 0) return;
    for (const [actorAddress, bySender] of this.#owed) {
      for (const [senderLoop, n] of bySender) this.#send(senderLoop, actorAddress, n);
    }
    this.#owed.clear();
  }
}

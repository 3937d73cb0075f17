/**
 * The client side of cancellable gets: a handle's **slots** (gets queued at the owner,
 * each with a key) and its **waiters** (the `get` calls waiting on this thread). The
 * two are decoupled: a reply to any slot goes to the front waiter, and a cancelled
 * waiter leaves its slot behind for the handle's next get instead of withdrawing it.
 *
 * ## Why: a cancel storm must cost the owner nothing
 * A wait that is cancelled and started again at once (a consumer loop whose gets time
 * out, or are aborted, every few milliseconds) used to cost the owner three messages per
 * cancel: the `cancel`, its `Cancelled` answer, and the next `get`. The client never waits
 * for the owner to take them (a cancelled get rejects at once), so enough such loops
 * send faster than one owner can read: its mailbox — and the latency of every put,
 * close and get behind it — grew without bound, and once that latency passed the loops'
 * cancel period, every item the owner handed out went to a get that had already given up,
 * came back with its cancel, and went to the next one (500 getters aborting every 0–3 ms:
 * 26 items in 20 s; `close()` 14 s late; the loops never ended, as a bouncing item is
 * always "in doubt").
 *
 * Here, a cancelled waiter rejects at once and its slot stays queued at the owner (in
 * its place) until the end of the current macrotask; a get on the same handle before
 * then takes it over without any message. Only slots that no waiter needs by then are
 * cancelled (the newest first, so the older places are kept) — and before any other
 * operation of the handle, so the owner sees the cancel before it (the order the tests
 * and `stats()` rely on). The owner never knows: the protocol is unchanged.
 *
 * Exactly-once holds as before: each slot that receives an item is answered exactly once,
 * with `ack` when a waiter takes the item, or with `cancel` when no waiter is left (the
 * owner returns the item to the front); an item that arrives for a slot already cancelled
 * is dropped here, because the owner took it back on that cancel.
 *
 * ## Allocation: one waiter object per get
 * A storm makes a `get` per abort (hundreds of thousands a second), so each allocation
 * counts: a waiter is its own `Cancellation` (a subclass: no `onCancel` closure), its
 * own node in the FIFO of waiters (no list node), and holds its promise's resolvers (no
 * executor closure). Before, a get made about a dozen objects (waiter, list node,
 * closures and their contexts); in V8 the list nodes shared one allocation site with the
 * owner's long-lived queue nodes (`WaitQueue.push`), and on the owner's worker that site
 * got pretenured, so every get's objects were promoted to the old generation with it.
 *
 * @example
 * ```ts
 * const slots = new GetSlots(ch.owner, (reply) => new ChannelClosedError("ch", closedCause(reply)));
 * const item = await slots.get({ timeout: 100 }, "get", () => 0);
 * ```
 * @module
 */
import type { ActorRef } from "../actor/ref.ts";
import { ActorStoppedError } from "../errors.ts";
import { macrotask } from "../util/macrotask.ts";
import type { ChannelOwner } from "./owner.ts";
import { type GetReply, Reply } from "./protocol.ts";
import { type WaitNode, WaitQueue } from "./wait-queue.ts";
import { Cancellation, newKey, NO_TIMEOUT, type WaitOptions } from "./waits.ts";

/** A get queued at the owner with its key. */
interface Slot {
  readonly key: string;
  /** Its place in `#slots`; out of it (`queue === null`) once answered or cancelled. */
  node: WaitNode<Slot>;
}

/** The waiter whose resolvers `capture` stores (set just around `new Promise(capture)`). */
let capturing: Waiter | null = null;
function capture(resolve: (item: never) => void, reject: (reason: unknown) => void): void {
  capturing!.resolve = resolve as (item: unknown) => void;
  capturing!.reject = reject;
}

/** A `get` call waiting on this thread: its cancellation, its promise's resolvers, and its place among the waiters. */
class Waiter extends Cancellation {
  resolve: (item: unknown) => void = capture as never;
  reject: (reason: unknown) => void = capture as never;
  prev: Waiter | null = null;
  next: Waiter | null = null;
  queued = false;
  readonly #slots: GetSlots;

  constructor(options: WaitOptions, what: string, slots: GetSlots) {
    super(options, what);
    this.#slots = slots;
  }

  protected override onCancelled(reason: unknown): void {
    this.#slots.withdraw(this, reason);
  }
}

/**
 * One handle's cancellable gets (see the module docs). Invariant between calls: at least
 * as many slots as waiters; more only until the end of the macrotask a waiter was
 * cancelled in.
 *
 * @example
 * ```ts
 * slots.flush(); // before any other operation: extra slots are withdrawn first
 * ```
 */
export class GetSlots {
  readonly #owner: ActorRef<typeof ChannelOwner>;
  readonly #closed: (reply: GetReply) => unknown;
  readonly #slots = new WaitQueue<Slot>();
  /** The waiters, FIFO: a doubly linked list through the waiters themselves. */
  #head: Waiter | null = null;
  #tail: Waiter | null = null;
  #waiting = 0;
  #flushScheduled = false;
  readonly #flushLater = (): void => {
    this.#flushScheduled = false;
    this.flush();
  };

  /** `closed` makes the error a get rejects with when the owner answers `[Closed, reason?]`. */
  constructor(owner: ActorRef<typeof ChannelOwner>, closed: (reply: GetReply) => unknown) {
    this.#owner = owner;
    this.#closed = closed;
  }

  /**
   * A cancellable get: resolves with the item, rejects with the `closed` error, or at once
   * with the cancellation's reason (`what` names the get in a timeout's error). `done`
   * gives the pending `taskDone` count, taken only when a `get` message is sent.
   */
  get<T>(options: WaitOptions, what: string, done: () => number): Promise<T> {
    let waiter: Waiter;
    try {
      waiter = new Waiter(options, what, this);
    } catch (e) {
      return Promise.reject(e);
    }
    if (waiter.cancelled) return Promise.reject(waiter.reason);
    capturing = waiter;
    const promise = new Promise<T>(capture);
    capturing = null;
    this.#push(waiter);
    if (this.#slots.length < this.#waiting) this.#open(done()); // else: it takes over a cancelled get's slot
    return promise;
  }

  /** Withdraws the slots no waiter needs (the newest first). Call before any other operation on the owner. */
  flush(): void {
    while (this.#slots.length > this.#waiting) {
      const slot = this.#slots.peekLast()!;
      this.#slots.remove(slot.node);
      this.#tell("cancel", slot.key);
    }
  }

  /** @internal `waiter` was cancelled: it leaves the waiters and rejects; its slot stays for the next get. */
  withdraw(waiter: Waiter, reason: unknown): void {
    this.#remove(waiter);
    waiter.reject(reason);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    macrotask(this.#flushLater);
  }

  #push(waiter: Waiter): void {
    waiter.prev = this.#tail;
    if (this.#tail === null) this.#head = waiter;
    else this.#tail.next = waiter;
    this.#tail = waiter;
    waiter.queued = true;
    this.#waiting++;
  }

  #remove(waiter: Waiter): void {
    if (!waiter.queued) return;
    if (waiter.prev === null) this.#head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === null) this.#tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = waiter.next = null; // no link from a dead waiter to a live one (it could keep it from dying young)
    waiter.queued = false;
    this.#waiting--;
  }

  /** Takes the front waiter off the list (it is served). */
  #shift(): Waiter | null {
    const waiter = this.#head;
    if (waiter !== null) this.#remove(waiter);
    return waiter;
  }

  #open(done: number): void {
    const slot = { key: newKey() } as Slot;
    slot.node = this.#slots.push(slot);
    (this.#owner.ask("get", [slot.key, true, done], NO_TIMEOUT) as Promise<unknown> as Promise<GetReply>).then(
      (reply) => this.#answer(slot, reply),
      (e: unknown) => {
        if (e instanceof ActorStoppedError) this.#answer(slot, [Reply.Closed, e]); // a gone owner reads as closed
        else this.#fail(slot, e);
      },
    );
  }

  #answer(slot: Slot, reply: GetReply): void {
    if (!this.#slots.remove(slot.node)) return; // cancelled: the owner took its item back on that cancel
    const waiter = this.#shift();
    if (reply[0] === Reply.Item) this.#tell(waiter === null ? "cancel" : "ack", slot.key); // nobody left: back to the owner
    if (waiter === null) return;
    waiter[Symbol.dispose]();
    if (reply[0] === Reply.Item) waiter.resolve(reply[1]);
    else waiter.reject(this.#closed(reply));
  }

  #fail(slot: Slot, e: unknown): void {
    if (!this.#slots.remove(slot.node)) return;
    const waiter = this.#shift();
    if (waiter === null) return;
    waiter[Symbol.dispose]();
    waiter.reject(e);
  }

  #tell(name: "cancel" | "ack", key: string): void {
    try {
      this.#owner.tell(name, key);
    } catch {
      // The system is shutting down: the owner stops too, and answers every waiter.
    }
  }
}

/**
 * The channel's owner: a hidden actor that holds the buffer and the queues of waiting
 * getters, putters and joiners. Every channel operation is an ask to it; a wait is a
 * reply it defers (`ctx.deferReply()`), so the owner never blocks — it goes on with the
 * next message while thousands of waiters sit in its FIFO queues.
 *
 * Invariants, after every message:
 * - items leave the buffer front first; an item returned by a cancelled get goes back to
 *   the **front**;
 * - getters wait only while the buffer is empty; putters wait only while there is no
 *   free unit (`free()` below): buffer room, or a waiting getter to hand to;
 * - a closed channel has no waiting putters; its getters are answered `Closed` once the
 *   buffer is empty **and** no item or offer is in doubt (handed to a cancellable get
 *   not yet acknowledged, or tentatively accepted for a `select`): such an item may still
 *   come back, and a getter that had been told "closed" would leave it stranded. (An offer
 *   accepted tentatively before the close is still committed by its `confirm`: the select
 *   was promised the slot.)
 *
 * Shutdown: when the drain phase begins, the owner closes its channel (`onDrain`, as a
 * plain `close()`): readers still take what is buffered, then their loops end, so actors
 * reading a channel finish during the drain instead of holding it until the deadline.
 *
 * Why over 400 lines: one concept — a channel's state and the owner actor that serves it —
 * whose put/get/cancel/close protocol reads best in one place (the review kept it whole).
 *
 * @example
 * ```ts
 * const owner = await system.spawn(ChannelOwner, 8); // what Channel.open(system, { capacity: 8 }) does
 * const ch = new Channel<number>(owner, 8);
 * ```
 * @module
 */
import type { ActorContext, DeferredReply } from "../actor/context.ts";
import { type ActorDefinition, defineActor } from "../actor/definition.ts";
import { Deque } from "../util/deque.ts";
import { closedReply, type GetReply, PutMode, type PutReply, Reply, type WaitReply } from "./protocol.ts";
import { type WaitNode, WaitQueue } from "./wait-queue.ts";

interface Getter {
  key: string | null;
  reply: DeferredReply<GetReply>;
}

interface Putter {
  key: string | null;
  value: unknown;
  /** A select's offer: accepted only tentatively, until the select confirms it. */
  offer: boolean;
  reply: DeferredReply<PutReply>;
}

interface Joiner {
  key: string | null;
  reply: DeferredReply<WaitReply>;
}

/**
 * A snapshot of a channel, from `ch.stats()`.
 *
 * @example
 * ```ts
 * const { buffered, getters, putters, unfinished } = await ch.stats();
 * ```
 */
export interface ChannelStats {
  /** The channel's capacity (0: rendezvous). */
  capacity: number;
  /** Items in the buffer (may exceed `capacity` briefly: see `channel.ts`). */
  buffered: number;
  /** Waiting getters. */
  getters: number;
  /** Waiting putters. */
  putters: number;
  /** Waiting `join` calls. */
  joiners: number;
  /** Items accepted and not yet marked done with `taskDone`. */
  unfinished: number;
  /** True once closed. */
  closed: boolean;
  /** Items handed to cancellable gets whose acknowledgement has not arrived yet. */
  inDoubt: number;
  /** Select offers accepted tentatively, not yet confirmed or declined. */
  tentative: number;
  /** Items accepted over the channel's life. */
  accepted: number;
  /** Items handed to getters (an item returned by a cancelled get and handed again counts twice). */
  handed: number;
  /** Items returned to the front by cancelled gets. */
  returned: number;
  /** Waiters removed by a cancel before they were served. */
  cancelled: number;
}

/**
 * The owner's state: one channel. Public methods are the owner's message handlers.
 *
 * @example
 * ```ts
 * const state = new ChannelState(8); // handlers call state.get(key, wait, ctx.deferReply())
 * ```
 */
export class ChannelState {
  readonly capacity: number;
  readonly #buffer = new Deque<unknown>();
  readonly #getters = new WaitQueue<Getter>();
  readonly #putters = new WaitQueue<Putter>();
  readonly #joiners = new WaitQueue<Joiner>();
  /** Waiters that can be cancelled, by key. */
  readonly #waiting = new Map<string, WaitNode<Getter> | WaitNode<Putter> | WaitNode<Joiner>>();
  /** Items handed to cancellable gets, until their client acknowledges or cancels. */
  readonly #inDoubt = new Map<string, unknown>();
  /** Offers accepted tentatively, until their select confirms or declines. */
  readonly #tentative = new Map<string, unknown>();
  #closed = false;
  #reason: [] | [unknown] = [];
  #unfinished = 0;
  #accepted = 0;
  #handed = 0;
  #returned = 0;
  #cancelled = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: string | null, wait: boolean, reply: DeferredReply<GetReply>): void {
    if (this.#buffer.length > 0) {
      this.#hand(this.#buffer.shift(), { key, reply });
    } else if (!wait) {
      // A try never jumps the queue: with getters waiting the buffer is empty and the
      // only putters left are offers that cannot be taken at once.
      const front = this.#putters.peek();
      if (this.#getters.length === 0 && front !== undefined && !front.offer) {
        this.#take(this.#putters.shift()!);
        this.#acceptCount();
        front.reply.resolve([Reply.Accepted]);
        this.#hand(front.value, { key, reply });
      } else {
        reply.resolve(this.#drained() ? closedReply(this.#reason) : [Reply.Empty]);
        return;
      }
    } else {
      this.#enqueue(this.#getters, { key, reply }, key);
    }
    this.#pump();
  }

  put(value: unknown, key: string | null, mode: number, reply: DeferredReply<PutReply>): void {
    if (this.#closed) {
      reply.resolve(closedReply(this.#reason));
      return;
    }
    const offer = (mode & PutMode.Offer) !== 0;
    if ((mode & PutMode.Try) !== 0) {
      if (this.#free() <= 0) {
        reply.resolve([Reply.Full]);
        return;
      }
      this.#admit({ key, value, offer, reply });
    } else {
      this.#enqueue(this.#putters, { key, value, offer, reply }, key);
    }
    this.#pump();
  }

  /** The item handed to cancellable get `key` was kept: it is no longer in doubt. */
  ack(key: string): void {
    if (this.#inDoubt.delete(key)) this.#pump();
  }

  /**
   * Cancels `key`: a waiter still queued is removed (and told `Cancelled`); an item
   * already handed to it comes back to the front of the buffer; an offer accepted
   * tentatively is declined. Anything else (already settled) is left alone.
   */
  cancel(key: string): void {
    const node = this.#waiting.get(key);
    if (node !== undefined) {
      this.#waiting.delete(key);
      (node.queue as WaitQueue<unknown> | null)?.remove(node as WaitNode<unknown>);
      this.#cancelled++;
      (node.value.reply as DeferredReply<[number]>).resolve([Reply.Cancelled]);
    } else if (this.#inDoubt.has(key)) {
      const item = this.#inDoubt.get(key);
      this.#inDoubt.delete(key);
      this.#buffer.unshift(item);
      this.#returned++;
    } else {
      this.#tentative.delete(key);
    }
    this.#pump();
  }

  /** The select that got offer `key` accepted tentatively commits to it. */
  confirm(key: string): void {
    if (!this.#tentative.has(key)) return;
    const value = this.#tentative.get(key);
    this.#tentative.delete(key);
    this.#accept(value);
    this.#pump();
  }

  close(reason: [] | [unknown]): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reason = reason;
    for (const putter of this.#putters.drain()) {
      this.#forget(putter.key);
      putter.reply.resolve(closedReply(reason));
    }
    this.#pump();
  }

  taskDone(count: number): void {
    if (count > this.#unfinished) {
      console.error(`[missive] channel: taskDone(${count}) with only ${this.#unfinished} unfinished item(s); call it once per item taken.`);
    }
    this.#unfinished = Math.max(0, this.#unfinished - count);
    this.#settleJoiners();
  }

  join(key: string | null, reply: DeferredReply<WaitReply>): void {
    if (this.#unfinished === 0) reply.resolve([Reply.Done]);
    else this.#enqueue(this.#joiners, { key, reply }, key);
  }

  /** The owner stops (system shutdown, or the actor that made the channel stopped): nobody waits any more. */
  stop(reason: unknown): void {
    this.close([reason]);
    const closed = closedReply([reason]);
    for (const getter of this.#getters.drain()) getter.reply.resolve(closed);
    for (const joiner of this.#joiners.drain()) joiner.reply.resolve(closed);
    this.#waiting.clear();
  }

  stats(): ChannelStats {
    return {
      capacity: this.capacity,
      buffered: this.#buffer.length,
      getters: this.#getters.length,
      putters: this.#putters.length,
      joiners: this.#joiners.length,
      unfinished: this.#unfinished,
      closed: this.#closed,
      inDoubt: this.#inDoubt.size,
      tentative: this.#tentative.size,
      accepted: this.#accepted,
      handed: this.#handed,
      returned: this.#returned,
      cancelled: this.#cancelled,
    };
  }

  // ---- internals ------------------------------------------------------------------------

  /**
   * Units a putter can be accepted into now: free buffer slots, plus waiting getters when
   * the buffer is empty (a direct hand-over), minus what tentative offers hold reserved.
   */
  #free(): number {
    const length = this.#buffer.length;
    return Math.max(0, this.capacity - length) + (length === 0 ? this.#getters.length : 0) - this.#tentative.size;
  }

  /** Closed, empty, and nothing that could still come back. */
  #drained(): boolean {
    return this.#closed && this.#buffer.length === 0 && this.#inDoubt.size === 0 && this.#tentative.size === 0;
  }

  /** Moves everything that can move: buffer → getters, putters → buffer or getters; then settles close and joins. */
  #pump(): void {
    for (;;) {
      while (this.#getters.length > 0 && this.#buffer.length > 0) this.#hand(this.#buffer.shift(), this.#take(this.#getters.shift()!));
      if (this.#putters.length === 0 || this.#free() <= 0) break;
      this.#admit(this.#take(this.#putters.shift()!));
    }
    if (this.#drained() && this.#getters.length > 0) {
      const closed = closedReply(this.#reason);
      for (const getter of this.#getters.drain()) {
        this.#forget(getter.key);
        getter.reply.resolve(closed);
      }
    }
    this.#settleJoiners();
  }

  /** A putter gets its unit: an offer is accepted tentatively, a plain put for good. */
  #admit(putter: Putter): void {
    if (putter.offer) {
      this.#tentative.set(putter.key!, putter.value);
      putter.reply.resolve([Reply.Tentative]);
      return;
    }
    this.#accept(putter.value);
    putter.reply.resolve([Reply.Accepted]);
  }

  /** `value` is in the channel: handed to the first waiting getter when the buffer is empty, else buffered. */
  #accept(value: unknown): void {
    this.#acceptCount();
    if (this.#buffer.length === 0 && this.#getters.length > 0) this.#hand(value, this.#take(this.#getters.shift()!));
    else this.#buffer.push(value);
  }

  #acceptCount(): void {
    this.#accepted++;
    this.#unfinished++;
  }

  #hand(value: unknown, getter: Getter): void {
    this.#handed++;
    if (getter.key !== null) this.#inDoubt.set(getter.key, value);
    getter.reply.resolve([Reply.Item, value]);
  }

  #settleJoiners(): void {
    if (this.#unfinished !== 0 || this.#joiners.length === 0) return;
    for (const joiner of this.#joiners.drain()) {
      this.#forget(joiner.key);
      joiner.reply.resolve([Reply.Done]);
    }
  }

  #enqueue<T extends { key: string | null }>(queue: WaitQueue<T>, waiter: T, key: string | null): void {
    const node = queue.push(waiter);
    if (key !== null) this.#waiting.set(key, node as unknown as WaitNode<Getter>);
  }

  /** A waiter left its queue (served or answered): it can no longer be cancelled by key. */
  #take<T extends { key: string | null }>(waiter: T): T {
    this.#forget(waiter.key);
    return waiter;
  }

  #forget(key: string | null): void {
    if (key !== null) this.#waiting.delete(key);
  }
}

const ownerStopped = (ctx: ActorContext): string => `the owner ${ctx.label} stopped`;

/**
 * The channel owner's protocol (see `protocol.ts` for the replies).
 *
 * @example
 * ```ts
 * const stats = await ch.owner.ask("stats");
 * ```
 */
export interface ChannelOwnerHandlers {
  get(state: ChannelState, arg: [key: string | null, wait: boolean, done?: number], ctx: ActorContext): void;
  put(state: ChannelState, arg: [value: unknown, key: string | null, mode: number], ctx: ActorContext): void;
  ack(state: ChannelState, key: string): void;
  cancel(state: ChannelState, key: string): void;
  confirm(state: ChannelState, key: string): void;
  close(state: ChannelState, reason: [] | [unknown]): null;
  taskDone(state: ChannelState, count: number): void;
  join(state: ChannelState, key: string | null, ctx: ActorContext): void;
  stats(state: ChannelState): ChannelStats;
}

/**
 * The owner actor of one channel (spawned by `Channel.open`). Its handlers never block
 * and never throw on a client's behalf: every answer is a reply code. Internal: the
 * package does not export it.
 *
 * @example
 * ```ts
 * const owner = await system.spawn(ChannelOwner, 0); // a rendezvous channel's owner
 * ```
 */
export const ChannelOwner: ActorDefinition<number, ChannelState, ChannelOwnerHandlers> = defineActor(import.meta.url, {
  name: "ChannelOwner",
  init: (capacity: number) => new ChannelState(capacity),
  handlers: {
    get(state, [key, wait, done = 0]: [key: string | null, wait: boolean, done?: number], ctx) {
      if (done > 0) state.taskDone(done); // taskDone counts ride on the next get (see Channel.taskDone)
      state.get(key, wait, ctx.deferReply<GetReply>());
    },
    put(state, [value, key, mode]: [value: unknown, key: string | null, mode: number], ctx) {
      state.put(value, key, mode, ctx.deferReply<PutReply>());
    },
    ack(state, key: string) {
      state.ack(key);
    },
    cancel(state, key: string) {
      state.cancel(key);
    },
    confirm(state, key: string) {
      state.confirm(key);
    },
    close(state, reason: [] | [unknown]) {
      state.close(reason);
      return null;
    },
    taskDone(state, count: number) {
      state.taskDone(count);
    },
    join(state, key: string | null, ctx) {
      state.join(key, ctx.deferReply<WaitReply>());
    },
    stats(state): ChannelStats {
      return state.stats();
    },
  },
  // Shutdown's drain begins: close as `ch.close()` would (no reason, so `for await` loops
  // end quietly once the buffer is drained).
  onDrain(state) {
    state.close([]);
  },
  onStop(state, ctx) {
    state.stop(ownerStopped(ctx));
  },
});

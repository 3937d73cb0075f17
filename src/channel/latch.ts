/**
 * Latches: a one-shot event (Python's `asyncio.Event` without `clear`, Java's
 * `CountDownLatch(1)`). `set()` releases every waiter, on any worker, and every later
 * `wait()` resolves at once. One-shot on purpose: an event that can be cleared again
 * races with waiters on other workers (a `set` + `clear` pair can release some of them
 * and not others); use a barrier or a channel for repeated rounds.
 *
 * Cancelling a wait removes the waiter from the owner and rejects at once (nothing else
 * depends on it).
 *
 * `close(reason?)` says the latch will never be set — what closing means for an event,
 * as for a channel it means no more puts: waiting and later `wait` calls reject with
 * `ChannelClosedError` (its `cause` the reason, if one was given), and so does a later
 * `set()`, so a setter learns that it released nobody. Closing a latch that is already
 * set changes nothing anyone sees: the event happened, later waits still pass at once and
 * `set()` still resolves — as a closed channel still hands out what it had buffered.
 * Closing is idempotent (the first reason is kept); `await using` closes at the end of
 * the scope. An owner that stops (its worker died, or the actor whose `ctx` opened it
 * stopped) closes the latch, with that as the cause.
 *
 * @example
 * ```ts
 * const ready = await Latch.open(system);
 * worker.tell("start", ready);   // the actor does `await ready.wait()`
 * await ready.set();             // every waiter is released
 * ```
 * @module
 */
import type { ActorContext, DeferredReply } from "../actor/context.ts";
import { type ActorDefinition, defineActor } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { ActorStoppedError } from "../errors.ts";
import { registerHandleCodec } from "../wire/handles.ts";
import { ChannelClosedError } from "./errors.ts";
import { closedCause, closedReply, Reply, type WaitReply } from "./protocol.ts";
import { type WaitNode, WaitQueue } from "./wait-queue.ts";
import { closeAtOwner, placement, type PlacementOptions, type Spawner, waitAtOwner, type WaitOptions } from "./waits.ts";

interface Waiter {
  key: string | null;
  reply: DeferredReply<WaitReply>;
}

/**
 * The owner's state: one latch.
 *
 * @example
 * ```ts
 * const state = new LatchState(); // handlers call state.wait(key, ctx.deferReply())
 * ```
 */
export class LatchState {
  #set = false;
  #closed = false;
  #reason: [] | [unknown] = [];
  readonly #waiting = new WaitQueue<Waiter>();
  readonly #keyed = new Map<string, WaitNode<Waiter>>();

  get isSet(): boolean {
    return this.#set;
  }

  wait(key: string | null, reply: DeferredReply<WaitReply>): void {
    if (this.#set) {
      reply.resolve([Reply.Released]);
      return;
    }
    if (this.#closed) {
      reply.resolve(closedReply(this.#reason));
      return;
    }
    const node = this.#waiting.push({ key, reply });
    if (key !== null) this.#keyed.set(key, node);
  }

  cancel(key: string): void {
    const node = this.#keyed.get(key);
    if (node === undefined) return;
    this.#keyed.delete(key);
    this.#waiting.remove(node);
    node.value.reply.resolve([Reply.Cancelled]);
  }

  /** Sets the latch, releasing every waiter; `[Closed, reason?]` when it was closed before it was set. */
  set(): WaitReply {
    if (this.#set) return [Reply.Released];
    if (this.#closed) return closedReply(this.#reason);
    this.#set = true;
    for (const waiter of this.#waiting.drain()) waiter.reply.resolve([Reply.Released]);
    this.#keyed.clear();
    return [Reply.Released];
  }

  /** It will never be set: waiters are told `Closed` (a set latch has none, and stays set). */
  close(reason: [] | [unknown]): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reason = reason;
    for (const waiter of this.#waiting.drain()) waiter.reply.resolve(closedReply(reason));
    this.#keyed.clear();
  }

  stop(reason: string): void {
    this.close([reason]);
  }
}

/**
 * The latch owner's protocol.
 *
 * @example
 * ```ts
 * const set = await latch.owner.ask("isSet"); // boolean
 * ```
 */
export interface LatchOwnerHandlers {
  wait(state: LatchState, key: string | null, ctx: ActorContext): void;
  cancel(state: LatchState, key: string): void;
  set(state: LatchState): WaitReply;
  close(state: LatchState, reason: [] | [unknown]): null;
  isSet(state: LatchState): boolean;
}

/**
 * The owner actor of one latch (spawned by `Latch.open`; internal, not exported by the
 * package). Like a barrier's, it has no `onDrain`: closing the latch when shutdown's
 * drain begins would fail waits that a `set()` still queued in the drain would release.
 *
 * @example
 * ```ts
 * const owner = await system.spawn(LatchOwner);
 * ```
 */
export const LatchOwner: ActorDefinition<void, LatchState, LatchOwnerHandlers> = defineActor(import.meta.url, {
  name: "LatchOwner",
  init: () => new LatchState(),
  handlers: {
    wait(state, key: string | null, ctx) {
      state.wait(key, ctx.deferReply<WaitReply>());
    },
    cancel(state, key: string) {
      state.cancel(key);
    },
    set(state): WaitReply {
      return state.set();
    },
    close(state, reason: [] | [unknown]) {
      state.close(reason);
      return null;
    },
    isSet(state): boolean {
      return state.isSet;
    },
  },
  onStop(state, ctx) {
    state.stop(`the owner ${ctx.label} stopped`);
  },
});

/**
 * A latch handle: send it in messages; any holder can `wait`, `set` or `close`.
 *
 * @example
 * ```ts
 * await using done = await Latch.open(system);
 * await Promise.all([done.wait(), done.set()]);
 * ```
 */
export class Latch implements AsyncDisposable {
  /** The owner actor's ref. */
  readonly owner: ActorRef<typeof LatchOwner>;

  /** @internal made by {@link Latch.open} and the wire. */
  constructor(owner: ActorRef<typeof LatchOwner>) {
    this.owner = owner;
  }

  /**
   * Opens a one-shot latch: spawns its owner actor with `spawner` (an `ActorSystem`, or an
   * actor's `ctx`: the owner is then its child, on its worker unless `worker` is given,
   * and stops with it).
   *
   * @example
   * ```ts
   * const ready = await Latch.open(system, { worker: 0 });
   * // in a handler: const done = await Latch.open(ctx);
   * ```
   */
  static async open(spawner: Spawner, options?: PlacementOptions): Promise<Latch> {
    return new Latch(await spawner.spawn(LatchOwner, undefined, placement(options)));
  }

  /**
   * Sets the latch (idempotent): every waiter is released. Resolves once it is set.
   * Rejects with `ChannelClosedError` when the latch was closed before it was set (its
   * owner gone counts as closed).
   *
   * @example
   * ```ts
   * await latch.set();
   * ```
   */
  async set(): Promise<void> {
    let reply: WaitReply;
    try {
      reply = await this.owner.ask("set");
    } catch (e) {
      if (!(e instanceof ActorStoppedError)) throw e;
      reply = [Reply.Closed, e];
    }
    if (reply[0] === Reply.Closed) throw new ChannelClosedError(`${this}`, closedCause(reply));
  }

  /**
   * Resolves once the latch is set (at once if it is). Rejects with `ChannelClosedError`
   * when it is closed before it is set. Cancelling rejects with the reason.
   *
   * @example
   * ```ts
   * await latch.wait({ signal: AbortSignal.timeout(1_000) });
   * ```
   */
  async wait(options?: WaitOptions): Promise<void> {
    const reply = await waitAtOwner(this.owner, "wait", options, `wait for ${this}`, true);
    if (reply[0] === Reply.Closed) throw new ChannelClosedError(`${this}`, closedCause(reply));
  }

  /**
   * Closes the latch (idempotent; the first reason is kept): if it is not set yet, it never
   * will be — waiting and later `wait` and `set` calls reject with `ChannelClosedError`. A
   * latch already set stays set. Resolves once the owner has closed it.
   *
   * @example
   * ```ts
   * await latch.close(new Error("start-up failed")); // every waiter learns why
   * ```
   */
  async close(reason?: unknown): Promise<void> {
    await closeAtOwner(this.owner, reason === undefined ? [] : [reason]);
  }

  /**
   * True once set (a round trip to the owner).
   *
   * @example
   * ```ts
   * if (await latch.isSet()) skipWaiting();
   * ```
   */
  async isSet(): Promise<boolean> {
    return await this.owner.ask("isSet");
  }

  /**
   * `await using` closes the latch at the end of the scope.
   *
   * @example
   * ```ts
   * { await using ready = await Latch.open(system); } // closed here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return `Latch(${this.owner.label})`;
  }
}

registerHandleCodec<Latch>("missive.latch", {
  is: (v) => v instanceof Latch,
  toWire: (l) => [l.owner],
  fromWire: (data) => new Latch((data as [ActorRef<typeof LatchOwner>])[0]),
}, import.meta.url);

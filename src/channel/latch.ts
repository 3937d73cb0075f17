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
 * @example
 * ```ts
 * const ready = await system.latch();
 * worker.tell("start", ready);   // the actor does `await ready.wait()`
 * await ready.set();             // every waiter is released
 * ```
 * @module
 */
import type { ActorContext, DeferredReply } from "../actor/context.ts";
import { type ActorDefinition, defineActor } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { registerHandleCodec } from "../wire/handles.ts";
import { ChannelClosedError } from "./errors.ts";
import { closedCause, closedReply, Reply, type WaitReply } from "./protocol.ts";
import { type WaitNode, WaitQueue } from "./wait-queue.ts";
import { type PlacementOptions, type Spawner, waitAtOwner, type WaitOptions } from "./waits.ts";

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

  set(): void {
    this.#set = true;
    for (const waiter of this.#waiting.drain()) waiter.reply.resolve([Reply.Released]);
    this.#keyed.clear();
  }

  stop(reason: string): void {
    for (const waiter of this.#waiting.drain()) waiter.reply.resolve(closedReply([reason]));
    this.#keyed.clear();
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
  set(state: LatchState): null;
  isSet(state: LatchState): boolean;
}

/**
 * The owner actor of one latch (spawned by `system.latch` / `ctx.latch`).
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
    set(state) {
      state.set();
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
 * A latch handle: send it in messages; any holder can `wait` or `set`.
 *
 * @example
 * ```ts
 * const done = await system.latch();
 * await Promise.all([done.wait(), done.set()]);
 * ```
 */
export class Latch {
  /** The owner actor's ref. */
  readonly owner: ActorRef<typeof LatchOwner>;

  /** @internal made by `system.latch`, `ctx.latch` and the wire. */
  constructor(owner: ActorRef<typeof LatchOwner>) {
    this.owner = owner;
  }

  /**
   * Sets the latch (idempotent): every waiter is released. Resolves once it is set.
   *
   * @example
   * ```ts
   * await latch.set();
   * ```
   */
  async set(): Promise<void> {
    await this.owner.ask("set");
  }

  /**
   * Resolves once the latch is set (at once if it is). Cancelling rejects with the reason.
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

  toString(): string {
    return `Latch(${this.owner.label})`;
  }
}

registerHandleCodec<Latch>("missive.latch", {
  is: (v) => v instanceof Latch,
  toWire: (l) => [l.owner],
  fromWire: (data) => new Latch((data as [ActorRef<typeof LatchOwner>])[0]),
});

/**
 * Spawns a latch's owner with `spawn` (what `system.latch` and `ctx.latch` do).
 *
 * @example
 * ```ts
 * const l = await createLatch((d, a, o) => system.spawn(d, a, o));
 * ```
 */
export async function createLatch(spawn: Spawner, options: PlacementOptions = {}): Promise<Latch> {
  const owner = await spawn(LatchOwner, undefined, options?.worker === undefined ? {} : { worker: options.worker });
  return new Latch(owner as ActorRef<typeof LatchOwner>);
}

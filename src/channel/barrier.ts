/**
 * Barriers: `n` parties, on any workers or the main loop, wait until all have arrived;
 * the n-th arrival releases them all together, and the barrier starts its next
 * generation (it is reusable, like Python's `threading.Barrier` and Java's
 * `CyclicBarrier`). An owner actor keeps the waiting parties as deferred replies, FIFO.
 *
 * Cancelling a wait (signal or timeout): if the party is still waiting, the owner removes
 * exactly it (it no longer counts towards the release) and the wait rejects with the
 * reason. If the release came first, the party was counted and the others were released
 * with it, so the wait **resolves** — the client waits for the owner's answer to know
 * which. `close(reason?)` breaks the barrier: waiting and later waits reject with
 * `ChannelClosedError`.
 *
 * @example
 * ```ts
 * const barrier = await Barrier.open(system, 3);
 * for (const w of workers) w.tell("phase", barrier);      // each does `await barrier.wait()`
 * const { generation, index } = await barrier.wait();   // the main loop is a party too
 * ```
 * @module
 */
import type { ActorContext, DeferredReply } from "../actor/context.ts";
import { type ActorDefinition, defineActor } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { InvalidArgumentError } from "../errors.ts";
import { registerHandleCodec } from "../wire/handles.ts";
import { ChannelClosedError } from "./errors.ts";
import { closedCause, closedReply, Reply, type WaitReply } from "./protocol.ts";
import { type WaitNode, WaitQueue } from "./wait-queue.ts";
import { closeAtOwner, placement, type PlacementOptions, type Spawner, waitAtOwner, type WaitOptions } from "./waits.ts";

/**
 * What a released `wait` resolves with.
 *
 * @example
 * ```ts
 * const { generation, index } = await barrier.wait();
 * ```
 */
export interface BarrierPassage {
  /** Which release this was (0 for the first). */
  generation: number;
  /** Arrival order within the generation: 0 for the first party, `parties - 1` for the one that released it. */
  index: number;
}

/**
 * A snapshot of a barrier.
 *
 * @example
 * ```ts
 * const { waiting, generation } = await barrier.stats();
 * ```
 */
export interface BarrierStats {
  parties: number;
  /** Parties waiting in the current generation. */
  waiting: number;
  /** Releases so far. */
  generation: number;
  closed: boolean;
}

interface Party {
  key: string | null;
  reply: DeferredReply<WaitReply>;
}

/**
 * The owner's state: one barrier.
 *
 * @example
 * ```ts
 * const state = new BarrierState(3); // handlers call state.wait(key, ctx.deferReply())
 * ```
 */
export class BarrierState {
  readonly parties: number;
  readonly #waiting = new WaitQueue<Party>();
  readonly #keyed = new Map<string, WaitNode<Party>>();
  #generation = 0;
  #closed = false;
  #reason: [] | [unknown] = [];

  constructor(parties: number) {
    this.parties = parties;
  }

  wait(key: string | null, reply: DeferredReply<WaitReply>): void {
    if (this.#closed) {
      reply.resolve(closedReply(this.#reason));
      return;
    }
    const node = this.#waiting.push({ key, reply });
    if (key !== null) this.#keyed.set(key, node);
    if (this.#waiting.length < this.parties) return;
    const generation = this.#generation++;
    let index = 0;
    for (const party of this.#waiting.drain()) party.reply.resolve([Reply.Released, generation, index++]);
    this.#keyed.clear();
  }

  cancel(key: string): void {
    const node = this.#keyed.get(key);
    if (node === undefined) return; // released already: the wait resolves
    this.#keyed.delete(key);
    this.#waiting.remove(node);
    node.value.reply.resolve([Reply.Cancelled]);
  }

  close(reason: [] | [unknown]): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reason = reason;
    for (const party of this.#waiting.drain()) party.reply.resolve(closedReply(reason));
    this.#keyed.clear();
  }

  stats(): BarrierStats {
    return { parties: this.parties, waiting: this.#waiting.length, generation: this.#generation, closed: this.#closed };
  }
}

/**
 * The barrier owner's protocol.
 *
 * @example
 * ```ts
 * const stats = await barrier.owner.ask("stats");
 * ```
 */
export interface BarrierOwnerHandlers {
  wait(state: BarrierState, key: string | null, ctx: ActorContext): void;
  cancel(state: BarrierState, key: string): void;
  close(state: BarrierState, reason: [] | [unknown]): null;
  stats(state: BarrierState): BarrierStats;
}

/**
 * The owner actor of one barrier (spawned by `Barrier.open`; internal, not exported by the
 * package). It has no `onDrain`: unlike a channel it holds nothing to hand out, and
 * breaking it when shutdown's drain begins would fail waits that the drain may still
 * complete (parties whose messages are still queued). An actor waiting at a barrier that
 * is never completed holds the drain until the deadline.
 *
 * @example
 * ```ts
 * const owner = await system.spawn(BarrierOwner, 4);
 * ```
 */
export const BarrierOwner: ActorDefinition<number, BarrierState, BarrierOwnerHandlers> = defineActor(import.meta.url, {
  name: "BarrierOwner",
  init: (parties: number) => new BarrierState(parties),
  handlers: {
    wait(state, key: string | null, ctx) {
      state.wait(key, ctx.deferReply<WaitReply>());
    },
    cancel(state, key: string) {
      state.cancel(key);
    },
    close(state, reason: [] | [unknown]) {
      state.close(reason);
      return null;
    },
    stats(state): BarrierStats {
      return state.stats();
    },
  },
  onStop(state, ctx) {
    state.close([`the owner ${ctx.label} stopped`]);
  },
});

/**
 * A barrier handle: send it in messages; every holder can `wait`.
 *
 * @example
 * ```ts
 * await using barrier = await Barrier.open(system, 2);
 * await Promise.all([barrier.wait(), barrier.wait()]); // both released together
 * ```
 */
export class Barrier implements AsyncDisposable {
  /** The owner actor's ref. */
  readonly owner: ActorRef<typeof BarrierOwner>;
  /** Parties per generation. */
  readonly parties: number;

  /** @internal made by {@link Barrier.open} and the wire. */
  constructor(owner: ActorRef<typeof BarrierOwner>, parties: number) {
    this.owner = owner;
    this.parties = parties;
  }

  /**
   * Opens a reusable barrier for `parties` parties: spawns its owner actor with `spawner`
   * (an `ActorSystem`, or an actor's `ctx`: the owner is then its child, on its worker
   * unless `worker` is given, and stops with it). Rejects with `InvalidArgumentError`
   * unless `parties` is a whole number ≥ 1.
   *
   * @example
   * ```ts
   * const barrier = await Barrier.open(system, 3, { worker: 0 });
   * // in a handler: const b = await Barrier.open(ctx, 2);
   * ```
   */
  static async open(spawner: Spawner, parties: number, options?: PlacementOptions): Promise<Barrier> {
    if (!Number.isInteger(parties) || parties < 1) {
      throw new InvalidArgumentError(`Barrier.open: parties must be a whole number ≥ 1; got ${String(parties)}.`);
    }
    return new Barrier(await spawner.spawn(BarrierOwner, parties, placement(options)), parties);
  }

  /**
   * Waits until `parties` parties (this one included) have arrived in this generation.
   * Cancelling removes this party if the release has not happened yet (then rejects
   * with the reason); after the release it resolves.
   *
   * @example
   * ```ts
   * const { index } = await barrier.wait({ timeout: 10_000 });
   * if (index === 0) console.log("first to arrive");
   * ```
   */
  async wait(options?: WaitOptions): Promise<BarrierPassage> {
    const reply = await waitAtOwner(this.owner, "wait", options, `wait at ${this}`, false);
    if (reply[0] === Reply.Closed) throw new ChannelClosedError(`${this}`, closedCause(reply));
    return { generation: reply[1] as number, index: reply[2] as number };
  }

  /**
   * Breaks the barrier: waiting and later `wait` calls reject with `ChannelClosedError`.
   *
   * @example
   * ```ts
   * await barrier.close(new Error("a party failed"));
   * ```
   */
  async close(reason?: unknown): Promise<void> {
    await closeAtOwner(this.owner, reason === undefined ? [] : [reason]);
  }

  /**
   * Parties waiting now, generations so far.
   *
   * @example
   * ```ts
   * const { waiting } = await barrier.stats();
   * ```
   */
  async stats(): Promise<BarrierStats> {
    return await this.owner.ask("stats");
  }

  /**
   * `await using` closes the barrier at the end of the scope.
   *
   * @example
   * ```ts
   * { await using b = await Barrier.open(system, 2); } // closed here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return `Barrier(${this.owner.label})`;
  }
}

registerHandleCodec<Barrier>("missive.barrier", {
  is: (v) => v instanceof Barrier,
  toWire: (b) => [b.owner, b.parties],
  fromWire: (data) => {
    const [owner, parties] = data as [ActorRef<typeof BarrierOwner>, number];
    return new Barrier(owner, parties);
  },
}, import.meta.url);

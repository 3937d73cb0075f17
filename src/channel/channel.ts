/**
 * Channels: bounded, multi-producer multi-consumer async queues that any actor, on any
 * worker, and the main loop can use — the bridge between event loops. A channel is owned
 * by a hidden actor ({@link ChannelOwner}); the {@link Channel} handle is a small value
 * (the owner's ref and the capacity) that travels in messages and keeps its class on
 * every worker. Every operation is an ask to the owner, on the same wire, transport and
 * mailboxes as any actor message.
 *
 * ## Semantics
 * - Items are FIFO; each item goes to exactly one getter; waiting getters and putters are
 *   served FIFO. Capacity 0 is a rendezvous: a put completes only when a getter takes
 *   the item. `Infinity` is unbounded.
 * - `close(reason?)`: waiting and later puts reject with `ChannelClosedError` carrying
 *   their value; getters first drain what is buffered, then `get` rejects with
 *   `ChannelClosedError` and `for await` ends (it throws that error instead when the
 *   channel was closed with a reason, so a consumer learns that the producer failed).
 * - `taskDone()` / `join()`: the joinable-queue pair (Python's `queue.Queue`): `join`
 *   resolves once every accepted item has been marked done.
 *
 * ## Cancellation (signal or timeout), and why nothing is lost or duplicated
 * A wait with a `signal` or `timeout` sends its ask with a **waiter key** the client made
 * up (the ask itself carries no signal and no timeout: its reply must never be dropped
 * as late). On cancellation the client sends `cancel(key)`. Messages from one thread to
 * the owner are FIFO, so the owner always sees the request before its cancel, and then:
 *
 * - **get** — if the getter is still queued, the owner removes exactly it. If the owner
 *   had already handed it an item (the reply is in flight), it returns that item to the
 *   **front** of the buffer itself, at once. The client rejects with the signal's reason
 *   (or `WaitTimeoutError`) immediately, and drops the item reply if one comes later.
 *   To know when a handed item is safe, the owner keeps it "in doubt" until the client
 *   either acknowledges it (`ack(key)`, sent when the item reply wins the race) or
 *   cancels; exactly one of the two is ever sent. Only cancellable gets pay for the
 *   `ack`. A closed channel tells its getters "closed" only when nothing is in doubt.
 *
 *   A cancelled get's `cancel` is sent at the end of the macrotask, not at once: a get on
 *   the same handle before then (a consumer loop whose gets time out or are aborted and
 *   start again) takes over the queued get instead, with its place in the queue, and no
 *   message is sent at all — so a cancel storm costs the owner nothing, and cannot bury
 *   puts and `close` under cancel traffic (see `get-slots.ts`). Any other operation of
 *   the handle sends the pending cancels first. An item that arrives for a get of the
 *   handle goes to the handle's first waiting get (FIFO among the handle's gets).
 * - **put** — if the putter is still queued, the owner removes it and the put rejects
 *   with the reason: the value was **not** sent. If the owner had already accepted the
 *   value (it is buffered or was handed to a getter), the put **resolves** even though
 *   the signal fired: a put cannot be undone, and the caller must never be told "not
 *   sent" about a value that is in the channel. So: a put that rejects with the abort
 *   reason did not happen; a put that resolves did — check `signal.aborted` if you need
 *   to know that the abort came too late.
 *
 * Why the owner returns an item rather than the client (an "unget" from the client when
 * the late item arrives): the item is back one hop earlier, its bytes do not travel a
 * third time, and the caller's promise settles at once on abort, as every `AbortSignal`
 * API does, instead of after a round trip.
 *
 * Order: FIFO holds per putter as seen by each getter, except for an item returned by a
 * cancelled get: it goes back to the front, but items behind it may have been handed to
 * other getters meanwhile, so it can arrive after them. The buffer may also briefly hold
 * more than `capacity` items (returned items are never refused).
 *
 * `tryPut` and `tryGet` are round trips too (they resolve to `boolean` / `{ ok }`): the
 * buffer lives with the owner on one worker, and a local guess would break exactly-once.
 *
 * ## Limits
 * - The protocol relies on messages from one thread to the owner arriving in the order
 *   they were sent, whichever actor (or none) sent them — true of the transport, which has
 *   one FIFO link per pair of event loops and delivers on its own loop synchronously.
 * - The owner is not restarted when its worker dies (an empty channel at the same address
 *   would drop the buffered items silently): waits then reject with `ChannelClosedError`
 *   whose `cause` is the `ActorStoppedError`, and what was buffered is lost with the worker.
 * - A thread that dies while an item is in doubt for it (or a select offer of its is
 *   tentative) leaves that item there: a closed channel then keeps its getters waiting.
 * - An actor awaiting a channel inside a handler is busy, and `shutdown()` drains busy
 *   actors: when the drain begins, every owner closes its channel (its `onDrain` hook, see
 *   `owner.ts`), so readers take what is buffered and their loops end; an actor waiting to
 *   *put* then gets `ChannelClosedError`. Owners opened with an actor's `ctx` are its
 *   children: they stop (and close) when the actor that made them stops or restarts.
 *
 * Why over 400 lines: the handle is one class whose doc carries the channel protocol
 * (about 80 lines) and an example on every method.
 *
 * @example
 * ```ts
 * await using ch = await Channel.open<number>(system, { capacity: 8 });
 * const consumer = system.spawn(Summer, ch); // an actor doing `for await (const n of ch)`
 * for (let i = 0; i < 100; i++) await ch.put(i);   // waits while the buffer is full
 * await ch.close();                               // consumers drain the rest, then end
 * ```
 * @module
 */
import type { ActorRef } from "../actor/ref.ts";
import { ActorStoppedError, InvalidArgumentError, SystemStoppedError } from "../errors.ts";
import { macrotask } from "../util/macrotask.ts";
import { registerHandleCodec } from "../wire/handles.ts";
import { ChannelClosedError } from "./errors.ts";
import { GetSlots } from "./get-slots.ts";
import { ChannelOwner, type ChannelStats } from "./owner.ts";
import { closedCause, type GetReply, PutMode, type PutReply, Reply } from "./protocol.ts";
import {
  Cancellation,
  closeAtOwner,
  isCancellable,
  newKey,
  NO_TIMEOUT,
  placement,
  type PlacementOptions,
  type Spawner,
  waitAtOwner,
  type WaitOptions,
} from "./waits.ts";

/**
 * Options of {@link Channel.open}.
 *
 * @example
 * ```ts
 * const ch = await Channel.open<string>(system, { capacity: 16, worker: 1 });
 * ```
 */
export interface ChannelOptions extends PlacementOptions {
  /** Items the buffer holds: a whole number ≥ 0 (0: rendezvous) or `Infinity` (unbounded). */
  capacity: number;
}

/**
 * What `tryGet` resolves with.
 *
 * @example
 * ```ts
 * const r: TryGetResult<number> = await ch.tryGet();
 * if (r.ok) use(r.value);
 * ```
 */
export type TryGetResult<T> = { ok: true; value: T } | { ok: false; closed: boolean };

/**
 * A channel handle. Get one from {@link Channel.open} (with the system, or with an actor's
 * `ctx`); send it in messages to give other actors access (it keeps its class across the
 * wire).
 *
 * @example
 * ```ts
 * const ch = await Channel.open<string>(system, { capacity: 0 }); // rendezvous
 * const [, got] = await Promise.all([ch.put("hi"), ch.get()]);
 * ```
 */
export class Channel<T> implements AsyncIterable<T>, AsyncDisposable {
  /** The owner actor's ref. */
  readonly owner: ActorRef<typeof ChannelOwner>;
  /** Buffer capacity (0: rendezvous, `Infinity`: unbounded). */
  readonly capacity: number;
  /** `taskDone` counts not sent yet (see {@link taskDone}). */
  #done = 0;
  #doneScheduled = false;
  /** This handle's cancellable gets (made on the first one). */
  #gets: GetSlots | undefined;
  /** What a cancellable get's errors call it (made once). */
  #getLabel: string | undefined;
  /** `#takeDone` for the cancellable gets (made once, not per get). */
  #takeDoneLater: (() => number) | undefined;

  /** @internal handles are made by {@link Channel.open} and the wire. */
  constructor(owner: ActorRef<typeof ChannelOwner>, capacity: number) {
    this.owner = owner;
    this.capacity = capacity;
  }

  /**
   * Opens a channel: spawns its owner actor with `spawner` and resolves with the handle,
   * which works from any worker and the main loop. With an `ActorSystem` the owner is a
   * top-level actor (round-robin, or on `worker`); with an actor's `ctx` it is a child of
   * that actor, on its worker unless `worker` is given, and it stops (closing the channel)
   * when the actor stops or restarts. Rejects with `InvalidArgumentError` for a bad
   * capacity or worker.
   *
   * @example
   * ```ts
   * await using jobs = await Channel.open<Job>(system, { capacity: 64 }); // 0: rendezvous, Infinity: unbounded
   * // in a handler: const results = await Channel.open<Result>(ctx, { capacity: 8 });
   * ```
   */
  static async open<T>(spawner: Spawner, options: ChannelOptions): Promise<Channel<T>> {
    if (typeof options !== "object" || options === null) {
      throw new InvalidArgumentError("Channel.open: pass options, e.g. { capacity: 16 }.");
    }
    const capacity = options.capacity;
    if (!(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 0))) {
      throw new InvalidArgumentError(
        `Channel.open: capacity must be a whole number ≥ 0 (0: rendezvous) or Infinity; got ${String(capacity)}.`,
      );
    }
    return new Channel<T>(await spawner.spawn(ChannelOwner, capacity, placement(options)), capacity);
  }

  /**
   * Puts `value`, waiting while the channel is full (FIFO among waiting putters; on a
   * rendezvous channel, until a getter takes it). Rejects with `ChannelClosedError`
   * carrying the value when the channel is closed. Cancelling rejects with the reason
   * only when the value was not sent; a put the owner had already accepted resolves.
   *
   * @example
   * ```ts
   * await ch.put(job, { signal: AbortSignal.timeout(1_000) });
   * ```
   */
  async put(value: T, options?: WaitOptions): Promise<void> {
    this.#before();
    if (!isCancellable(options)) {
      this.#putOutcome(await this.#ask<PutReply>(this.owner.ask("put", [value, null, PutMode.Wait], NO_TIMEOUT)), value, undefined);
      return;
    }
    const cancellation = new Cancellation(options, `put into ${this}`);
    if (cancellation.cancelled) throw cancellation.reason;
    const key = newKey();
    const reply = this.#ask<PutReply>(this.owner.ask("put", [value, key, PutMode.Wait], NO_TIMEOUT));
    // The owner decides: the put is withdrawn only if it was still waiting.
    cancellation.onCancel(() => this.#tell("cancel", key));
    try {
      this.#putOutcome(await reply, value, cancellation);
    } finally {
      cancellation[Symbol.dispose]();
    }
  }

  /**
   * Takes the next item, waiting while the channel is empty (FIFO among waiting
   * getters). When the channel is closed and drained, rejects with `ChannelClosedError`.
   * Cancelling rejects at once with the reason; no item is lost (see the module docs).
   *
   * @example
   * ```ts
   * const job = await ch.get({ timeout: 5_000 });
   * ```
   */
  get(options?: WaitOptions): Promise<T> {
    if (!isCancellable(options)) return this.#plainGet();
    // Not async: a cancel storm makes a get per abort, and each promise less counts.
    this.#gets ??= new GetSlots(this.owner, (reply) => new ChannelClosedError(`${this}`, closedCause(reply)));
    return this.#gets.get<T>(options!, this.#getLabel ??= `get from ${this}`, this.#takeDoneLater ??= () => this.#takeDone());
  }

  async #plainGet(): Promise<T> {
    this.#gets?.flush();
    return this.#item(await this.#ask<GetReply>(this.owner.ask("get", [null, true, this.#takeDone()], NO_TIMEOUT)));
  }

  /**
   * Puts `value` only if that needs no wait (room in the buffer, or a getter waiting on
   * a rendezvous channel). A round trip to the owner, hence a promise. Rejects with
   * `ChannelClosedError` (carrying the value) when closed.
   *
   * @example
   * ```ts
   * if (!(await ch.tryPut(sample))) dropped++;
   * ```
   */
  async tryPut(value: T): Promise<boolean> {
    this.#before();
    const reply = await this.#ask<PutReply>(this.owner.ask("put", [value, null, PutMode.Try], NO_TIMEOUT));
    if (reply[0] === Reply.Full) return false;
    this.#putOutcome(reply, value, undefined);
    return true;
  }

  /**
   * Takes an item only if one is there now (or, on a rendezvous channel, a putter is
   * waiting). A round trip to the owner, hence a promise.
   *
   * @example
   * ```ts
   * const r = await ch.tryGet();
   * if (r.ok) use(r.value); else if (r.closed) stop();
   * ```
   */
  async tryGet(): Promise<TryGetResult<T>> {
    this.#gets?.flush();
    const reply = await this.#ask<GetReply>(this.owner.ask("get", [null, false, this.#takeDone()], NO_TIMEOUT));
    if (reply[0] === Reply.Item) return { ok: true, value: reply[1] as T };
    return { ok: false, closed: reply[0] === Reply.Closed };
  }

  /**
   * Closes the channel (idempotent; the first reason is kept). Waiting and later puts
   * reject with `ChannelClosedError`; getters drain the buffer, then end. Resolves once
   * the owner has closed it.
   *
   * @example
   * ```ts
   * await ch.close();                                  // consumers' for-await loops end
   * await ch.close(new Error("producer failed"));     // …or throw this, after draining
   * ```
   */
  async close(reason?: unknown): Promise<void> {
    this.#before();
    await closeAtOwner(this.owner, reason === undefined ? [] : [reason]);
  }

  /**
   * Marks `count` taken items as done (for {@link join}). It never waits: the count rides
   * on this handle's next `get` when one follows in the same turn of the event loop (the
   * usual `for await … { …; ch.taskDone(); }` loop), else it is told to the owner in the
   * next macrotask — one message less per item. Every other operation on this handle
   * sends what is pending first. Marking more items than were accepted is reported on
   * the owner's worker and ignored.
   *
   * @example
   * ```ts
   * for await (const job of ch) { await run(job); ch.taskDone(); }
   * ```
   */
  taskDone(count = 1): void {
    if (!Number.isInteger(count) || count < 1) {
      throw new InvalidArgumentError(`taskDone: count must be a positive whole number; got ${count}.`);
    }
    this.#done += count;
    if (this.#doneScheduled) return;
    this.#doneScheduled = true;
    macrotask(() => {
      this.#doneScheduled = false;
      this.#sendDone();
    });
  }

  /**
   * Resolves when every item accepted so far has been marked done with `taskDone` (at
   * once when none is unfinished).
   *
   * @example
   * ```ts
   * for (const job of todo) await ch.put(job);
   * await ch.join(); // every job was processed
   * ```
   */
  async join(options?: WaitOptions): Promise<void> {
    this.#before();
    const reply = await waitAtOwner(this.owner, "join", options, `join ${this}`, true);
    if (reply[0] === Reply.Closed) throw new ChannelClosedError(`${this}`, closedCause(reply));
  }

  /**
   * A snapshot of the owner's counters and queues (one round trip).
   *
   * @example
   * ```ts
   * const { buffered, getters, putters } = await ch.stats();
   * ```
   */
  async stats(): Promise<ChannelStats> {
    this.#before();
    return await this.owner.ask("stats");
  }

  /**
   * The items, until the channel is closed and drained; `signal` cancels the wait for the
   * next item (the loop then throws the reason).
   *
   * @example
   * ```ts
   * for await (const job of ch.values({ signal })) handle(job);
   * ```
   */
  async *values(options?: WaitOptions): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get(options);
      } catch (e) {
        if (e instanceof ChannelClosedError && !e.hasValue && e.cause === undefined) return;
        throw e;
      }
      yield item;
    }
  }

  /**
   * `for await (const item of ch)`: every item until the channel is closed and drained.
   *
   * @example
   * ```ts
   * for await (const line of ch) console.log(line);
   * ```
   */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this.values();
  }

  /**
   * `await using ch = await Channel.open(…)` closes the channel when the scope ends.
   *
   * @example
   * ```ts
   * { await using ch = await Channel.open<number>(system, { capacity: 1 }); await ch.put(1); } // closed here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return `Channel(${this.owner.label})`;
  }

  /** Takes the pending `taskDone` count (it travels with a `get`). */
  #takeDone(): number {
    const n = this.#done;
    this.#done = 0;
    return n;
  }

  /** Before any operation but a get: the pending `taskDone` count and the cancels of unused get slots go first (FIFO). */
  #before(): void {
    this.#sendDone();
    this.#gets?.flush();
  }

  /** Sends the pending `taskDone` count, if any (before any other operation, to keep FIFO). */
  #sendDone(): void {
    if (this.#done === 0) return;
    const n = this.#takeDone();
    try {
      this.owner.tell("taskDone", n);
    } catch (e) {
      if (!(e instanceof SystemStoppedError)) throw e; // shutting down: nobody joins any more
    }
  }

  #putOutcome(reply: PutReply, value: T, cancellation: Cancellation | undefined): void {
    switch (reply[0]) {
      case Reply.Accepted:
        return;
      case Reply.Cancelled:
        throw cancellation!.reason;
      default:
        throw new ChannelClosedError(`${this}`, { value, hasValue: true, ...closedCause(reply) });
    }
  }

  #item(reply: GetReply): T {
    if (reply[0] === Reply.Item) return reply[1] as T;
    throw new ChannelClosedError(`${this}`, closedCause(reply));
  }

  /** The owner being gone (stopped, or its worker died) reads as closed, with that as the reason. */
  #ask<R extends GetReply | PutReply>(reply: Promise<unknown>): Promise<R> {
    return (reply as Promise<R>).catch((e: unknown) => {
      if (e instanceof ActorStoppedError) return [Reply.Closed, e] as unknown as R;
      throw e;
    });
  }

  #tell(name: "cancel" | "ack", key: string): void {
    try {
      this.owner.tell(name, key);
    } catch {
      // The system is shutting down: the owner stops too, and answers every waiter.
    }
  }
}

registerHandleCodec<Channel<unknown>>("missive.channel", {
  is: (v) => v instanceof Channel,
  toWire: (ch) => [ch.owner, ch.capacity],
  fromWire: (data) => {
    const [owner, capacity] = data as [ActorRef<typeof ChannelOwner>, number];
    return new Channel(owner, capacity);
  },
}, import.meta.url);

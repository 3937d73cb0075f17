/**
 * What every wait shares: the `{ signal, timeout }` options, the client-side
 * {@link Cancellation} that merges them, the waiter keys a client makes up so it can
 * name its waiter in a later `cancel` message, and {@link waitAtOwner}, the client side
 * of `join` and of barrier and latch waits. Also what every handle's factory and `close`
 * share: the {@link Spawner} they take (an `ActorSystem` or a `ctx`, the only thing
 * channels need from the core to make an owner), {@link placement} and {@link closeAtOwner}.
 *
 * @example
 * ```ts
 * const c = new Cancellation({ signal, timeout: 100 }, "get from the channel");
 * c.onCancel((reason) => owner.tell("cancel", key)); // at most once
 * c[Symbol.dispose](); // clears the timer and the abort listener
 * ```
 * @module
 */
import type { SpawnArgs, SpawnOptions } from "../actor/context.ts";
import type { AnyDefinition } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { ActorStoppedError, InvalidArgumentError } from "../errors.ts";
import { WaitTimeoutError } from "./errors.ts";
import { Reply, type WaitReply } from "./protocol.ts";

/**
 * Options of every wait.
 *
 * @example
 * ```ts
 * await ch.get({ signal: controller.signal, timeout: 1_000 });
 * ```
 */
export interface WaitOptions {
  /** Aborting cancels the wait (see each operation for what happens to its value). */
  signal?: AbortSignal;
  /** Milliseconds before the wait is cancelled with `WaitTimeoutError` (default: none). */
  timeout?: number;
}

/**
 * Where the owner actor of a channel, barrier or latch runs.
 *
 * @example
 * ```ts
 * const barrier = await Barrier.open(system, 2, { worker: 0 });
 * ```
 */
export interface PlacementOptions {
  /**
   * Worker index (0-based). Default: wherever the spawner puts an actor spawned without
   * one — round-robin for an `ActorSystem`, the actor's own worker for a `ctx`.
   */
  worker?: number;
}

/**
 * Anything that can spawn an actor: an `ActorSystem` (the owner is a top-level actor) or
 * an actor's `ctx` (the owner is a child of that actor: it stops, and its channel closes,
 * when the actor stops or restarts). Both fit structurally; channels need nothing else
 * from the core.
 *
 * @example
 * ```ts
 * const spawner: Spawner = system; // an actor's ctx fits too
 * const ch = await Channel.open<number>(spawner, { capacity: 8 });
 * ```
 */
export interface Spawner {
  spawn<D extends AnyDefinition>(definition: D, ...args: SpawnArgs<D>): Promise<ActorRef<D>>;
}

/**
 * The spawn options for an owner placed by `options` (only `worker`: owners are unnamed).
 *
 * @example
 * ```ts
 * placement({ worker: 1 }); // { worker: 1 }
 * placement(undefined);     // {}: wherever the spawner puts it
 * ```
 */
export function placement(options: PlacementOptions | undefined): SpawnOptions {
  return options?.worker === undefined ? {} : { worker: options.worker };
}

/**
 * Closes an owner's channel, barrier or latch (`close` ask, the reason as `[]` or
 * `[reason]`); an owner that is gone counts as closed already.
 *
 * @example
 * ```ts
 * await closeAtOwner(latch.owner, [new Error("aborted")]);
 * ```
 */
export async function closeAtOwner(
  // deno-lint-ignore no-explicit-any
  owner: ActorRef<any>,
  reason: [] | [unknown],
): Promise<void> {
  try {
    await owner.ask("close", reason);
  } catch (e) {
    if (!(e instanceof ActorStoppedError)) throw e;
  }
}

/**
 * True when the options ask for a cancellable wait.
 *
 * @example
 * ```ts
 * isCancellable({ timeout: 5 }); // true
 * isCancellable({});             // false
 * ```
 */
export function isCancellable(options: WaitOptions | undefined): boolean {
  return options !== undefined && (options.signal !== undefined || options.timeout !== undefined);
}

/** The options of every abort listener: one object, not one per wait. */
const ONCE: AddEventListenerOptions = { once: true };

/**
 * A signal and a timeout merged into one cancellation that fires at most once. The
 * timer is the library's own (cleared on dispose), so a finished wait leaves nothing
 * behind that would keep the process alive.
 *
 * @example
 * ```ts
 * using cancellation = new Cancellation({ signal, timeout: 100 }, "get");
 * cancellation.onCancel((reason) => owner.tell("cancel", key));
 * ```
 */
export class Cancellation implements Disposable {
  #reason: unknown = undefined;
  #cancelled = false;
  #callback: ((reason: unknown) => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  constructor(options: WaitOptions | undefined, what: string) {
    const timeout = options?.timeout;
    if (timeout !== undefined && !(typeof timeout === "number" && timeout >= 0)) {
      throw new InvalidArgumentError(`${what}: timeout must be a number of milliseconds ≥ 0 (or Infinity); got ${String(timeout)}.`);
    }
    const signal = options?.signal;
    if (signal?.aborted) {
      // Nothing to notify yet (and a subclass's fields are not set up): the caller checks `cancelled`.
      this.#cancelled = true;
      this.#reason = signal.reason;
      return;
    }
    if (signal !== undefined) {
      this.#signal = signal;
      // The closure holds only `this`: a cancel storm makes one per wait.
      this.#onAbort = () => {
        this.#onAbort = undefined; // a `once` listener is gone before it runs: nothing to remove
        this.#cancel(this.#signal!.reason);
      };
      signal.addEventListener("abort", this.#onAbort, ONCE);
    }
    if (timeout !== undefined && Number.isFinite(timeout)) {
      this.#timer = setTimeout(() => this.#cancel(new WaitTimeoutError(what, timeout)), timeout);
    }
  }

  /** True once the signal aborted or the timeout passed. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** The signal's reason, or the `WaitTimeoutError`. */
  get reason(): unknown {
    return this.#reason;
  }

  /** Calls `callback` once when cancelled (at once if it already is); replaces an earlier callback. */
  onCancel(callback: (reason: unknown) => void): void {
    if (this.#cancelled) callback(this.#reason);
    else this.#callback = callback;
  }

  #cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    const callback = this.#callback;
    this[Symbol.dispose]();
    if (callback !== null) callback(reason);
    else this.onCancelled(reason);
  }

  /**
   * Called once when the wait is cancelled, if no {@link onCancel} callback is set: a
   * subclass that is its own waiter overrides it instead of making a closure per wait.
   */
  protected onCancelled(_reason: unknown): void {}

  /** Clears the timer and the abort listener, and lets go of the signal (the wait is over). */
  [Symbol.dispose](): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onAbort !== undefined) this.#signal!.removeEventListener("abort", this.#onAbort);
    this.#onAbort = undefined;
    this.#signal = undefined; // a finished wait holds nothing of the caller's
    this.#callback = null;
  }
}

// Keys only need to be unique per owner; owners hear from every thread, so each thread
// draws a random 64-bit prefix once and counts from there.
const random = new Uint32Array(2);
crypto.getRandomValues(random);
const prefix = `${random[0]!.toString(36)}${random[1]!.toString(36)}.`;
let counter = 0;

/**
 * A fresh waiter key, unique across threads: how a client names its waiter in `cancel`.
 *
 * @example
 * ```ts
 * const key = newKey();
 * await owner.ask("get", [key, true, 0], NO_TIMEOUT);
 * ```
 */
export function newKey(): string {
  return prefix + (counter++).toString(36);
}

/**
 * Asks for waits must never time out on their own: their reply may carry an item or a release.
 *
 * @example
 * ```ts
 * await owner.ask("get", [null, true, 0], NO_TIMEOUT);
 * ```
 */
export const NO_TIMEOUT = { timeout: Infinity };

/**
 * Swallows a rejection nobody waits for any more (the outcome was decided elsewhere).
 *
 * @example
 * ```ts
 * reply.catch(ignore); // decided elsewhere
 * ```
 */
export const ignore = (): void => undefined;

/**
 * A wait at an owner (`join`, a barrier's or latch's `wait`) that only its owner settles:
 * with `key` when cancellable, cancelled by `cancel(key)`. With `settleOnCancel` the
 * caller's promise rejects at once on cancel (nothing depends on the owner's answer);
 * otherwise it waits for the owner to say whether the cancel came in time.
 *
 * @example
 * ```ts
 * const reply = await waitAtOwner(latch.owner, "wait", { timeout: 100 }, "wait for the latch", true);
 * ```
 */
export async function waitAtOwner(
  // deno-lint-ignore no-explicit-any
  owner: ActorRef<any>,
  name: string,
  options: WaitOptions | undefined,
  what: string,
  settleOnCancel: boolean,
): Promise<WaitReply> {
  const ask = (key: string | null): Promise<WaitReply> =>
    (owner.ask(name, key, NO_TIMEOUT) as Promise<WaitReply>).catch((e: unknown) => {
      if (e instanceof ActorStoppedError) return [Reply.Closed, e] as WaitReply;
      throw e;
    });
  if (!isCancellable(options)) return await ask(null);
  const cancellation = new Cancellation(options, what);
  if (cancellation.cancelled) throw cancellation.reason;
  const key = newKey();
  const reply = ask(key);
  const tellCancel = () => {
    try {
      owner.tell("cancel", key);
    } catch {
      // shutting down: the owner answers every waiter as it stops
    }
  };
  try {
    if (!settleOnCancel) {
      cancellation.onCancel(tellCancel);
      const r = await reply;
      if (r[0] === Reply.Cancelled) throw cancellation.reason;
      return r;
    }
    return await new Promise<WaitReply>((resolve, reject) => {
      cancellation.onCancel((reason) => {
        tellCancel();
        reply.catch(ignore);
        reject(reason);
      });
      reply.then(resolve, reject);
    });
  } finally {
    cancellation[Symbol.dispose]();
  }
}

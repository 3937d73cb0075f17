/**
 * The `ActorContext` each actor's `init`, handlers and hooks get (the interface is in
 * `src/actor/context.ts`): its own ref, the sender, spawning children, stopping, deferring
 * a reply, and death watch.
 *
 * One small object per actor: its methods live on the class, the loop's side is one
 * {@link ContextHost} shared by every actor of the loop, and `self`, `timers` and the
 * sender's ref are made on first use — an idle actor pays for two fields (issue 13's
 * ≤ 1 KiB per idle actor). Call the methods on the context (`ctx.stop()`), as with any
 * class instance; a detached `const { stop } = ctx` has no context.
 *
 * @example
 * ```ts
 * declare const host: ContextHost; // the loop's side: refs, replies, spawning, stopping
 * cell.ctx = actorContext(cell, host);
 * const self = cell.ctx.self; // a ref to cell's own actor
 * ```
 * @module
 */
import type { ActorCell } from "../actor/cell.ts";
import type { ActorContext, DeferredReply, SpawnArgs, SpawnOptions, TimerScheduler } from "../actor/context.ts";
import type { AnyDefinition } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { InvalidArgumentError } from "../errors.ts";
import { type Envelope, Kind } from "../wire/envelope.ts";
import type { DeathWatch } from "./watch.ts";
import { ActorTimers } from "./timers.ts";
import type { Clock } from "../util/clock.ts";

/** What a context needs from its loop (one object per loop, shared by its actors). */
export interface ContextHost {
  readonly index: number;
  /** The actor whose handler is running (its synchronous part). */
  readonly current: ActorCell | null;
  readonly watch: DeathWatch;
  refTo(addr: number, label: string): ActorRef;
  /** The ref of the sender at address `addr` (an actor of another node when `addr` is an alias for one), if an actor sent. */
  senderRef(addr: number): ActorRef | undefined;
  reply(env: Envelope, value: unknown): void;
  fail(env: Envelope, error: unknown): void;
  /** Spawns a child of `cell`. */
  spawnChild(cell: ActorCell, definition: AnyDefinition, arg: unknown, options: SpawnOptions | undefined): Promise<ActorRef>;
  /** `ctx.stop()`: stop `cell` after its current message. */
  requestStop(cell: ActorCell): void;
  /** The loop's clock (timers). */
  readonly clock: Clock;
  /** Sends `name`(`arg`) to `cell` from itself (a timer fired). */
  tellSelf(cell: ActorCell, name: string, arg: unknown): void;
  /** A timer of `cell` could not send its message. */
  timerFailed(cell: ActorCell, key: string, error: unknown): void;
}

/** The context of `cell`. */
export function actorContext(cell: ActorCell, host: ContextHost): ActorContext {
  return new CellContext(cell, host);
}

class CellContext implements ActorContext {
  readonly #cell: ActorCell;
  readonly #host: ContextHost;
  #self: ActorRef | undefined = undefined;
  /** The last sender's address and ref, kept while the same actor sends (a conversation reuses it). */
  #senderFrom = 0;
  #sender: ActorRef | undefined = undefined;

  constructor(cell: ActorCell, host: ContextHost) {
    this.#cell = cell;
    this.#host = host;
  }

  get self(): ActorRef {
    return this.#self ??= this.#host.refTo(this.#cell.address, this.#cell.label);
  }

  get sender(): ActorRef | undefined {
    const from = this.#cell.sender;
    if (from === 0) return undefined;
    if (from === this.#senderFrom && this.#sender !== undefined) return this.#sender;
    const ref = this.#host.senderRef(from);
    if (ref !== undefined && ref.address === from) {
      // Kept only for an actor of this system (an alias of another node's actor may be forgotten and its number reused).
      this.#senderFrom = from;
      this.#sender = ref;
    }
    return ref;
  }

  get worker(): number {
    return this.#host.index - 1;
  }

  get label(): string {
    return this.#cell.label;
  }

  get timers(): TimerScheduler {
    const cell = this.#cell;
    if (cell.timers === null) {
      const host = this.#host;
      cell.timers = new ActorTimers({
        clock: host.clock,
        tellSelf: (name, arg) => host.tellSelf(cell, name, arg),
        failed: (key, error) => host.timerFailed(cell, key, error),
      });
    }
    return cell.timers as ActorTimers;
  }

  spawn<D extends AnyDefinition>(definition: D, ...args: SpawnArgs<D>): Promise<ActorRef<D>> {
    const [arg, options] = args as [unknown, SpawnOptions | undefined];
    return this.#host.spawnChild(this.#cell, definition, arg, options) as Promise<ActorRef<D>>;
  }

  stop(): void {
    this.#host.requestStop(this.#cell);
  }

  deferReply<T = unknown>(): DeferredReply<T> {
    const cell = this.#cell;
    const host = this.#host;
    const env = cell.currentEnv;
    if (host.current !== cell || env === null) {
      throw new InvalidArgumentError("ctx.deferReply() must be called in the synchronous part of a handler.");
    }
    const isAsk = (env[0] & 7) === Kind.Ask;
    if (isAsk) cell.deferredEnv = env;
    let settled = !isAsk;
    return {
      isAsk,
      get settled() {
        return settled;
      },
      resolve: (value: T) => {
        if (settled) return;
        settled = true;
        host.reply(env, value);
      },
      reject: (error: unknown) => {
        if (settled) return;
        settled = true;
        host.fail(env, error);
      },
    };
  }

  watch(ref: ActorRef): Promise<void> {
    return this.#host.watch.watch(this.#cell, ref, false);
  }

  link(ref: ActorRef): Promise<void> {
    return this.#host.watch.watch(this.#cell, ref, true);
  }

  unwatch(ref: ActorRef): void {
    this.#host.watch.unwatch(this.#cell, ref);
  }
}

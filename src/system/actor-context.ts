/**
 * The `ActorContext` each actor's `init`, handlers and hooks get (the interface is in
 * `src/actor/context.ts`): its own ref, the sender, spawning children, stopping, deferring
 * a reply, and death watch.
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
import type { ActorContext, DeferredReply, SpawnOptions } from "../actor/context.ts";
import type { AnyDefinition } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { InvalidArgumentError } from "../errors.ts";
import { type Envelope, Kind, localIdOf } from "../wire/envelope.ts";
import type { DeathWatch } from "./watch.ts";
import { ActorTimers } from "./timers.ts";
import type { Clock } from "../util/clock.ts";

/** What a context needs from its loop. */
export interface ContextHost {
  readonly index: number;
  /** The actor whose handler is running (its synchronous part). */
  readonly current: ActorCell | null;
  readonly watch: DeathWatch;
  refTo(addr: number, label: string): ActorRef;
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
  const timers = new ActorTimers({
    clock: host.clock,
    tellSelf: (name, arg) => host.tellSelf(cell, name, arg),
    failed: (key, error) => host.timerFailed(cell, key, error),
  });
  cell.timers = timers;
  // The ref to the last sender, kept: a conversation answers the same sender again and again,
  // and a ref is immutable (it was a new, frozen ref on every read).
  let senderAddress = 0;
  let senderRef: ActorRef | undefined;
  return {
    timers,
    self: host.refTo(cell.address, cell.label),
    get sender() {
      const from = cell.sender;
      if (from === 0 || localIdOf(from) === 0) return undefined;
      if (from !== senderAddress) {
        senderRef = host.refTo(from, `actor ${from}`);
        senderAddress = from;
      }
      return senderRef;
    },
    worker: host.index - 1,
    label: cell.label,
    // deno-lint-ignore no-explicit-any
    spawn: (definition: AnyDefinition, arg?: unknown, options?: SpawnOptions): Promise<any> =>
      host.spawnChild(cell, definition, arg, options),
    stop: () => host.requestStop(cell),
    deferReply: <T>(): DeferredReply<T> => {
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
    },
    watch: (ref: ActorRef) => host.watch.watch(cell, ref, false),
    link: (ref: ActorRef) => host.watch.watch(cell, ref, true),
    unwatch: (ref: ActorRef) => host.watch.unwatch(cell, ref),
  };
}

/**
 * Death watch and links, on one loop. `ctx.watch(ref)` registers the watcher with the
 * watched actor's loop; when it stops, every watcher gets a `$terminated` message in
 * mailbox order, handled by the definition's `onTerminated`. Watching an actor that is
 * already gone delivers the signal at once (with the real reason while it is remembered),
 * so a stop is never missed. `ctx.link(ref)` is a watch both ways where an abnormal stop
 * fails the other actor with `LinkedActorError` (Erlang's links; a normal stop does not
 * propagate).
 *
 * @example
 * ```ts
 * export const Supervisor = defineActor(import.meta.url, {
 *   init: () => ({ child: null as ActorRef<typeof Counter> | null }),
 *   handlers: {
 *     async supervise(state, _: void, ctx) {
 *       state.child = await ctx.spawn(Counter, 1);
 *       await ctx.watch(state.child);
 *     },
 *   },
 *   onTerminated(_state, t) { console.log(t.actor.label, "stopped:", t.reason); },
 * });
 * ```
 * @module
 */
import type { ActorCell } from "../actor/cell.ts";
import type { Terminated } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { LinkedActorError, MissiveError } from "../errors.ts";
import { address, type Envelope, localIdOf, loopOf, SystemMessage } from "../wire/envelope.ts";
import type { OpName, OpPayload, OpReply } from "./ops.ts";
import { describeError } from "../util/error-text.ts";

/** Why an actor stopped (what watchers and linked actors are told). */
export interface StopReason {
  normal: boolean;
  reason: string;
  error?: unknown;
}

/** What death watch needs from its loop. */
export interface WatchHost {
  readonly index: number;
  readonly cells: Map<number, ActorCell>;
  requestOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>): Promise<OpReply<K>>;
  tellOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>): void;
  tellSystem(to: number, from: number, name: string, payload: unknown): void;
  refTo(addr: number, label: string): ActorRef;
}

/** Stopped actors whose reason is remembered, per loop, for watchers that come late. */
const TOMBSTONES = 1024;

export class DeathWatch {
  readonly #host: WatchHost;
  /** Recently stopped actors: address → `$terminated` payload (oldest first). */
  readonly #tombstones = new Map<number, unknown[]>();

  constructor(host: WatchHost) {
    this.#host = host;
  }

  /** `cell` watches (or links to) `ref`; resolves once registered with `ref`'s loop. */
  watch(cell: ActorCell, ref: ActorRef, link: boolean): Promise<void> {
    (link ? cell.links : cell.watching).add(ref.address);
    return this.#host.requestOp(loopOf(ref.address), "watch", [localIdOf(ref.address), cell.address, link]);
  }

  /** `cell` stops watching `ref`. */
  unwatch(cell: ActorCell, ref: ActorRef): void {
    cell.watching.delete(ref.address);
    this.#host.tellOp(loopOf(ref.address), "unwatch", [localIdOf(ref.address), cell.address]);
  }

  /** The `watch` request on the watched actor's loop. */
  watchOp([target, watcher, link]: [number, number, boolean]): void {
    const host = this.#host;
    const cell = host.cells.get(target);
    if (cell === undefined || cell.status === "stopped") {
      // Gone already: tell the watcher at once, with the real reason when it is remembered.
      const addr = address(host.index, target);
      const payload = this.#tombstones.get(addr) ?? [addr, `actor ${addr}`, "it was not alive", true];
      host.tellSystem(watcher, addr, SystemMessage.Terminated, payload);
      return;
    }
    (link ? cell.links : cell.watchers).add(watcher);
  }

  /** The `unwatch` request. */
  unwatchOp([target, watcher]: [number, number]): void {
    this.#host.cells.get(target)?.watchers.delete(watcher);
  }

  /** `cell` has stopped: its watches end, and its watchers and linked actors are told why. */
  stopped(cell: ActorCell, reason: StopReason): void {
    const host = this.#host;
    for (const watched of cell.watching) host.tellOp(loopOf(watched), "unwatch", [localIdOf(watched), cell.address]);
    const base = [cell.address, cell.label, reason.reason, reason.normal];
    this.#tombstones.set(cell.address, base);
    if (this.#tombstones.size > TOMBSTONES) this.#tombstones.delete(this.#tombstones.keys().next().value!);
    for (const watcher of new Set([...cell.watchers, ...cell.links])) {
      try {
        host.tellSystem(watcher, cell.address, SystemMessage.Terminated, reason.error === undefined ? base : [...base, reason.error]);
      } catch {
        host.tellSystem(watcher, cell.address, SystemMessage.Terminated, [...base, new MissiveError(describeError(reason.error))]);
      }
    }
  }

  /**
   * A `$terminated` message reached `cell`. A linked actor's abnormal stop is returned as
   * the `LinkedActorError` to fail `cell` with; a watched actor's stop becomes the
   * `Terminated` signal for `onTerminated`; `null` when there is nothing to do. A payload
   * of the wrong shape returns `undefined` (the caller makes it a dead letter).
   */
  signal(cell: ActorCell, env: Envelope): Terminated | LinkedActorError | null | undefined {
    const payload = env[5];
    if (
      !Array.isArray(payload) || typeof payload[0] !== "number" || typeof payload[1] !== "string" || typeof payload[2] !== "string" ||
      typeof payload[3] !== "boolean"
    ) {
      return undefined; // not a signal this framework wrote
    }
    const [addr, label, reason, normal, error] = payload as [number, string, string, boolean, unknown?];
    const watched = cell.watching.delete(addr);
    const linked = cell.links.delete(addr);
    if (linked && !normal) return new LinkedActorError(label, reason, error);
    if (!watched) return null;
    const signal: Terminated = { actor: this.#host.refTo(addr, label), reason, normal };
    if (error !== undefined) signal.error = error;
    return signal;
  }

  /**
   * Actors of a dead worker were re-created (`restarted`, same addresses) or are gone for
   * good (`lost`): watchers of lost actors get `Terminated`; watches of restarted ones are
   * registered again.
   */
  actorsLost(cell: ActorCell, lost: Map<number, string>, restarted: Set<number>, reason: string, deliver: (env: Envelope) => void): void {
    const host = this.#host;
    for (const [addr, label] of lost) {
      if (cell.watching.has(addr) || cell.links.has(addr)) {
        deliver([0, cell.address, addr, 0, SystemMessage.Terminated, [addr, label, reason, false]]);
      }
    }
    for (const addr of restarted) {
      if (cell.watching.has(addr)) void host.requestOp(loopOf(addr), "watch", [localIdOf(addr), cell.address, false]);
      if (cell.links.has(addr)) void host.requestOp(loopOf(addr), "watch", [localIdOf(addr), cell.address, true]);
    }
  }
}

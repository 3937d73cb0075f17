/**
 * Death watch and links, on one loop. `ctx.watch(ref)` registers the watcher with the
 * watched actor's loop; when it stops, every watcher gets a `$terminated` message in
 * mailbox order, handled by the definition's `onTerminated`. Watching an actor that is
 * already gone delivers the signal at once (with the real reason while it is remembered),
 * so a stop is never missed. `ctx.link(ref)` is a watch both ways where an abnormal stop
 * fails the other actor with `LinkedActorError` (Erlang's links; a normal stop does not
 * propagate).
 *
 * Across nodes (a ref whose `node` is not 0) the watch goes through the loop's
 * {@link RemoteHost}: the watched actor's node keeps the watcher as a {@link RemoteKey}
 * (`"<node>@<address>"`, the node as the watched side numbers it), and its `$terminated`
 * goes back through the cluster, whose gateway rewrites the stopped actor's address into
 * the key the watcher knows it by. The cluster settles what a node that goes down leaves
 * behind (`Terminated` with reason `node-down: …`).
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
import type { RemoteHost } from "./remote.ts";
import { LinkedActorError, MessageEncodeError, MissiveError } from "../errors.ts";
import { address, type Envelope, localIdOf, loopOf, SystemMessage } from "../wire/envelope.ts";
import type { OpName, OpPayload, OpReply } from "./ops.ts";
import { describeError } from "../util/error-text.ts";
import type { IdTable } from "../util/id-table.ts";

/** Why an actor stopped (what watchers and linked actors are told). */
export interface StopReason {
  normal: boolean;
  reason: string;
  error?: unknown;
}

/**
 * Who watches or is watched, as a cell's sets hold it: an address of this system, or a
 * {@link RemoteKey} for an actor of another node.
 */
export type WatchKey = number | string;

/**
 * An actor of another node in a cell's watch sets: `"<node id>@<address>"`.
 *
 * @example
 * ```ts
 * const key = remoteKey(7, 2049); // "7@2049"
 * parseRemoteKey(key);            // [7, 2049]
 * ```
 */
export type RemoteKey = string;

/** The {@link RemoteKey} of actor `addr` of node `node`. */
export function remoteKey(node: number, addr: number): RemoteKey {
  return `${node}@${addr}`;
}

/** `[node, address]` of a {@link RemoteKey}, or `undefined` when `key` is not one. */
export function parseRemoteKey(key: unknown): [node: number, addr: number] | undefined {
  if (typeof key !== "string") return undefined;
  const at = key.indexOf("@");
  const node = Number(key.slice(0, at));
  const addr = Number(key.slice(at + 1));
  return at > 0 && Number.isSafeInteger(node) && node > 0 && Number.isSafeInteger(addr) ? [node, addr] : undefined;
}

/** What death watch needs from its loop. */
export interface WatchHost {
  readonly index: number;
  readonly cells: IdTable<ActorCell>;
  requestOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>): Promise<OpReply<K>>;
  tellOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>): void;
  tellSystem(to: number, from: number, name: string, payload: unknown): void;
  refTo(addr: number, label: string): ActorRef;
  /** A ref to actor `addr` of node `node` (not 0). */
  nodeRef(node: number, addr: number, label: string): ActorRef;
  /** The way to `ref`'s node (throws a typed error when this system is in no cluster). */
  remoteFor(ref: ActorRef): RemoteHost;
}

/** Stopped actors whose reason is remembered, per loop, for watchers that come late: the last 1024. */
const TOMBSTONES = 1024;

/** The `$terminated` payload telling that actor `addr` (`label`) stopped for `reason` (its error, if any, is appended by the sender). */
function terminatedPayload(addr: number, label: string, reason: StopReason): unknown[] {
  return [addr, label, reason.reason, reason.normal];
}

export class DeathWatch {
  readonly #host: WatchHost;
  // Recently stopped actors, a ring of the last TOMBSTONES (address, label, reason): a stop allocates nothing,
  // and the rare watch of an actor already gone scans it, newest first.
  readonly #graveAddress = new Float64Array(TOMBSTONES);
  readonly #graveLabel: string[] = new Array(TOMBSTONES);
  readonly #graveReason: StopReason[] = new Array(TOMBSTONES);
  #graves = 0;

  constructor(host: WatchHost) {
    this.#host = host;
  }

  /** `cell` watches (or links to) `ref`; resolves once registered with `ref`'s loop. */
  watch(cell: ActorCell, ref: ActorRef, link: boolean): Promise<void> {
    if (ref.node !== 0) {
      let remote: RemoteHost;
      try {
        remote = this.#host.remoteFor(ref);
      } catch (e) {
        return Promise.reject(e);
      }
      (link ? cell.links : cell.watching).add(remoteKey(ref.node, ref.address));
      return remote.watch(cell.address, ref, link);
    }
    (link ? cell.links : cell.watching).add(ref.address);
    return this.#host.requestOp(loopOf(ref.address), "watch", [localIdOf(ref.address), cell.address, link]);
  }

  /** `cell` stops watching `ref`. */
  unwatch(cell: ActorCell, ref: ActorRef): void {
    if (ref.node !== 0) {
      cell.watching.delete(remoteKey(ref.node, ref.address));
      this.#host.remoteFor(ref).unwatch(cell.address, ref);
      return;
    }
    cell.watching.delete(ref.address);
    this.#host.tellOp(loopOf(ref.address), "unwatch", [localIdOf(ref.address), cell.address]);
  }

  /** The `watch` request on the watched actor's loop. */
  watchOp([target, watcher, link]: [number, WatchKey, boolean]): void {
    const host = this.#host;
    const cell = host.cells.get(target);
    if (cell === undefined || cell.status === "stopped") {
      // Gone already: tell the watcher at once, with the real reason when it is remembered.
      const addr = address(host.index, target);
      this.#tell(watcher, addr, this.#tombstone(addr) ?? [addr, `actor ${addr}`, "it was not alive", true]);
      return;
    }
    (link ? cell.links : cell.watchers).add(watcher);
  }

  /** The `unwatch` request. */
  unwatchOp([target, watcher]: [number, WatchKey]): void {
    this.#host.cells.get(target)?.watchers.delete(watcher);
  }

  /** `cell` has stopped: its watches end, and its watchers and linked actors are told why. */
  stopped(cell: ActorCell, reason: StopReason): void {
    const host = this.#host;
    const slot = this.#graves++ % TOMBSTONES;
    this.#graveAddress[slot] = cell.address;
    this.#graveLabel[slot] = cell.label;
    this.#graveReason[slot] = reason;
    if (!cell.hasRelations) return; // never watched, linked nor watching: nobody to tell
    for (const watched of [...cell.watching, ...cell.links]) {
      if (typeof watched === "number") {
        if (cell.watching.has(watched)) host.tellOp(loopOf(watched), "unwatch", [localIdOf(watched), cell.address]);
        continue;
      }
      // An actor of another node: its node forgets this watcher (and the cluster its record of the watch).
      const [node, addr] = parseRemoteKey(watched)!;
      const ref = host.nodeRef(node, addr, `actor ${addr} of node ${node}`);
      try {
        host.remoteFor(ref).unwatch(cell.address, ref);
      } catch { /* no cluster any more (shutdown): nothing to tell */ }
    }
    const base = terminatedPayload(cell.address, cell.label, reason);
    for (const watcher of new Set([...cell.watchers, ...cell.links])) {
      try {
        this.#tell(watcher, cell.address, reason.error === undefined ? base : [...base, reason.error]);
      } catch {
        this.#tell(watcher, cell.address, [...base, new MissiveError(describeError(reason.error))]);
      }
    }
  }

  /** The `$terminated` payload of actor `addr` if it stopped recently on this loop (the newest record of that address). */
  #tombstone(addr: number): unknown[] | undefined {
    const n = Math.min(this.#graves, TOMBSTONES);
    for (let k = 1; k <= n; k++) {
      const slot = (this.#graves - k) % TOMBSTONES;
      if (this.#graveAddress[slot] === addr) {
        return terminatedPayload(addr, this.#graveLabel[slot]!, this.#graveReason[slot]!);
      }
    }
    return undefined;
  }

  /** Sends `$terminated` (`payload`, about actor `from` of this system) to `watcher`, here or on its node. */
  #tell(watcher: WatchKey, from: number, payload: unknown): void {
    const host = this.#host;
    if (typeof watcher === "number") return host.tellSystem(watcher, from, SystemMessage.Terminated, payload);
    const [node, addr] = parseRemoteKey(watcher)!;
    const ref = host.nodeRef(node, addr, `actor ${addr} of node ${node}`);
    try {
      host.remoteFor(ref).tell(ref, SystemMessage.Terminated, payload);
    } catch (e) {
      if (e instanceof MessageEncodeError) throw e; // the caller retries with a plain error
      // No cluster any more (shutdown): the watcher's node settles its watchers itself.
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
      !Array.isArray(payload) || (typeof payload[0] !== "number" && parseRemoteKey(payload[0]) === undefined) ||
      typeof payload[1] !== "string" || typeof payload[2] !== "string" ||
      typeof payload[3] !== "boolean"
    ) {
      return undefined; // not a signal this framework wrote
    }
    const [addr, label, reason, normal, error] = payload as [WatchKey, string, string, boolean, unknown?];
    const watched = cell.watching.delete(addr);
    const linked = cell.links.delete(addr);
    if (linked && !normal) return new LinkedActorError(label, reason, error);
    if (!watched) return null;
    const remote = parseRemoteKey(addr);
    const actor = remote === undefined ? this.#host.refTo(addr as number, label) : this.#host.nodeRef(remote[0], remote[1], label);
    const signal: Terminated = { actor, reason, normal };
    if (error !== undefined) signal.error = error;
    return signal;
  }

  /**
   * Actors of a dead worker were re-created (`restarted`, same addresses) or are gone for
   * good (`lost`): watchers of lost actors get `Terminated`; watches of restarted ones are
   * registered again.
   */
  actorsLost(
    cell: ActorCell,
    isLost: (addr: number) => boolean,
    labels: Map<number, string>,
    restarted: Set<number>,
    reason: string,
    deliver: (env: Envelope) => void,
  ): void {
    const host = this.#host;
    for (const addr of new Set([...cell.watching, ...cell.links])) {
      if (typeof addr === "number" && isLost(addr)) {
        const label = labels.get(addr) ?? `actor #${localIdOf(addr)}@w${loopOf(addr) - 1}`;
        deliver([0, cell.address, addr, 0, SystemMessage.Terminated, [addr, label, reason, false]]);
      }
    }
    for (const addr of restarted) {
      if (cell.watching.has(addr)) void host.requestOp(loopOf(addr), "watch", [localIdOf(addr), cell.address, false]);
      if (cell.links.has(addr)) void host.requestOp(loopOf(addr), "watch", [localIdOf(addr), cell.address, true]);
    }
  }
}

/**
 * Death watch and links across nodes, for a {@link ClusterNode}. The core's
 * {@link DeathWatch} keeps an actor of another node in a cell's sets as a remote key
 * (`"<node>@<address>"`) and hands the watch to the cluster; this module carries it:
 *
 * - **Watching** (this node's actor `w` watches or links to actor `r` of node X): recorded
 *   here (`RemoteNode.watched`), then asked of X's gateway (`$cluster.watch`), which
 *   registers `w` with `r`'s loop under the remote key of `w`; the watch resolves once it
 *   is registered there, as on one machine.
 * - **Stopping.** When `r` stops, its loop sends `$terminated` to the remote key, which
 *   leaves through the cluster behind X's other messages to this node; this node's gateway
 *   rewrites the stopped actor's address into the key `w` knows it by. Links fail the other
 *   side with `LinkedActorError` as on one machine (both directions).
 * - **Node down.** When X is declared down (or leaves), every watcher here of an actor of X
 *   gets `Terminated` with reason `node-down: node X …`, every actor here linked to one
 *   of X fails with it, and the watches X's actors held on actors here are dropped.
 *
 * @example
 * ```ts
 * declare const watches: RemoteWatches;
 * declare const remoteRef: ActorRef; // an actor of node "b"
 * declare const watcherAddress: number; // an actor of this node
 * await watches.watch(watcherAddress, remoteRef, false);
 * // node b is declared down → the watcher's onTerminated gets { reason: "node-down: node b …", normal: false }
 * ```
 * @module
 */
import type { ActorRef } from "../actor/ref.ts";
import { InvalidArgumentError } from "../errors.ts";
import type { Loop } from "../system/loop.ts";
import { remoteKey } from "../system/watch.ts";
import { address, localIdOf, loopOf, SystemMessage } from "../wire/envelope.ts";
import type { RemoteNode } from "./remote-node.ts";

/** The gateway's own requests for death watch. */
export const WATCH = "$cluster.watch";
export const UNWATCH = "$cluster.unwatch";
const GATEWAY = address(0, 0);

/** What remote watches need from their cluster node. */
export interface RemoteWatchHost {
  readonly loop: Loop;
  nodeOf(ref: ActorRef): RemoteNode | undefined;
  /** Asks node `n`'s gateway to run `name` (settled by its answer, or rejected when `n` goes down). */
  askGateway(n: RemoteNode, name: string, payload: unknown): Promise<unknown>;
  /** Tells node `n`'s gateway `name` (not counted as a tell to an actor). */
  tellGateway(n: RemoteNode, name: string, payload: unknown): void;
}

export class RemoteWatches {
  readonly #host: RemoteWatchHost;

  constructor(host: RemoteWatchHost) {
    this.#host = host;
  }

  // ---- the watching side ---------------------------------------------------------------------

  /** Actor `watcher` of this node watches (or links to) `ref` of another node. */
  watch(watcher: number, ref: ActorRef, link: boolean): Promise<void> {
    const n = this.#host.nodeOf(ref);
    const key = remoteKey(ref.node, ref.address);
    if (n === undefined) {
      // As for an actor that is gone already: the signal comes at once, with the reason.
      const reason = `node-down: its node (id ${ref.node}) is not a member of the cluster (it left, stopped heartbeating, or never joined)`;
      this.#host.loop.tellSystem(watcher, GATEWAY, SystemMessage.Terminated, [key, ref.label, reason, false]);
      return Promise.resolve();
    }
    let entry = n.watched.get(ref.address);
    if (entry === undefined) n.watched.set(ref.address, entry = { label: ref.label, watchers: new Map() });
    entry.watchers.set(watcher, link);
    // Node loss while the request is on its way settles the watch with `Terminated(node-down)` (see down()).
    return this.#host.askGateway(n, WATCH, [ref.address, watcher, link]).then(() => undefined, (e) => {
      if (!n.up) return;
      throw e;
    });
  }

  /** Actor `watcher` of this node no longer watches `ref` (also when the watcher stopped). */
  unwatch(watcher: number, ref: ActorRef): void {
    const n = this.#host.nodeOf(ref);
    if (n === undefined) return;
    const entry = n.watched.get(ref.address);
    entry?.watchers.delete(watcher);
    if (entry?.watchers.size === 0) n.watched.delete(ref.address);
    this.#host.tellGateway(n, UNWATCH, [ref.address, watcher]);
  }

  // ---- the watched side (this node's gateway) ----------------------------------------------------

  /** `$cluster.watch` from node `n`: its actor `watcher` watches (or links to) actor `target` of this node. */
  onWatch(n: RemoteNode, payload: unknown): Promise<void> {
    const loop = this.#host.loop;
    if (!Array.isArray(payload) || payload.length !== 3) return Promise.reject(malformed(n));
    const [target, watcher, link] = payload as [number, number, boolean];
    if (
      !Number.isSafeInteger(target) || target < 0 || loopOf(target) > loop.options.workers || !Number.isSafeInteger(watcher) ||
      typeof link !== "boolean"
    ) {
      return Promise.reject(malformed(n));
    }
    let watchers = n.watchers.get(target);
    if (watchers === undefined) n.watchers.set(target, watchers = new Map());
    watchers.set(watcher, link);
    return loop.requestOp(loopOf(target), "watch", [localIdOf(target), remoteKey(n.id, watcher), link]);
  }

  /** `$cluster.unwatch` from node `n`. */
  onUnwatch(n: RemoteNode, payload: unknown): void {
    if (!Array.isArray(payload) || !Number.isSafeInteger(payload[0]) || !Number.isSafeInteger(payload[1])) return;
    const [target, watcher] = payload as [number, number];
    const watchers = n.watchers.get(target);
    watchers?.delete(watcher);
    if (watchers?.size === 0) n.watchers.delete(target);
    if (loopOf(target) > this.#host.loop.options.workers) return;
    this.#host.loop.tellOp(loopOf(target), "unwatch", [localIdOf(target), remoteKey(n.id, watcher)]);
  }

  // ---- signals crossing ----------------------------------------------------------------------------

  /**
   * A `$terminated` from node `n` for actor `to` of this node: its payload names the
   * stopped actor by its address on `n`, rewritten here into the key `to` knows it by.
   */
  incoming(n: RemoteNode, to: number, payload: unknown): unknown {
    if (!Array.isArray(payload) || !Number.isSafeInteger(payload[0])) return payload; // the cell refuses it as a dead letter
    const from = payload[0] as number;
    this.#forget(n, from, to);
    const out = [...payload];
    out[0] = remoteKey(n.id, from);
    return out;
  }

  /** A `$terminated` about actor `from` of this node leaves for actor `to` of node `n`. */
  outgoing(n: RemoteNode, to: number, payload: unknown): void {
    if (Array.isArray(payload) && Number.isSafeInteger(payload[0])) this.#forget(n, to, payload[0] as number);
  }

  /** The watch between actor `theirs` of `n` and actor `ours` of this node has ended (either way round). */
  #forget(n: RemoteNode, theirs: number, ours: number): void {
    const watched = n.watched.get(theirs);
    watched?.watchers.delete(ours);
    if (watched?.watchers.size === 0) n.watched.delete(theirs);
    const watchers = n.watchers.get(ours);
    watchers?.delete(theirs);
    if (watchers?.size === 0) n.watchers.delete(ours);
  }

  // ---- node loss -------------------------------------------------------------------------------------

  /** Node `n` is down or left (`reason`, in words): settle every watch across it. */
  down(n: RemoteNode, reason: string): void {
    const loop = this.#host.loop;
    const why = `node-down: node ${n.name} ${reason}`;
    for (const [target, { label, watchers }] of n.watched) {
      for (const watcher of watchers.keys()) {
        loop.tellSystem(watcher, GATEWAY, SystemMessage.Terminated, [remoteKey(n.id, target), label, why, false]);
      }
    }
    n.watched.clear();
    for (const [target, watchers] of n.watchers) {
      for (const [watcher, link] of watchers) {
        const key = remoteKey(n.id, watcher);
        if (link) loop.tellSystem(target, GATEWAY, SystemMessage.Terminated, [key, `actor ${watcher} of node ${n.name}`, why, false]);
        else loop.tellOp(loopOf(target), "unwatch", [localIdOf(target), key]);
      }
    }
    n.watchers.clear();
  }
}

function malformed(n: RemoteNode): InvalidArgumentError {
  return new InvalidArgumentError(`a malformed ${WATCH} request from node ${n.name} (expected [target, watcher, link])`);
}

/**
 * What the core knows of a cluster: the options, the events, and the handle the cluster
 * module returns — types only, so that a system started without `cluster` never loads the
 * cluster module or the NATS client. `src/cluster/` (a layer above this one) implements
 * them; `mod.ts` registers its factory with {@link ActorSystem} (`setClusterFactory`).
 *
 * @example
 * ```ts
 * const off = system.cluster!.subscribe((e) => console.log(e.type, e.node, e.reason));
 * await system.cluster!.whenMember("b");
 * ```
 * @module
 */
import type { ActorRef } from "../actor/ref.ts";
import type { Loop } from "./loop.ts";
import type { RemoteHost } from "./remote.ts";

/** Where and as whom a system joins a cluster. */
export interface ClusterOptions {
  /** The NATS server(s), e.g. `"nats://127.0.0.1:4222"`. */
  servers: string | string[];
  /** This node's name, unique in the cluster: letters, digits, `_` and `-`. */
  node: string;
  /** The cluster's name: the first token of every subject (default `"missive"`); systems with different names never meet. */
  name?: string;
  /** Milliseconds between two heartbeats of this node (default 500). */
  heartbeatMs?: number;
  /**
   * Milliseconds without a heartbeat after which another node is declared down (default
   * 3000): its watchers get `Terminated` with reason `node-down`, asks waiting on it reject.
   */
  downAfterMs?: number;
}

/** A change of membership: a node joined, left (shut down), or was declared down (no heartbeat, or its process died). */
export interface ClusterEvent {
  type: "join" | "leave" | "down";
  /** The node's name. */
  node: string;
  /** Why, in words: `"joined"`, `"left"`, `"no heartbeat for 3000 ms"`, … */
  reason: string;
}

/** The cluster as a system sees it (`system.cluster`). */
export interface ClusterView {
  /** This node's name. */
  readonly node: string;
  /** The other nodes that are up now, by name (sorted). */
  members(): string[];
  /** Calls `listener` for every join, leave and down from now on; returns the unsubscribe function. */
  subscribe(listener: (event: ClusterEvent) => void): () => void;
  /** Resolves once node `name` is a member (at once if it is); rejects with the signal's reason. */
  whenMember(name: string, signal?: AbortSignal): Promise<void>;
  /** Frames refused (malformed, or from an unknown node), envelopes counted lost in transit, sends waiting for credit. */
  stats(): ClusterStats;
}

/** A cluster node's transport counters (`system.cluster.stats()`). */
export interface ClusterStats {
  /** Frames refused: malformed, or from a node that is not a member. */
  refusedFrames: number;
  /** Envelopes that other nodes sent here and that never arrived (counted as `lost-in-transit` dead letters). */
  lostInTransit: number;
  framesSent: number;
  framesReceived: number;
  /** Sends and asks waiting now for credit towards bounded mailboxes of other nodes. */
  waitingSends: number;
}

/** What the cluster module gives the system it joins. */
export interface ClusterHandle extends ClusterView {
  /** The main loop's way to remote actors. */
  readonly remote: RemoteHost;
  /** The ref registered as `name` on another node, if any. */
  lookup(name: string): ActorRef | undefined;
  /** Spawns an actor of the module `url`, export `key`, on node `node`; resolves with its ref. */
  spawnOn(node: string, url: string, key: string, arg: unknown, name: string | null): Promise<ActorRef>;
  /**
   * Claims `name` cluster-wide for an actor about to be spawned here: atomically in the
   * JetStream name registry when the server has JetStream, else against the heartbeats.
   * Rejects with `ActorNameTakenError` naming the node that holds it.
   */
  claimName(name: string): Promise<void>;
  /** The actor named `name` of this node is gone: its claim is released. */
  releaseName(name: string): void;
  /** Leaves the cluster (others see `leave`) and closes the connection. */
  close(): Promise<void>;
}

/** What the system lends the cluster module. */
export interface ClusterSystem {
  readonly loop: Loop;
  /** Spawns on this node (a spawn request from another node). */
  spawnHere(url: string, key: string, arg: unknown, name: string | null): Promise<ActorRef>;
  /** The local ref registered as `name`, if any. */
  localName(name: string): ActorRef | undefined;
  /** Every name registered on this node. */
  localNames(): [string, ActorRef][];
  /** True once this system is shutting down. */
  stopping(): boolean;
}

/** Joins a cluster (implemented by `src/cluster/`). */
export type ClusterFactory = (system: ClusterSystem, options: ClusterOptions) => Promise<ClusterHandle>;

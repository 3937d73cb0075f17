/**
 * What this node knows of one other node of the cluster: the link its frames leave by
 * (batched per destination node, like a link to a worker), and the counts that account
 * for every envelope between the two — sent and acknowledged tells (what a node that goes
 * down never took becomes dead letters), the envelopes received (a gap is what NATS lost),
 * and the asks in flight to it with the position each was sent at (an ask lost in a gap
 * rejects instead of waiting for ever).
 *
 * @example
 * ```ts
 * declare const nats: NatsEndpoint;
 * const b = new RemoteNode("b", nodeId("b"), "k2x9", -1, new Link(-1, nats, (v) => codec.encode(v)), nats, performance.now());
 * b.userSent += 3;  // three tells to b's actors
 * b.lost();         // 3 until b acknowledges them
 * ```
 * @module
 */
import { Credits } from "../system/flow-control.ts";
import type { Link } from "../transport/link.ts";
import type { NatsEndpoint } from "./nats-endpoint.ts";

export class RemoteNode {
  readonly name: string;
  readonly id: number;
  /** The node's incarnation (a fresh one each time its system starts). */
  readonly incarnation: string;
  /** The target key of asks waiting on this node in the main loop's `PendingAsks` (negative: never a loop index). */
  readonly key: number;
  readonly link: Link;
  readonly endpoint: NatsEndpoint;
  /** False once it left or was declared down. */
  up = true;
  /** When its last heartbeat (or frame) arrived, on the loop's clock. */
  lastSeen: number;
  /** Envelopes received from it, as its frames' prefixes count them. */
  received = 0;
  /** Tells from it handed on to this node's actors (acknowledged to it in frame headers). */
  consumed = 0;
  /** Tells sent to its actors. */
  userSent = 0;
  /** What it last acknowledged of them. */
  peerConsumed = 0;
  /** The names registered on it (from its heartbeats): name → `[address, flow, label]`. */
  readonly names = new Map<string, [number, number, string]>();
  /**
   * Replies sent to it that it has not confirmed receiving (its heartbeats say how much of
   * this node's stream arrived): position in the stream → ask id. A reply lost in a gap is
   * answered again, as an `ActorStoppedError`, so the ask still settles.
   */
  readonly replies = new Map<number, number>();
  /** Asks in flight to it: ask id → the position of its envelope in the stream (for gaps). */
  readonly asks = new Map<number, number>();
  /** Its actors watched from this node: its address → the label, and each watcher here → linked? */
  readonly watched = new Map<number, { label: string; watchers: Map<number, boolean> }>();
  /** Credits for its bounded actors: a window of `capacity` messages in flight to each (see remote-flow.ts). */
  readonly credits = new Credits(1);
  /** Its counted tells waiting here for room in a mailbox of this node, per actor (and what it sent there after them). */
  readonly forwarding = new Map<number, { tail: Promise<void>; count: number }>();
  /** This node's actors watched from it: address here → each watcher there → linked? */
  readonly watchers = new Map<number, Map<number, boolean>>();

  constructor(name: string, id: number, incarnation: string, key: number, link: Link, endpoint: NatsEndpoint, now: number) {
    this.name = name;
    this.id = id;
    this.incarnation = incarnation;
    this.key = key;
    this.link = link;
    this.endpoint = endpoint;
    this.lastSeen = now;
  }

  /** Tells sent to it that it has not acknowledged (lost if it is down). */
  lost(): number {
    return Math.max(0, this.userSent - this.peerConsumed);
  }

  /** Forgets the replies at positions below `received` (they arrived). */
  confirm(received: number): void {
    for (const at of this.replies.keys()) if (at < received) this.replies.delete(at);
  }

  /** The asks whose envelopes were at positions `[from, to)` of the stream (lost in a gap). */
  asksIn(from: number, to: number): number[] {
    const out: number[] = [];
    for (const [id, at] of this.asks) if (at >= from && at < to) out.push(id);
    return out;
  }

  /** The ask ids whose replies were at positions `[from, to)` (lost in a gap). */
  repliesIn(from: number, to: number): number[] {
    const out: number[] = [];
    for (const [at, id] of this.replies) if (at >= from && at < to) out.push(id);
    return out;
  }
}

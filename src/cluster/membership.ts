/**
 * Who is in the cluster, from heartbeats. Every node publishes `<cluster>.hb` every
 * `heartbeatMs` (its name, its incarnation, and how many envelopes it has sent to each
 * other node — the end of a stream can be lost too); a node first heard joins (and is
 * answered at once with this node's heartbeat, so it learns of this one without waiting
 * for the next tick); a node unheard for `downAfterMs` is down; a node that shuts down
 * publishes `<cluster>.leave`. A node heard with a new incarnation restarted: the old one
 * is down, the new one joins. While this node's own connection is down it declares no one
 * down (it cannot hear anyone); on reconnect every node's clock starts afresh.
 *
 * @example
 * ```ts
 * declare const membership: Membership;
 * const off = membership.listen((e) => console.log(e.type, e.node, e.reason));
 * await membership.whenMember("b");
 * ```
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { ClusterEvent } from "../system/cluster-seam.ts";
import type { Clock } from "../util/clock.ts";
import { nodeId, type ResolvedClusterOptions } from "./options.ts";
import type { RemoteNode } from "./remote-node.ts";

/** What membership needs from its cluster node. */
export interface MembershipHost {
  self: string;
  options: ResolvedClusterOptions;
  clock: Clock;
  publish(subject: string, data: Uint8Array): void;
  /** A fresh record (and link) for node `name`, incarnation `incarnation`. */
  connect(name: string, incarnation: string): RemoteNode;
  /** The names registered on this node: `[name, address, flow, label]` (sent in heartbeats). */
  names(): [string, number, number, string][];
  /** Envelopes this node has received from `n`. */
  receivedFrom(n: RemoteNode): number;
  /** Envelopes this node has sent to `n`. */
  sentTo(n: RemoteNode): number;
  /** `n` says it sent `upTo` envelopes here; more than arrived. */
  onGap(n: RemoteNode, upTo: number): void;
  /** `n` is gone (down or left): settle what waits on it. */
  onDown(n: RemoteNode, reason: string): void;
  log(message: string): void;
}

/** A heartbeat: name, incarnation, and per destination `[its incarnation, envelopes sent to it]`. */
interface Heartbeat {
  n: string;
  i: string;
  s: Record<string, [string, number]>;
  /** Per source `[its incarnation, envelopes received from it]` (the source forgets the replies that arrived). */
  r?: Record<string, [string, number]>;
  /** Names registered on the node: `[name, address, flow, label]`. */
  m?: [string, number, number, string][];
}

const text = new TextEncoder();
const untext = new TextDecoder();

export class Membership {
  readonly #host: MembershipHost;
  readonly incarnation = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  readonly #byName = new Map<string, RemoteNode>();
  readonly #byId = new Map<number, RemoteNode>();
  readonly #listeners = new Set<(event: ClusterEvent) => void>();
  readonly #waiters = new Map<string, Set<() => void>>();
  #timer: ReturnType<typeof setInterval> | undefined = undefined;
  #connected = true;
  #left = false;

  constructor(host: MembershipHost) {
    this.#host = host;
  }

  /** Subscribes to heartbeats and leaves. */
  subscribe(nc: NatsConnection): void {
    const p = this.#host.options.name;
    nc.subscribe(`${p}.hb`, { callback: (_e, msg) => this.#onHeartbeat(msg.data) });
    nc.subscribe(`${p}.leave`, { callback: (_e, msg) => this.#onLeave(msg.data) });
  }

  /** Publishes the first heartbeat and starts the tick. */
  start(): void {
    this.#beat();
    // timer-under-test: the heartbeat and the down detector (a node unheard for downAfterMs is down).
    this.#timer = setInterval(() => this.#tick(), this.#host.options.heartbeatMs);
  }

  /** Publishes a heartbeat now (also after a name was registered: the others learn it at once). */
  beat(): void {
    this.#beat();
  }

  #beat(): void {
    const s: Heartbeat["s"] = {};
    const r: Heartbeat["s"] = {};
    for (const n of this.#byName.values()) {
      s[n.name] = [n.incarnation, this.#host.sentTo(n)];
      r[n.name] = [n.incarnation, this.#host.receivedFrom(n)];
    }
    this.#host.publish(
      `${this.#host.options.name}.hb`,
      text.encode(JSON.stringify({ n: this.#host.self, i: this.incarnation, s, r, m: this.#host.names() })),
    );
  }

  #tick(): void {
    this.#beat();
    if (!this.#connected) return;
    const now = this.#host.clock.now();
    const limit = this.#host.options.downAfterMs;
    for (const n of [...this.#byName.values()]) {
      if (now - n.lastSeen > limit) this.#gone(n, "down", `stopped heartbeating (nothing heard for more than ${limit} ms)`);
      else n.link.ackIfStale();
    }
  }

  /** This node's connection went down or came back. */
  connected(up: boolean): void {
    this.#connected = up;
    if (!up) return;
    const now = this.#host.clock.now();
    for (const n of this.#byName.values()) n.lastSeen = now;
    this.#beat();
  }

  #parse(data: Uint8Array): Record<string, unknown> | undefined {
    try {
      const value: unknown = JSON.parse(untext.decode(data));
      return typeof value === "object" && value !== null ? value as Record<string, unknown> : undefined;
    } catch {
      return undefined;
    }
  }

  #onHeartbeat(data: Uint8Array): void {
    if (this.#left) return;
    const hb = this.#parse(data) as Heartbeat | undefined;
    if (hb === undefined || typeof hb.n !== "string" || typeof hb.i !== "string" || typeof hb.s !== "object" || hb.s === null) {
      return this.#host.log("refused a heartbeat that is not {n, i, s} (a foreign publisher on the cluster's subjects?)");
    }
    if (hb.n === this.#host.self) {
      if (hb.i !== this.incarnation) {
        this.#host.log(
          `another system also calls itself node "${hb.n}": node names must be unique in a cluster (messages to it are ambiguous)`,
        );
      }
      return;
    }
    const id = nodeId(hb.n);
    const clash = this.#byId.get(id);
    if (clash !== undefined && clash.name !== hb.n) {
      return this.#host.log(`node "${hb.n}" has the same id as node "${clash.name}" (${id}); rename one of them`);
    }
    let n = this.#byName.get(hb.n);
    if (n !== undefined && n.incarnation !== hb.i) {
      this.#gone(n, "down", "restarted (a new incarnation joined under its name)");
      n = undefined;
    }
    if (n === undefined) {
      n = this.#host.connect(hb.n, hb.i);
      this.#byName.set(n.name, n);
      this.#byId.set(n.id, n);
      this.#emit({ type: "join", node: n.name, reason: "joined" });
      for (const resolve of this.#waiters.get(n.name) ?? []) resolve();
      this.#waiters.delete(n.name);
      this.#beat(); // the newcomer learns of this node now, not at the next tick
    }
    n.lastSeen = this.#host.clock.now();
    if (Array.isArray(hb.m)) {
      n.names.clear();
      for (const e of hb.m) {
        if (
          Array.isArray(e) && typeof e[0] === "string" && Number.isSafeInteger(e[1]) && Number.isSafeInteger(e[2]) &&
          typeof e[3] === "string"
        ) {
          n.names.set(e[0], [e[1], e[2], e[3]]);
        }
      }
    }
    const received = hb.r?.[this.#host.self];
    if (Array.isArray(received) && received[0] === this.incarnation && Number.isSafeInteger(received[1])) n.confirm(received[1]);
    const sent = hb.s[this.#host.self];
    if (Array.isArray(sent) && sent[0] === this.incarnation && Number.isSafeInteger(sent[1]) && sent[1] > n.received) {
      this.#host.onGap(n, sent[1]);
    }
  }

  #onLeave(data: Uint8Array): void {
    const m = this.#parse(data);
    const n = typeof m?.n === "string" ? this.#byName.get(m.n) : undefined;
    if (n !== undefined && n.incarnation === m!.i) this.#gone(n, "leave", "left the cluster (its system shut down)");
  }

  #gone(n: RemoteNode, type: "down" | "leave", reason: string): void {
    if (!n.up) return;
    n.up = false;
    this.#byName.delete(n.name);
    this.#byId.delete(n.id);
    this.#host.onDown(n, reason);
    this.#emit({ type, node: n.name, reason });
  }

  #emit(event: ClusterEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (e) {
        this.#host.log(`a cluster event listener threw: ${(e as Error)?.message ?? String(e)}`);
      }
    }
  }

  /** Publishes `leave`, stops the tick, and settles what waits on every other node. */
  leave(): void {
    if (this.#left) return;
    this.#left = true;
    clearInterval(this.#timer);
    this.#host.publish(`${this.#host.options.name}.leave`, text.encode(JSON.stringify({ n: this.#host.self, i: this.incarnation })));
    for (const n of [...this.#byName.values()]) this.#gone(n, "leave", "is out of reach: this node left the cluster");
  }

  /** The ref registered as `name` on another node (as its last heartbeat said), built by `make`. */
  lookupName<T>(name: string, make: (id: number, addr: number, flow: number, label: string) => T): T | undefined {
    for (const n of this.#byName.values()) {
      const e = n.names.get(name);
      if (e !== undefined) return make(n.id, e[0], e[1], e[2]);
    }
    return undefined;
  }

  members(): string[] {
    return [...this.#byName.keys()].sort();
  }

  all(): RemoteNode[] {
    return [...this.#byName.values()];
  }

  byName(name: string): RemoteNode | undefined {
    return this.#byName.get(name);
  }

  byId(id: number): RemoteNode | undefined {
    return this.#byId.get(id);
  }

  listen(listener: (event: ClusterEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  whenMember(name: string, signal?: AbortSignal): Promise<void> {
    if (this.#byName.has(name)) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    let set = this.#waiters.get(name);
    if (set === undefined) this.#waiters.set(name, set = new Set());
    const done = () => {
      signal?.removeEventListener("abort", abort);
      resolve();
    };
    const abort = () => {
      set!.delete(done);
      reject(signal!.reason);
    };
    set.add(done);
    signal?.addEventListener("abort", abort, { once: true });
    return promise;
  }
}

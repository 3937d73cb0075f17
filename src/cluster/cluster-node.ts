/**
 * One system's membership in a cluster, over NATS: the main loop's way to actors of other
 * nodes ({@link RemoteHost}), the gateway for what other nodes send to this one, and the
 * heartbeats that make membership.
 *
 * - **Sending.** A ref carries its node's id (`ActorRef.node`, 0 for this node). A tell,
 *   ask or flush to another node is encoded straight into the pending frame of the link to
 *   that node (one {@link Link} per node, over a {@link NatsEndpoint}): frames batched per
 *   destination node, flushed at the end of the tick, as to a worker.
 * - **Receiving** is the {@link Gateway}'s (gateway.ts): frames in the order each node
 *   published them, refused when they are not ours, gaps counted as dead letters.
 * - **Membership.** Every node publishes a heartbeat every `heartbeatMs`; a node unheard
 *   for `downAfterMs` is down: its asks reject, the tells it never acknowledged become
 *   `node-down` dead letters, subscribers get `down`. A node that shuts down says `leave`.
 *
 * @example
 * ```ts
 * const system = await ActorSystem.start({ cluster: { servers: "nats://127.0.0.1:4222", node: "a" } });
 * await system.cluster!.whenMember("b");
 * ```
 * @module
 */
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { ActorRef, type AskOptions, type SendOptions } from "../actor/ref.ts";
import { ActorNameTakenError, ActorStoppedError, MessageEncodeError, MissiveError, SystemStartError } from "../errors.ts";
import type { ClusterEvent, ClusterHandle, ClusterOptions, ClusterStats, ClusterSystem } from "../system/cluster-seam.ts";
import type { DeadLetterReason } from "../system/dead-letters.ts";
import type { Loop } from "../system/loop.ts";
import type { RemoteHost } from "../system/remote.ts";
import { Link } from "../transport/link.ts";
import { Codec } from "../wire/codec.ts";
import { address, COUNTED, Kind, loopOf, SystemMessage } from "../wire/envelope.ts";
import { Gateway, SPAWN, STOP } from "./gateway.ts";
import { Membership } from "./membership.ts";
import { NameRegistry } from "./name-registry.ts";
import { NatsEndpoint } from "./nats-endpoint.ts";
import { clusterOptions, nodeId, type ResolvedClusterOptions } from "./options.ts";
import { RemoteNode } from "./remote-node.ts";
import { RemoteFlow } from "./remote-flow.ts";
import { RemoteWatches } from "./remote-watch.ts";
import { SenderAliases } from "./sender-aliases.ts";

const GATEWAY = address(0, 0);

/**
 * Joins the cluster described by `options` (the NATS client is imported here, lazily).
 * Throws `SystemStartError` when the client is missing or the server cannot be reached.
 */
export async function joinCluster(system: ClusterSystem, raw: ClusterOptions): Promise<ClusterHandle> {
  const options = clusterOptions(raw);
  let nats: typeof import("@nats-io/transport-node");
  try {
    nats = await import("@nats-io/transport-node");
  } catch (e) {
    throw new SystemStartError(
      `cluster: the NATS client is not installed (${(e as Error)?.message}). Fix: npm install @nats-io/transport-node`,
      { cause: e },
    );
  }
  let nc: NatsConnection;
  try {
    nc = await nats.connect({
      servers: options.servers,
      name: `missive-${options.name}-${options.node}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
      waitOnFirstConnect: false,
    });
  } catch (e) {
    throw new SystemStartError(
      `cluster: cannot connect to ${options.servers.join(", ")} (${(e as Error)?.message}). ` +
        `Fix: start a NATS server (npm run nats-server) or correct cluster.servers.`,
      { cause: e },
    );
  }
  const node = new ClusterNode(system, options, nc, nats.headers);
  await node.start();
  return node;
}

export class ClusterNode implements ClusterHandle, RemoteHost {
  readonly node: string;
  readonly remote: RemoteHost = this;
  readonly #system: ClusterSystem;
  readonly #loop: Loop;
  readonly #options: ResolvedClusterOptions;
  readonly #nc: NatsConnection;
  readonly #selfId: number;
  readonly #codec: Codec;
  readonly #membership: Membership;
  readonly #watches: RemoteWatches;
  readonly #flow: RemoteFlow;
  readonly #gateway: Gateway;
  readonly #senders: SenderAliases;
  /** Names claimed cluster-wide in JetStream (null: the server has none; heartbeats only). */
  #names: NameRegistry | null = null;
  readonly #headers: () => MsgHdrs;
  #nextKey = -1;

  constructor(system: ClusterSystem, options: ResolvedClusterOptions, nc: NatsConnection, headers: () => MsgHdrs) {
    this.#headers = headers;
    this.#system = system;
    this.#loop = system.loop;
    this.#options = options;
    this.#nc = nc;
    this.node = options.node;
    this.#selfId = nodeId(options.node);
    const loop = this.#loop;
    const selfId = this.#selfId;
    // Refs cross nodes with the id of the node they live on (0 in a ref means "this node").
    this.#codec = new Codec(
      {
        isRef: (v) => v instanceof ActorRef,
        toWire: (v) => {
          const ref = v as ActorRef;
          return [ref.node === 0 ? selfId : ref.node, ref.address, ref.flow, ref.label];
        },
        fromWire: (node, addr, flow, label) => new ActorRef(loop, node === selfId ? 0 : node, addr, label, flow),
      },
      { maxStrLength: loop.options.maxMessageBytes, maxBinLength: loop.options.maxMessageBytes },
    );
    this.#membership = new Membership({
      self: options.node,
      options,
      clock: loop.clock,
      publish: (subject, data) => this.#publish(subject, data),
      connect: (name, incarnation) => this.#connectNode(name, incarnation),
      names: () => system.localNames().map(([name, ref]) => [name, ref.address, ref.flow, ref.label]),
      sentTo: (n) => n.endpoint.posted,
      receivedFrom: (n) => n.received,
      onGap: (n, upTo) => this.#gateway.gap(n, upTo),
      onDown: (n, reason) => this.#down(n, reason),
      log: (message) => loop.log({ level: "warn", source: `cluster node ${options.node}`, message }),
    });
    this.#flow = new RemoteFlow({
      loop,
      write: (n, kind, ref, id, name, arg, from) => this.#write(n, kind, ref, id, name, arg, from),
      deadLetter: (addr, target, name, arg, reason, count) => this.#deadLetter(addr, target, name, arg, reason, count),
    });
    this.#watches = new RemoteWatches({
      loop,
      nodeOf: (ref) => this.#nodeOf(ref),
      askGateway: (n, name, payload) => this.ask(new ActorRef(loop, n.id, GATEWAY, `node ${n.name}`), name, payload, { timeout: Infinity }),
      tellGateway: (n, name, payload) => {
        if (n.up) n.link.writeEnvelope(Kind.Tell, GATEWAY, GATEWAY, 0, name, payload, loop.options.maxMessageBytes);
      },
    });
    this.#senders = new SenderAliases(loop);
    this.#gateway = new Gateway({
      senders: this.#senders,
      node: options.node,
      loop,
      system,
      codec: this.#codec,
      flow: this.#flow,
      watches: this.#watches,
      byName: (name) => this.#membership.byName(name),
      beat: () => this.#membership.beat(),
      deadLetter: (addr, target, name, arg, reason, count) => this.#deadLetter(addr, target, name, arg, reason, count),
    });
  }

  /** Subscribes to this node's subjects and starts the heartbeats. */
  async start(): Promise<void> {
    const p = this.#options.name;
    const self = this.#options.node;
    this.#nc.subscribe(`${p}.f.${self}.*`, { callback: (_e, msg) => this.#gateway.onFrame(lastToken(msg.subject), msg.data) });
    this.#nc.subscribe(`${p}.c.${self}.*`, { callback: (_e, msg) => this.#gateway.onControl(lastToken(msg.subject), msg.data) });
    this.#membership.subscribe(this.#nc);
    await this.#nc.flush(); // the subscriptions are registered with the server before anyone can hear of us
    this.#membership.start();
    void this.#watchStatus();
    const loop = this.#loop;
    this.#names = await NameRegistry.open(this.#nc, {
      options: this.#options,
      membership: this.#membership,
      clock: loop.clock,
      headers: this.#headers,
      log: (message) => loop.log({ level: "warn", source: `cluster node ${self}`, message }),
    });
  }

  async #watchStatus(): Promise<void> {
    for await (const s of this.#nc.status()) {
      if (s.type === "disconnect") this.#membership.connected(false);
      else if (s.type === "reconnect") this.#membership.connected(true);
    }
  }

  #publish(subject: string, data: Uint8Array): void {
    try {
      this.#nc.publish(subject, data);
    } catch (e) {
      // Closed (this node is leaving): what could not be published is reported, never silent.
      this.#loop.log({
        level: "warn",
        source: `cluster node ${this.node}`,
        message: `publish to ${subject} failed: ${(e as Error)?.message}`,
      });
    }
  }

  #connectNode(name: string, incarnation: string): RemoteNode {
    const p = this.#options.name;
    const endpoint = new NatsEndpoint(
      (s, d) => this.#publish(s, d),
      `${p}.f.${name}.${this.node}`,
      `${p}.c.${name}.${this.node}`,
      (v) => this.#codec.encode(v),
    );
    let remote: RemoteNode | undefined = undefined;
    const link = new Link(-1, endpoint, this.#codec.delegate, () => remote?.consumed ?? 0);
    remote = new RemoteNode(name, nodeId(name), incarnation, this.#nextKey--, link, endpoint, this.#loop.clock.now());
    return remote;
  }

  // ---- ClusterView --------------------------------------------------------------------------------

  members(): string[] {
    return this.#membership.members();
  }

  subscribe(listener: (event: ClusterEvent) => void): () => void {
    return this.#membership.listen(listener);
  }

  whenMember(name: string, signal?: AbortSignal): Promise<void> {
    return this.#membership.whenMember(name, signal);
  }

  stats(): ClusterStats {
    let framesSent = 0;
    for (const n of this.#membership.all()) framesSent += n.endpoint.frames;
    let waitingSends = 0;
    for (const n of this.#membership.all()) waitingSends += n.credits.waiting;
    const g = this.#gateway;
    return { refusedFrames: g.refused, lostInTransit: g.lost, framesSent, framesReceived: g.framesReceived, waitingSends };
  }

  // ---- RemoteHost: sending to other nodes ----------------------------------------------------------------

  #nodeOf(ref: ActorRef): RemoteNode | undefined {
    return this.#membership.byId(ref.node);
  }

  #notMember(ref: ActorRef): ActorStoppedError {
    return new ActorStoppedError(
      ref.label,
      `its node (id ${ref.node}) is not a member of the cluster now (node-down: it left, stopped heartbeating, or never joined)`,
    );
  }

  /** Writes an envelope for `ref` on `n`'s link; `from`, the sending actor of this node (a worker's), travels with it. */
  #write(n: RemoteNode, kind: number, ref: ActorRef, id: number, name: string, arg: unknown, from: number): void {
    try {
      const sender = loopOf(from) === 0 ? GATEWAY : from; // the main loop has no actors: no sender
      n.link.writeEnvelope(kind, ref.address, sender, id, name, arg, this.#loop.options.maxMessageBytes);
    } catch (e) {
      if (e instanceof MissiveError) throw e;
      throw new MessageEncodeError(ref.label, name, "arg", `not encodable (${(e as Error)?.message ?? String(e)})`, e);
    }
  }

  tell(ref: ActorRef, name: string, arg: unknown, from = GATEWAY): void {
    const n = this.#nodeOf(ref);
    if (n === undefined) {
      this.#deadLetter(ref.address, ref.label, name, arg, "node-down", 1);
      return;
    }
    if (ref.overflow !== null && name !== SystemMessage.Terminated) return this.#flow.tell(n, ref, name, arg, from);
    this.#write(n, Kind.Tell, ref, 0, name, arg, from);
    n.userSent++;
    if (name === SystemMessage.Terminated) this.#watches.outgoing(n, ref.address, arg);
  }

  send(ref: ActorRef, name: string, arg: unknown, options: SendOptions | undefined, from = GATEWAY): Promise<void> {
    const n = ref.overflow === null ? undefined : this.#nodeOf(ref);
    if (n !== undefined) return this.#flow.send(n, ref, name, arg, options, from);
    try {
      this.tell(ref, name, arg, from);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  ask(ref: ActorRef, name: string, arg: unknown, options: AskOptions | undefined, from = GATEWAY): Promise<unknown> {
    const n = this.#nodeOf(ref);
    if (n === undefined) return Promise.reject(this.#notMember(ref));
    if (ref.overflow === null || name === SystemMessage.Flush) return this.#ask(n, ref, name, arg, options, from, 0);
    // A bounded mailbox: within the node's window, as tells (the capacity travels with the argument).
    return this.#flow.ask(n, ref, options?.signal, () => this.#ask(n, ref, name, [ref.capacity, arg], options, from, COUNTED));
  }

  #ask(
    n: RemoteNode,
    ref: ActorRef,
    name: string,
    arg: unknown,
    options: AskOptions | undefined,
    from: number,
    flags: number,
  ): Promise<unknown> {
    const loop = this.#loop;
    const { id, promise } = loop.asks.open(ref.label, name, options?.timeout ?? loop.options.askTimeout, options?.signal, n.key);
    if (id === 0) return promise;
    const at = n.link.sent;
    try {
      this.#write(n, Kind.Ask | flags, ref, id, name, arg, from);
    } catch (e) {
      loop.asks.cancel(id, e);
      return promise;
    }
    n.asks.set(id, at);
    const settled = () => void n.asks.delete(id);
    promise.then(settled, settled);
    return promise;
  }

  flush(ref: ActorRef, options: AskOptions | undefined, from = GATEWAY): Promise<void> {
    return this.ask(ref, SystemMessage.Flush, undefined, options, from) as Promise<void>;
  }

  watch(watcher: number, ref: ActorRef, link: boolean): Promise<void> {
    return this.#watches.watch(watcher, ref, link);
  }

  unwatch(watcher: number, ref: ActorRef): void {
    this.#watches.unwatch(watcher, ref);
  }

  // ---- spawn and names on other nodes ---------------------------------------------------------

  async spawnOn(node: string, url: string, key: string, arg: unknown, name: string | null): Promise<ActorRef> {
    const n = this.#membership.byName(node);
    if (n === undefined) {
      throw new ActorStoppedError(`node ${node}`, `it is not a member of the cluster (members: ${this.members().join(", ") || "none"})`);
    }
    const target = new ActorRef(this.#loop, n.id, GATEWAY, `node ${node}`);
    return (await this.ask(target, SPAWN, [url, key, arg, name], { timeout: this.#loop.options.initTimeout })) as ActorRef;
  }

  stop(ref: ActorRef, reason: string): Promise<void> {
    const n = this.#nodeOf(ref);
    if (n === undefined) return Promise.reject(this.#notMember(ref));
    return this.ask(new ActorRef(this.#loop, n.id, GATEWAY, `node ${n.name}`), STOP, [ref.address, reason], {
      timeout: Infinity,
    }) as Promise<
      void
    >;
  }

  claimName(name: string): Promise<void> {
    if (this.#names !== null) return this.#names.claim(name);
    const holder = this.lookup(name); // no JetStream: as the other nodes' heartbeats say (eventually consistent)
    if (holder === undefined) return Promise.resolve();
    const node = this.#membership.byId(holder.node)?.name ?? `id ${holder.node}`;
    return Promise.reject(new ActorNameTakenError(name, `by an actor on node ${node}, as its heartbeats say`));
  }

  releaseName(name: string): void {
    this.#names?.release(name);
  }

  lookup(name: string): ActorRef | undefined {
    return this.#membership.lookupName(name, (id, addr, flow, label) => new ActorRef(this.#loop, id, addr, label, flow));
  }

  #down(n: RemoteNode, reason: string): void {
    n.link.abandon();
    this.#watches.down(n, reason);
    this.#flow.down(n, reason);
    this.#senders.forget(n);
    const lost = n.lost();
    if (lost > 0) this.#deadLetter(0, `actors of node ${n.name}`, null, undefined, "node-down", lost);
    this.#loop.asks.rejectWhere(
      (target) => target === n.key,
      () => new ActorStoppedError(`an actor on node ${n.name}`, `node-down: node ${n.name} ${reason}`),
    );
  }

  #deadLetter(addr: number, target: string, name: string | null, arg: unknown, reason: DeadLetterReason, count: number): void {
    this.#loop.delivery.record({ address: addr, target, name, arg, reason, count });
  }

  // ---- leaving ----------------------------------------------------------------------------------------

  async close(): Promise<void> {
    this.#membership.leave();
    try {
      await this.#nc.drain();
    } catch {
      await this.#nc.close();
    }
  }
}

const lastToken = (subject: string): string => subject.slice(subject.lastIndexOf(".") + 1);

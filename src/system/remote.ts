/**
 * The seam between a loop and the actors of other nodes (processes or machines): a ref
 * whose `node` is not 0 is sent through the loop's {@link RemoteHost} instead of a link to
 * a loop of this system. The core defines the seam and never imports a transport: on the
 * main loop, the cluster module (`src/cluster/`, loaded only for `ActorSystem.start({
 * cluster })`) implements it over NATS; on a worker, {@link ForwardingRemote} hands every
 * remote send to the main loop as a loop request, on the same link as the worker's other
 * messages to it — so FIFO per sender–receiver pair holds through the extra hop.
 *
 * @example
 * ```ts
 * loop.remote = new ForwardingRemote(loop); // what worker-main.ts does on each worker
 * declare const remoteCounter: ActorRef<typeof Counter>; // a ref whose node is not 0
 * remoteCounter.tell("inc", 1);              // → main loop → the node the actor lives on
 * ```
 * @module
 */
import type { ActorRef, AskOptions, SendOptions } from "../actor/ref.ts";
import { InvalidArgumentError } from "../errors.ts";
import { address } from "../wire/envelope.ts";
import type { OpName, OpPayload } from "./ops.ts";

/**
 * What a loop needs to reach an actor of another node (`ref.node !== 0`). `from` is the
 * sending actor's address on this node (what the receiver's `ctx.sender` refers to), or a
 * loop's address (actor 0) when no actor sends.
 */
export interface RemoteHost {
  tell(ref: ActorRef, name: string, arg: unknown, from?: number): void;
  send(ref: ActorRef, name: string, arg: unknown, options: SendOptions | undefined, from?: number): Promise<void>;
  ask(ref: ActorRef, name: string, arg: unknown, options: AskOptions | undefined, from?: number): Promise<unknown>;
  flush(ref: ActorRef, options: AskOptions | undefined, from?: number): Promise<void>;
  /** Actor `watcher` (an address of this system) watches or links to remote `ref`. */
  watch(watcher: number, ref: ActorRef, link: boolean): Promise<void>;
  unwatch(watcher: number, ref: ActorRef): void;
  /** Stops actor `ref` of another node; resolves once it has stopped (at once when it was gone already). */
  stop(ref: ActorRef, reason: string): Promise<void>;
  /** Spawns an actor of module `url`, export `key`, on node `node`; resolves with its ref, or `null` when `node` is this node. */
  spawnOn(node: string, url: string, key: string, arg: unknown, name: string | null): Promise<ActorRef | null>;
}

/** The remote target of a forwarded request: `[node, address, flow, label]`. */
export type RemoteTarget = [node: number, addr: number, flow: number, label: string];

/** What {@link ForwardingRemote} needs from its (worker) loop. */
export interface ForwardingHost {
  readonly index: number;
  tellOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>): void;
  tellSystem(to: number, from: number, name: string, payload: unknown): void;
  request(to: number, name: string, payload: unknown, label: string, options: AskOptions | undefined, userValue: unknown): Promise<unknown>;
}

const target = (ref: ActorRef): RemoteTarget => [ref.node, ref.address, ref.flow, ref.label];

/**
 * A worker's way to remote actors: through the main loop, which holds the cluster
 * connection. Asks and flushes keep the caller's timeout and signal (measured here); the
 * main loop's own wait for the node has none, as node loss settles it.
 */
export class ForwardingRemote implements RemoteHost {
  readonly #host: ForwardingHost;

  constructor(host: ForwardingHost) {
    this.#host = host;
  }

  tell(ref: ActorRef, name: string, arg: unknown, from = address(this.#host.index, 0)): void {
    // From the sending actor: the main loop finds it in the envelope (the receiver's ctx.sender).
    const payload: OpPayload<"remoteTell"> = [target(ref), name, arg];
    this.#host.tellSystem(address(0, 0), from, "remoteTell", payload);
  }

  // The requests below carry the sending actor's address as their envelope's sender (the loop's request() puts it there).
  send(ref: ActorRef, name: string, arg: unknown, options: SendOptions | undefined, from?: number): Promise<void> {
    if (ref.overflow === "wait") {
      // A bounded mailbox: the main loop waits for the node's credit (the caller's signal ends this wait, not the main loop's).
      const forever = { timeout: Infinity, signal: options?.signal };
      return this.#host.request(address(0, 0), "remoteSend", [target(ref), name, arg], ref.label, forever, arg) as Promise<void>;
    }
    try {
      this.tell(ref, name, arg, from);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  ask(ref: ActorRef, name: string, arg: unknown, options: AskOptions | undefined): Promise<unknown> {
    return this.#host.request(address(0, 0), "remoteAsk", [target(ref), name, arg], ref.label, options, arg);
  }

  flush(ref: ActorRef, options: AskOptions | undefined): Promise<void> {
    return this.#host.request(address(0, 0), "remoteFlush", target(ref), ref.label, options, null) as Promise<void>;
  }

  watch(watcher: number, ref: ActorRef, link: boolean): Promise<void> {
    return this.#host.request(
      address(0, 0),
      "remoteWatch",
      [target(ref), watcher, link],
      ref.label,
      { timeout: Infinity },
      null,
    ) as Promise<
      void
    >;
  }

  unwatch(watcher: number, ref: ActorRef): void {
    this.#host.tellOp(0, "remoteUnwatch", [target(ref), watcher]);
  }

  stop(ref: ActorRef, reason: string): Promise<void> {
    return this.#host.request(address(0, 0), "remoteStop", [target(ref), reason], ref.label, { timeout: Infinity }, null) as Promise<
      void
    >;
  }

  spawnOn(node: string, url: string, key: string, arg: unknown, name: string | null): Promise<ActorRef | null> {
    const payload: OpPayload<"remoteSpawn"> = [node, url, key, arg, name];
    return this.#host.request(address(0, 0), "remoteSpawn", payload, `node ${node}`, { timeout: Infinity }, arg) as Promise<
      ActorRef | null
    >;
  }
}

/** The error for a remote ref on a system that is in no cluster. */
export function notClustered(ref: ActorRef): InvalidArgumentError {
  return new InvalidArgumentError(
    `${ref.label} lives on another node (id ${ref.node}), and this system is not in a cluster. ` +
      `Fix: start it with ActorSystem.start({ cluster: { servers: "nats://…", node: "<name>" } }).`,
  );
}

/**
 * The actors of other nodes that sent to this loop's actors, by the alias their messages
 * carry as sender here. A message from another node reaches a worker through the main
 * loop, whose envelope's sender field holds one integer: the main loop gives each remote
 * sender an address of its own (an alias) and announces it to a worker before the first
 * message from that sender, on the same link — so a handler's `ctx.sender` is a ref to the
 * real actor of the other node, and what is sent to it goes there. Aliases are forgotten
 * when their node goes down or leaves.
 *
 * @example
 * ```ts
 * const senders = new RemoteSenders(new LoopOps()); // answers senderAlias / senderAliasesGone
 * senders.set(1024 * 7, 123456, 2049, "actor 2049 of node b");
 * senders.get(1024 * 7); // [123456, 2049, "actor 2049 of node b"]: the actor of the other node
 * ```
 */
export class RemoteSenders {
  readonly #byAlias = new Map<number, [node: number, addr: number, label: string]>();

  constructor(ops: { on<K extends OpName>(name: K, handler: (payload: OpPayload<K>) => void): void }) {
    ops.on("senderAlias", ([alias, node, addr, label]) => this.set(alias, node, addr, label));
    ops.on("senderAliasesGone", (aliases) => this.forget(aliases));
  }

  set(alias: number, node: number, addr: number, label: string): void {
    this.#byAlias.set(alias, [node, addr, label]);
  }

  forget(aliases: number[]): void {
    for (const alias of aliases) this.#byAlias.delete(alias);
  }

  get(alias: number): [node: number, addr: number, label: string] | undefined {
    return this.#byAlias.get(alias);
  }
}

/**
 * Loop-level requests: what one loop asks of another (spawn an actor, stop one, watch
 * one, …) or tells it (an actor was spawned, is gone, a dead letter). They travel as
 * envelopes addressed to actor number 0 of the loop, on the same wire and in the same
 * order as actor messages. This module is their protocol: each request's name, payload
 * and reply, so that both sides are type-checked, and a table of handlers in which a
 * name can be registered only once.
 *
 * @example
 * ```ts
 * const ops = new LoopOps();
 * ops.on("childStopped", ([parent, child]) => console.log(`actor ${parent} lost child ${child}`));
 * const reply = await loop.requestOp(2, "spawn", [url, key, arg, 0, null]); // SpawnReply
 * ```
 * @module
 */
import type { DeadLetterReason } from "./dead-letters.ts";
import type { SupervisionStrategy } from "../actor/supervision.ts";
import type { Envelope } from "../wire/envelope.ts";
import type { WorkerMetrics } from "./metrics.ts";
import type { RemoteTarget } from "./remote.ts";
import type { ActorRef } from "../actor/ref.ts";

/** `[url, key, arg, parentAddress, name, localId?]` of a spawn request. */
export type SpawnRequest = [url: string, key: string, arg: unknown, parent: number, name: string | null, localId?: number];

/** `[address, label, flow]` answered to a spawn request (flow: see `ActorRef`). */
export type SpawnReply = [addr: number, label: string, flow: number];

/** Every loop-level request: `[payload, reply]` by name. */
export interface LoopOpTypes {
  /** Spawn an actor on the loop (any loop). */
  spawn: [SpawnRequest, SpawnReply];
  /** Spawn a named actor on loop `target` (main loop: it keeps the names). */
  spawnNamed: [[target: number, url: string, key: string, arg: unknown, parent: number, name: string], SpawnReply];
  /** Stop actor `localId` (any loop); resolves once it has stopped. */
  stop: [number | [localId: number, normal?: boolean, reason?: string], void];
  /** `watcher` watches (or links to) actor `target` of the loop. */
  watch: [[target: number, watcher: number | string, link: boolean], void];
  unwatch: [[target: number, watcher: number | string], void];
  /** Child `child` of actor `parent` (localId; 0: a top-level actor) stopped. */
  childStopped: [[parent: number, child: number], void];
  /** A child with supervision `escalate` failed: its parent fails with `error`. */
  childFailed: [[parent: number, childLabel: string, error: unknown], void];
  /** Main loop: an actor was spawned (the directory, for crash recovery). */
  spawned: [[
    address: number,
    url: string,
    key: string,
    parent: number,
    name: string | null,
    label: string,
    strategy: SupervisionStrategy,
    maxRestarts: number,
    withinMs: number,
    restartArg: unknown,
  ], void];
  /** Main loop: an actor is gone. */
  gone: [[address: number, name: string | null], void];
  /** Main loop: a dead letter on a worker. */
  deadLetter: [[address: number, target: string, name: string | null, reason: DeadLetterReason, count: number, arg: unknown], void];
  /** A worker's metrics. */
  metrics: [null, WorkerMetrics];
  /** Main loop of a clustered system: a tell from a worker to an actor of another node (see remote.ts). */
  remoteTell: [[target: RemoteTarget, name: string, arg: unknown], void];
  /** Main loop: an ask from a worker to an actor of another node; the reply is the handler's. */
  remoteAsk: [[target: RemoteTarget, name: string, arg: unknown], unknown];
  /** Main loop: a flush from a worker to an actor of another node. */
  remoteFlush: [RemoteTarget, void];
  /** Main loop: a worker's `send` to a bounded mailbox of another node (waits for the node's credit). */
  remoteSend: [[target: RemoteTarget, name: string, arg: unknown], void];
  /** Main loop: actor `watcher` of a worker watches (or links to) an actor of another node. */
  remoteWatch: [[target: RemoteTarget, watcher: number, link: boolean], void];
  remoteUnwatch: [[target: RemoteTarget, watcher: number], void];
  /** Main loop: stop an actor of another node (`system.stop`, or a parent's stop, on a worker). */
  remoteStop: [[target: RemoteTarget, reason: string], void];
  /** Main loop: `ctx.spawn(…, { node })` on a worker; `null` when `node` is this node (the worker spawns a child of its own). */
  remoteSpawn: [[node: string, url: string, key: string, arg: unknown, name: string | null], ActorRef | null];
  /** Any loop of a clustered system: messages from actor `addr` of node `node` arrive with sender `alias` (see remote.ts). */
  senderAlias: [[alias: number, node: number, addr: number, label: string], void];
  /** Any loop: these aliases are gone (their node is down or left). */
  senderAliasesGone: [number[], void];
}

export type OpName = keyof LoopOpTypes;
export type OpPayload<K extends OpName> = LoopOpTypes[K][0];
export type OpReply<K extends OpName> = LoopOpTypes[K][1];
/** The handler of request `K`; `env` is the request's envelope. */
export type OpHandler<K extends OpName> = (payload: OpPayload<K>, env: Envelope) => OpReply<K> | PromiseLike<OpReply<K>>;

/** The requests one loop answers. */
export class LoopOps {
  readonly #handlers = new Map<string, (payload: unknown, env: Envelope) => unknown>();

  /** Answers request `name` with `handler`. A name can be registered once: a second registration throws. */
  on<K extends OpName>(name: K, handler: OpHandler<K>): void {
    if (this.#handlers.has(name)) throw new Error(`loop op "${name}" is registered twice (the second would silently win)`);
    this.#handlers.set(name, handler as (payload: unknown, env: Envelope) => unknown);
  }

  /** The handler of `name`, if this loop answers it. */
  get(name: string): ((payload: unknown, env: Envelope) => unknown) | undefined {
    return this.#handlers.get(name);
  }

  /** The names this loop answers (for error messages). */
  names(): string[] {
    return [...this.#handlers.keys()];
  }
}

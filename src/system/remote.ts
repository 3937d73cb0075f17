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

/** What a loop needs to reach an actor of another node (`ref.node !== 0`). */
export interface RemoteHost {
  tell(ref: ActorRef, name: string, arg: unknown): void;
  send(ref: ActorRef, name: string, arg: unknown, options: SendOptions | undefined): Promise<void>;
  ask(ref: ActorRef, name: string, arg: unknown, options: AskOptions | undefined): Promise<unknown>;
  flush(ref: ActorRef, options: AskOptions | undefined): Promise<void>;
  /** Actor `watcher` (an address of this system) watches or links to remote `ref`. */
  watch(watcher: number, ref: ActorRef, link: boolean): Promise<void>;
  unwatch(watcher: number, ref: ActorRef): void;
}

/** The remote target of a forwarded request: `[node, address, flow, label]`. */
export type RemoteTarget = [node: number, addr: number, flow: number, label: string];

/** What {@link ForwardingRemote} needs from its (worker) loop. */
export interface ForwardingHost {
  readonly index: number;
  tellOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>): void;
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

  tell(ref: ActorRef, name: string, arg: unknown): void {
    this.#host.tellOp(0, "remoteTell", [target(ref), name, arg]);
  }

  send(ref: ActorRef, name: string, arg: unknown, options: SendOptions | undefined): Promise<void> {
    if (ref.overflow === "wait") {
      // A bounded mailbox: the main loop waits for the node's credit (the caller's signal ends this wait, not the main loop's).
      const forever = { timeout: Infinity, signal: options?.signal };
      return this.#host.request(address(0, 0), "remoteSend", [target(ref), name, arg], ref.label, forever, arg) as Promise<void>;
    }
    try {
      this.tell(ref, name, arg);
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
}

/** The error for a remote ref on a system that is in no cluster. */
export function notClustered(ref: ActorRef): InvalidArgumentError {
  return new InvalidArgumentError(
    `${ref.label} lives on another node (id ${ref.node}), and this system is not in a cluster. ` +
      `Fix: start it with ActorSystem.start({ cluster: { servers: "nats://…", node: "<name>" } }).`,
  );
}

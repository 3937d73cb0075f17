/**
 * Credit flow control across nodes, for a {@link ClusterNode}: `send` to a bounded
 * mailbox (`wait`, `reject`) of another node waits for room as on one machine.
 *
 * - **Sending node.** Per destination node, a {@link Credits} account per bounded actor,
 *   with a window of `capacity` messages in flight: a tell with no credit throws
 *   `MailboxFullError`, a `send` waits (FIFO, cancellable by its signal). Such tells
 *   travel marked counted, with the mailbox bound in the envelope's id field.
 * - **Receiving node.** Its gateway hands a counted tell on as a sender of this node (the
 *   main loop), under this node's own credits: at once when there is room, else after the
 *   earlier ones, in arrival order — and what else the same node sends to that actor
 *   meanwhile (flush, asks, other tells) waits behind them, so FIFO per sender–receiver
 *   pair holds. Once a message is in the mailbox (or was dead-lettered), a `Credit`
 *   envelope returns its credit to the sending node. So the mailbox never holds more than
 *   on one machine (`max(capacity, loops)`), and what waits at the gateway is bounded by
 *   the senders' windows.
 * - **Node down.** Sends waiting for credit towards a node that goes down reject with
 *   `ActorStoppedError` (`node-down: …`).
 *
 * @example
 * ```ts
 * declare const flow: RemoteFlow;
 * declare const b: RemoteNode;
 * declare const bounded: ActorRef; // mailbox: { capacity: 8, overflow: "wait" }, on node b
 * await flow.send(b, bounded, "put", 1, undefined, 0); // waits while 8 are in flight to it (0: sent by no actor)
 * ```
 * @module
 */
import type { ActorRef, SendOptions } from "../actor/ref.ts";
import { ActorStoppedError, MailboxFullError } from "../errors.ts";
import type { DeadLetterReason } from "../system/dead-letters.ts";
import type { Loop } from "../system/loop.ts";
import { address, COUNTED, Kind } from "../wire/envelope.ts";
import type { RemoteNode } from "./remote-node.ts";

const GATEWAY = address(0, 0);

/** What flow control needs from its cluster node. */
export interface RemoteFlowHost {
  readonly loop: Loop;
  /** Writes a tell to `ref` on `n`'s link, from actor `from` of this node (throws a typed error when it cannot be encoded). */
  write(n: RemoteNode, kind: number, ref: ActorRef, id: number, name: string, arg: unknown, from: number): void;
  deadLetter(addr: number, target: string, name: string | null, arg: unknown, reason: DeadLetterReason, count: number): void;
}

export class RemoteFlow {
  readonly #host: RemoteFlowHost;

  constructor(host: RemoteFlowHost) {
    this.#host = host;
  }

  // ---- the sending node -----------------------------------------------------------------------

  /** A tell to bounded `ref` of `n`: throws `MailboxFullError` when its window is used up. */
  tell(n: RemoteNode, ref: ActorRef, name: string, arg: unknown, from: number): void {
    if (!n.credits.tryTake(ref.address, ref.capacity)) {
      throw new MailboxFullError(ref.label, ref.capacity, ref.overflow === "wait" ? undefined : "the actor's policy is reject");
    }
    this.#write(n, ref, name, arg, from);
  }

  /** `send` to bounded `ref` of `n`: waits for credit (policy `wait`), else as {@link tell}. */
  send(n: RemoteNode, ref: ActorRef, name: string, arg: unknown, options: SendOptions | undefined, from: number): Promise<void> {
    try {
      if (ref.overflow !== "wait" || n.credits.tryTake(ref.address, ref.capacity)) {
        if (ref.overflow !== "wait") this.tell(n, ref, name, arg, from);
        else this.#write(n, ref, name, arg, from);
        return Promise.resolve();
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return n.credits.take(ref.address, ref.capacity, options?.signal).then(() => this.#write(n, ref, name, arg, from));
  }

  #write(n: RemoteNode, ref: ActorRef, name: string, arg: unknown, from: number): void {
    try {
      this.#host.write(n, Kind.Tell | COUNTED, ref, ref.capacity, name, arg, from);
      n.userSent++;
    } catch (e) {
      n.credits.give(ref.address, 1);
      throw e;
    }
  }

  /**
   * An ask to bounded `ref` of `n` (not a flush): `send()` writes it, counted, within the
   * same window as the tells — at once when there is credit, after a wait under `wait`
   * (cancellable by `signal`; the ask's timeout runs once it is sent, as on one machine),
   * `MailboxFullError` under `reject`. Its credit comes back when it settles.
   */
  ask(n: RemoteNode, ref: ActorRef, signal: AbortSignal | undefined, send: () => Promise<unknown>): Promise<unknown> {
    const counted = () => {
      const answer = send();
      const back = () => n.credits.give(ref.address, 1);
      answer.then(back, back);
      return answer;
    };
    if (n.credits.tryTake(ref.address, ref.capacity)) return counted();
    if (ref.overflow === "reject") return Promise.reject(new MailboxFullError(ref.label, ref.capacity, "the actor's policy is reject"));
    return n.credits.take(ref.address, ref.capacity, signal).then(counted);
  }

  /** A `Credit` envelope from `n`: `count` messages to its actor `addr` left the gateway there. */
  credit(n: RemoteNode, addr: number, count: number): void {
    if (Number.isSafeInteger(addr) && Number.isSafeInteger(count) && count > 0) n.credits.give(addr, count);
  }

  // ---- the receiving node (its gateway) ----------------------------------------------------------

  /** A counted tell from `n` (its actor's alias here: `from`) to actor `to` of this node, whose mailbox holds `capacity`. */
  forward(n: RemoteNode, to: number, name: string, payload: unknown, capacity: number, from: number): void {
    const loop = this.#host.loop;
    const ref = loop.refTo(to, `actor ${to}`, Math.max(1, Number.isSafeInteger(capacity) ? capacity : 1));
    if (!n.forwarding.has(to)) {
      try {
        loop.sendingAs(from, () => loop.tell(ref, name, payload)); // room now: in the mailbox, in order
        return this.#credit(n, to);
      } catch (e) {
        if (!(e instanceof MailboxFullError)) return this.#undelivered(n, to, name, payload, e);
      }
    }
    this.#behind(n, to, () =>
      loop.sendingAs(from, () => loop.send(ref, name, payload, undefined)).then(
        () => this.#credit(n, to),
        (e) => this.#undelivered(n, to, name, payload, e),
      ));
  }

  /**
   * A counted ask from `n` to actor `to` of this node, whose mailbox holds `capacity`:
   * `start()` sends it under one of this node's own credits for `to`, after the counted
   * messages from `n` waiting for `to` (arrival order).
   */
  forwardAsk(n: RemoteNode, to: number, capacity: number, start: () => void): void {
    const credits = this.#host.loop.credits;
    const bound = Math.max(1, Number.isSafeInteger(capacity) ? capacity : 1);
    if (!n.forwarding.has(to) && credits.tryTake(to, bound)) return start();
    this.#behind(n, to, () => credits.take(to, bound).then(start));
  }

  /** Runs `run` (the handing on of an envelope from `n` to `to`) after the counted tells waiting for `to`; false when none wait. */
  behind(n: RemoteNode, to: number, run: () => void): boolean {
    if (!n.forwarding.has(to)) return false;
    this.#behind(n, to, run);
    return true;
  }

  #behind(n: RemoteNode, to: number, run: () => unknown): void {
    let f = n.forwarding.get(to);
    if (f === undefined) n.forwarding.set(to, f = { tail: Promise.resolve(), count: 0 });
    const entry = f;
    entry.count++;
    entry.tail = entry.tail.then(run).catch(() => undefined).then(() => {
      if (--entry.count === 0 && n.forwarding.get(to) === entry) n.forwarding.delete(to);
    });
  }

  #undelivered(n: RemoteNode, to: number, name: string, payload: unknown, e: unknown): void {
    this.#host.deadLetter(to, `actor ${to}`, name, payload, "stopped", 1);
    this.#host.loop.log({
      level: "warn",
      source: `cluster node ${this.#host.loop.name}`,
      message: `a tell from node ${n.name}: ${(e as Error)?.message}`,
    });
    this.#credit(n, to);
  }

  #credit(n: RemoteNode, to: number): void {
    if (n.up) n.link.writeEnvelope(Kind.Credit, GATEWAY, to, 1, null, null, this.#host.loop.options.maxMessageBytes);
  }

  // ---- node loss -----------------------------------------------------------------------------------

  /** Node `n` is down or left: sends waiting for its credit reject. */
  down(n: RemoteNode, reason: string): void {
    n.credits.forgetWhere(
      () => true,
      (addr) => new ActorStoppedError(`actor ${addr} on node ${n.name}`, `node-down: node ${n.name} ${reason}`),
    );
  }
}

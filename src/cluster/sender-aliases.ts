/**
 * The senders of other nodes, as this node's actors see them. An envelope from node X
 * carries its sender's address on X; the gateway hands it on under an **alias**: an
 * address of this node's main loop, one per remote sender, that the loops here map back
 * to `[X's id, the address on X]` (`RemoteSenders`, system/remote.ts). The alias is
 * announced to a worker on the main loop's link to it before the first message that
 * carries it, so a handler's `ctx.sender` is a ref to the real actor of X — replying to
 * it, or asking it, goes to X — and, the alias being an address of the main loop, what the
 * worker owes for the message (credit, an ask's reply) goes back to the gateway as before.
 * A node that goes down or leaves takes its aliases with it.
 *
 * @example
 * ```ts
 * declare const aliases: SenderAliases;
 * declare const b: RemoteNode;
 * declare const loop: Loop;
 * declare const sentBy: number; // the sender's address on b, from the envelope
 * declare const to: number;     // an actor of this node
 * const from = aliases.of(b, sentBy, to); // announced to the loop of `to` if new there
 * loop.tellSystem(to, from, "add", 1);    // its handler's ctx.sender: the actor on b
 * ```
 * @module
 */
import type { Loop } from "../system/loop.ts";
import type { Link } from "../transport/link.ts";
import { address, localIdOf, loopOf } from "../wire/envelope.ts";
import type { RemoteNode } from "./remote-node.ts";

const NO_SENDER = address(0, 0);

/** One remote sender: its alias here, and the link of each loop it was announced on (a replaced worker needs it again). */
interface Alias {
  alias: number;
  label: string;
  announced: Map<number, Link | undefined>;
}

export class SenderAliases {
  readonly #loop: Loop;
  /** Per node (by its key, one per incarnation): its actor's address → alias. */
  readonly #byNode = new Map<number, Map<number, Alias>>();

  constructor(loop: Loop) {
    this.#loop = loop;
  }

  /** The sender to hand on a message from actor `from` of node `n` to actor `to` of this node with. */
  of(n: RemoteNode, from: number, to: number): number {
    if (!Number.isSafeInteger(from) || from <= 0 || localIdOf(from) === 0) return NO_SENDER;
    const loop = this.#loop;
    let senders = this.#byNode.get(n.key);
    if (senders === undefined) this.#byNode.set(n.key, senders = new Map());
    let a = senders.get(from);
    if (a === undefined) {
      a = { alias: address(0, loop.allocateLocalId()), label: `actor ${from} of node ${n.name}`, announced: new Map() };
      senders.set(from, a);
      loop.remoteSenders.set(a.alias, n.id, from, a.label);
    }
    const target = loopOf(to);
    const link = loop.peers[target]?.link;
    if (target !== 0 && link !== undefined && a.announced.get(target) !== link) {
      loop.tellOp(target, "senderAlias", [a.alias, n.id, from, a.label]);
      a.announced.set(target, link);
    }
    return a.alias;
  }

  /** Node `n` is down or left: its aliases are forgotten here and on every loop that knew them. */
  forget(n: RemoteNode): void {
    const senders = this.#byNode.get(n.key);
    if (senders === undefined) return;
    this.#byNode.delete(n.key);
    const loop = this.#loop;
    const perLoop = new Map<number, number[]>();
    for (const a of senders.values()) {
      for (const [target, link] of a.announced) {
        if (loop.peers[target]?.link === link) (perLoop.get(target) ?? perLoop.set(target, []).get(target)!).push(a.alias);
      }
    }
    loop.remoteSenders.forget([...senders.values()].map((a) => a.alias));
    for (const [target, aliases] of perLoop) {
      try {
        loop.tellOp(target, "senderAliasesGone", aliases);
      } catch { /* that worker is gone: so is its table */ }
    }
  }
}

/**
 * The receiving half of a cluster node: what other nodes send to this one arrives here,
 * on the main loop, and is handed on to this node's actors.
 *
 * - **Frames.** Frames from node X arrive on `<cluster>.f.<self>.X` in the order X
 *   published them; each envelope is handed on in that order — a tell with `tellSystem`,
 *   an ask or flush as a request of the main loop whose settlement goes back to X — so
 *   FIFO per sender–receiver pair holds (NATS keeps one publisher's order). A frame that
 *   is not ours (bad bytes, an unknown node) is refused and counted; its envelopes become
 *   `malformed` dead letters.
 * - **Loss.** Frame prefixes and heartbeats carry how many envelopes X sent here; a gap
 *   (the NATS server restarted) becomes `lost-in-transit` dead letters here and a notice to
 *   X, whose asks in the gap reject with `ActorStoppedError`; replies of this node lost on
 *   the way to X are answered again, as errors.
 * - **Gateway requests.** Spawn, lookup, stop, watch and unwatch asked by other nodes.
 *
 * @example
 * ```ts
 * declare const host: GatewayHost;
 * declare const frame: Uint8Array; // published by node b on this node's subject "missive.f.a.b"
 * const gateway = new Gateway(host);
 * gateway.onFrame("b", frame); // its envelopes handed on to this node's actors, in order
 * ```
 * @module
 */
import { ActorStoppedError, InvalidArgumentError, MissiveError, WireError } from "../errors.ts";
import type { ClusterSystem } from "../system/cluster-seam.ts";
import type { DeadLetterReason } from "../system/dead-letters.ts";
import type { Loop } from "../system/loop.ts";
import type { Codec } from "../wire/codec.ts";
import { address, COUNTED, type Envelope, Kind, localIdOf, loopOf, SystemMessage } from "../wire/envelope.ts";
import { FRAME_HEADER_BYTES } from "../wire/frame-header.ts";
import { PREFIX_BYTES } from "./nats-endpoint.ts";
import type { RemoteFlow } from "./remote-flow.ts";
import type { RemoteNode } from "./remote-node.ts";
import type { SenderAliases } from "./sender-aliases.ts";
import { type RemoteWatches, UNWATCH, WATCH } from "./remote-watch.ts";

const GATEWAY = address(0, 0);
/** The gateway's own requests (asked of another node's actor 0). */
export const SPAWN = "$cluster.spawn";
export const LOOKUP = "$cluster.lookup";
export const STOP = "$cluster.stop";

/** What the gateway needs from its cluster node. */
export interface GatewayHost {
  /** This node's name. */
  readonly node: string;
  readonly loop: Loop;
  readonly system: ClusterSystem;
  readonly codec: Codec;
  readonly flow: RemoteFlow;
  readonly watches: RemoteWatches;
  /** The aliases under which other nodes' actors send to this node's (their `ctx.sender` here). */
  readonly senders: SenderAliases;
  /** The member named `name`, if it is one. */
  byName(name: string): RemoteNode | undefined;
  /** Publishes this node's heartbeat now (a name was registered). */
  beat(): void;
  deadLetter(addr: number, target: string, name: string | null, arg: unknown, reason: DeadLetterReason, count: number): void;
}

export class Gateway {
  readonly #host: GatewayHost;
  /** Frames refused (malformed, or from a node that is not a member). */
  refused = 0;
  /** Envelopes counted lost in transit. */
  lost = 0;
  framesReceived = 0;

  constructor(host: GatewayHost) {
    this.#host = host;
  }

  /** A frame on this node's subject from node `from`. */
  onFrame(from: string, data: Uint8Array): void {
    const n = this.#host.byName(from);
    if (n === undefined) return this.#refuse(from, `a frame from "${from}", which is not a member of the cluster`, 0);
    if (data.byteLength < PREFIX_BYTES + FRAME_HEADER_BYTES) return this.#refuse(from, `a frame of ${data.byteLength} bytes`, 0);
    const before = new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(0);
    if (!Number.isSafeInteger(before) || before < 0) return this.#refuse(from, `a frame with a bad position (${before})`, 0);
    this.framesReceived++;
    n.lastSeen = this.#host.loop.clock.now();
    if (before > n.received) this.gap(n, before);
    let cursor;
    try {
      cursor = this.#host.codec.openFrame(data.subarray(PREFIX_BYTES));
    } catch (e) {
      return this.#refuse(from, (e as Error).message, 0);
    }
    n.received = before + cursor.announced;
    if (Number.isSafeInteger(cursor.ack) && cursor.ack >= 0) n.peerConsumed = cursor.ack;
    for (;;) {
      let env: Envelope | null;
      try {
        env = cursor.next();
      } catch (e) {
        return this.#refuse(from, e instanceof WireError ? e.message : String(e), cursor.announced - cursor.decoded);
      }
      if (env === null) break;
      this.#onEnvelope(n, env);
    }
  }

  #refuse(from: string, what: string, lost: number): void {
    this.refused++;
    if (lost > 0) this.#host.deadLetter(0, `(unknown: lost in a malformed frame from node ${from})`, null, undefined, "malformed", lost);
    const loop = this.#host.loop;
    loop.wireErrors++;
    loop.log({
      level: "error",
      source: `cluster node ${this.#host.node}`,
      message: `refused ${what} (on the subjects of node ${this.#host.node})`,
    });
  }

  #onEnvelope(n: RemoteNode, env: Envelope): void {
    const [flags, to, from, id, name, payload] = env;
    const kind = flags & 7;
    const flow = this.#host.flow;
    if (kind === Kind.Reply || kind === Kind.Fail) {
      n.asks.delete(id);
      this.#host.loop.asks.settle(id, kind === Kind.Reply, payload);
      return;
    }
    if (kind === Kind.Credit) return flow.credit(n, from, id);
    if (kind === Kind.Tell) {
      if (to === GATEWAY && name === UNWATCH) return this.#host.watches.onUnwatch(n, payload); // not a tell to an actor
      n.consumed++;
      if (flags & COUNTED) return flow.forward(n, to, name ?? "", payload, id, this.#sender(n, from, to));
      if (flow.behind(n, to, () => this.#handOn(n, to, from, name, payload))) return;
      this.#handOn(n, to, from, name, payload);
      return;
    }
    if (kind !== Kind.Ask || typeof name !== "string") return this.#refuse(n.name, `an envelope of kind ${flags}`, 1);
    if (flags & COUNTED) {
      // To a bounded mailbox: [capacity, arg], handed on under this node's credits (remote-flow.ts).
      if (to === GATEWAY || !Array.isArray(payload) || payload.length !== 2) return this.#refuse(n.name, "a malformed counted ask", 1);
      const [capacity, arg] = payload as [number, unknown];
      return flow.forwardAsk(n, to, capacity, () => this.#request(n, to, from, id, name, arg, COUNTED));
    }
    if (!flow.behind(n, to, () => this.#request(n, to, from, id, name, payload))) this.#request(n, to, from, id, name, payload);
  }

  /** The sender here of a message from actor `from` of `n` to actor `to` of this node: its alias (see sender-aliases.ts). */
  #sender(n: RemoteNode, from: number, to: number): number {
    return this.#host.senders.of(n, from, to);
  }

  /** Hands a tell from actor `from` of `n` on to actor `to` of this node. */
  #handOn(n: RemoteNode, to: number, from: number, name: string | null, payload: unknown): void {
    const loop = this.#host.loop;
    try {
      if (name === SystemMessage.Terminated) loop.tellSystem(to, GATEWAY, name, this.#host.watches.incoming(n, to, payload));
      else loop.tellSystem(to, this.#sender(n, from, to), name ?? "", payload);
    } catch (e) {
      this.#host.deadLetter(to, `actor ${to}`, name, payload, "stopped", 1);
      loop.log({
        level: "warn",
        source: `cluster node ${this.#host.node}`,
        message: `a tell from node ${n.name}: ${(e as Error).message}`,
      });
    }
  }

  /** Runs ask `id` from `n` for actor (or gateway request) `to`; its settlement goes back to `n`. */
  #request(n: RemoteNode, to: number, from: number, id: number, name: string, payload: unknown, flags = 0): void {
    const loop = this.#host.loop;
    let answer: Promise<unknown>;
    if (to === GATEWAY && name === SPAWN) answer = this.#spawnHere(payload);
    else if (to === GATEWAY && name === WATCH) answer = this.#host.watches.onWatch(n, payload);
    else if (to === GATEWAY && name === LOOKUP) answer = Promise.resolve(this.#host.system.localName(String(payload)) ?? null);
    else if (to === GATEWAY && name === STOP) answer = this.#stopHere(n, payload);
    else {
      const sender = this.#sender(n, from, to);
      answer = loop.sendingAs(sender, () => loop.request(to, name, payload, `actor ${to}`, { timeout: Infinity }, payload, flags));
    }
    answer.then((v) => this.#answer(n, id, Kind.Reply, v), (e) => this.#answer(n, id, Kind.Fail, e));
  }

  #spawnHere(payload: unknown): Promise<unknown> {
    if (!Array.isArray(payload) || payload.length !== 4) return Promise.reject(new MissiveError("a malformed remote spawn request"));
    const [url, key, arg, name] = payload as [string, string, unknown, string | null];
    // A named actor: a heartbeat with the name leaves before the reply, so the asker can look it up at once.
    return this.#host.system.spawnHere(url, key, arg, name).then((ref) => (name !== null && this.#host.beat(), ref));
  }

  /** `$cluster.stop` from `n`: `[address, reason]` of an actor of this node (`system.stop` of a remote ref there). */
  #stopHere(n: RemoteNode, payload: unknown): Promise<void> {
    const loop = this.#host.loop;
    const [addr, reason] = Array.isArray(payload) ? payload as [unknown, unknown] : [];
    if (
      typeof addr !== "number" || !Number.isSafeInteger(addr) || addr < 0 || typeof reason !== "string" ||
      loopOf(addr) < 1 || loopOf(addr) > loop.options.workers || localIdOf(addr) === 0
    ) {
      return Promise.reject(
        new InvalidArgumentError(`stop: node ${n.name} asked to stop ${String(addr)}, which is not an actor of node ${this.#host.node}.`),
      );
    }
    return loop.requestOp(loopOf(addr), "stop", [localIdOf(addr), true, reason]);
  }

  #answer(n: RemoteNode, id: number, kind: number, value: unknown): void {
    if (!n.up) return;
    const max = this.#host.loop.options.maxMessageBytes;
    n.replies.set(n.link.sent, id);
    try {
      n.link.writeEnvelope(kind, GATEWAY, GATEWAY, id, null, value, max);
    } catch (e) {
      const error = new MissiveError(`the reply could not be sent to node ${n.name}: ${(e as Error)?.message ?? String(e)}`);
      n.link.writeEnvelope(Kind.Fail, GATEWAY, GATEWAY, id, null, error, max);
    }
  }

  /** A control message (ack, gap notice) on this node's subject from node `from`. */
  onControl(from: string, data: Uint8Array): void {
    const n = this.#host.byName(from);
    let message: unknown;
    try {
      message = this.#host.codec.decode(data);
    } catch (e) {
      return this.#refuse(from, `a control message (${(e as Error).message})`, 0);
    }
    if (n === undefined || typeof message !== "object" || message === null) return this.#refuse(from, "a control message", 0);
    const m = message as Record<string, unknown>;
    if (m.type === "ack" && typeof m.n === "number") n.peerConsumed = m.n;
    else if (m.type === "gap" && typeof m.from === "number" && typeof m.to === "number") {
      for (const id of n.asksIn(m.from, m.to)) {
        this.#host.loop.asks.cancel(
          id,
          new ActorStoppedError(`an actor on node ${n.name}`, "the ask was lost in transit (the NATS connection dropped)"),
        );
      }
      // Replies of this node lost on the way there: the asks there still settle, with an error.
      for (const id of n.repliesIn(m.from, m.to)) {
        const lost = new ActorStoppedError(
          `an actor on node ${this.#host.node}`,
          "its reply was lost in transit (the NATS connection dropped)",
        );
        this.#answer(n, id, Kind.Fail, lost);
      }
    } else this.#refuse(from, `a control message of type ${String(m.type)}`, 0);
  }

  /** Envelopes `[n.received, upTo)` from `n` never arrived: counted here, and `n` is told (its asks among them reject). */
  gap(n: RemoteNode, upTo: number): void {
    const lost = upTo - n.received;
    this.lost += lost;
    this.#host.deadLetter(0, `(unknown: lost in transit from node ${n.name})`, null, undefined, "lost-in-transit", lost);
    n.link.postControl({ type: "gap", from: n.received, to: upTo });
    n.received = upTo;
  }
}

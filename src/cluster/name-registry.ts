/**
 * Names registered cluster-wide, claimed atomically in a JetStream key-value bucket when
 * the NATS server runs JetStream (`nats-server -js`). The bucket follows the NATS KV
 * conventions (stream `KV_<cluster>-names` on `$KV.<cluster>-names.>`, one message per
 * key), written through the core client's requests, so `nats kv` can inspect it and no
 * JetStream client package is needed.
 *
 * - **Claim.** A name is created only if absent (`Nats-Expected-Last-Subject-Sequence`):
 *   of two nodes that spawn the same name at once, exactly one wins; the other's spawn
 *   rejects with `ActorNameTakenError` naming the node that holds it.
 * - **Release.** When the named actor stops, its claim is deleted — only if it is still
 *   the one this node wrote (the same expected-sequence check).
 * - **Stale claims.** A claim whose holder is not alive any more (this node's earlier
 *   incarnation, a node that restarted, or a node this node has not heard from for
 *   `downAfterMs` since it joined) is taken over, again only if unchanged since read.
 *   A holder that is alive but cut off from this node by a partition looks dead here:
 *   across a partition a name can be taken twice (see the README's cluster section).
 *
 * Without JetStream, {@link NameRegistry.open} returns `null` and names are checked
 * against the other nodes' heartbeats only (eventually consistent).
 *
 * @example
 * ```ts
 * declare const nc: Parameters<typeof NameRegistry.open>[0]; // a NatsConnection
 * declare const host: NameRegistryHost;
 * const names = await NameRegistry.open(nc, host);  // null without JetStream
 * await names?.claim("printer");                   // ActorNameTakenError if held elsewhere
 * names?.release("printer");                       // its actor stopped
 * ```
 * @module
 */
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { ActorNameTakenError, MissiveError } from "../errors.ts";
import type { Clock } from "../util/clock.ts";
import type { Membership } from "./membership.ts";
import type { ResolvedClusterOptions } from "./options.ts";

/** What the registry needs from its cluster node. */
export interface NameRegistryHost {
  /** The cluster's name (the bucket is `<cluster>-names`), this node's, and `downAfterMs`. */
  readonly options: ResolvedClusterOptions;
  /** Who is a member now, in which incarnation; this node's incarnation. */
  readonly membership: Pick<Membership, "incarnation" | "byName">;
  readonly clock: Clock;
  /** The NATS client's `headers()` (the client is imported lazily, by cluster-node.ts). */
  headers(): MsgHdrs;
  log(message: string): void;
}

interface JsError {
  error?: { code: number; err_code?: number; description?: string };
}

const WRONG_LAST_SEQUENCE = 10071;
const NO_MESSAGE = 10037;
const text = new TextEncoder();
const untext = new TextDecoder();

export class NameRegistry {
  readonly #nc: NatsConnection;
  readonly #host: NameRegistryHost;
  readonly #bucket: string;
  /** The sequence of each claim this node holds (its delete is conditional on it). */
  readonly #held = new Map<string, number>();
  readonly #openedAt: number;
  readonly #timeout: number;

  private constructor(nc: NatsConnection, host: NameRegistryHost) {
    this.#nc = nc;
    this.#host = host;
    this.#bucket = `${host.options.name}-names`;
    this.#openedAt = host.clock.now();
    this.#timeout = Math.max(2000, host.options.downAfterMs);
  }

  /** True when node `node` is a member in incarnation `incarnation`; false when in another; undefined when it is none. */
  #isLive(node: string, incarnation: string): boolean | undefined {
    const n = this.#host.membership.byName(node);
    return n === undefined ? undefined : n.incarnation === incarnation;
  }

  /** Resolves once this node has been a member for `downAfterMs` (a node not heard from by then is down). */
  #settled(): Promise<void> {
    const clock = this.#host.clock;
    const wait = this.#openedAt + this.#host.options.downAfterMs - clock.now();
    return wait <= 0 ? Promise.resolve() : new Promise((resolve) => clock.setTimeout(resolve, wait));
  }

  /** Opens (creating if needed) the cluster's bucket; `null` when the server has no JetStream. */
  static async open(nc: NatsConnection, host: NameRegistryHost): Promise<NameRegistry | null> {
    const registry = new NameRegistry(nc, host);
    const b = registry.#bucket;
    const config = {
      name: `KV_${b}`,
      subjects: [`$KV.${b}.>`],
      max_msgs_per_subject: 1,
      discard: "new",
      allow_rollup_hdrs: true,
      deny_delete: true,
      allow_direct: true,
      storage: "file",
      num_replicas: 1,
    };
    let reply: JsError;
    try {
      reply = await registry.#request(`$JS.API.STREAM.CREATE.KV_${b}`, text.encode(JSON.stringify(config)));
    } catch (e) {
      host.log(
        `the NATS server has no JetStream (${(e as Error)?.message}): names are checked against heartbeats only, ` +
          `so two nodes spawning one name at once can both succeed. Fix: run nats-server with -js.`,
      );
      return null;
    }
    // A bucket made by another node (or by `nats kv add`) with the same subjects is fine.
    if (reply.error !== undefined && reply.error.err_code !== 10058) {
      host.log(`the name bucket ${b} could not be created (${reply.error.description}): names are checked against heartbeats only.`);
      return null;
    }
    return registry;
  }

  async #request(subject: string, data: Uint8Array, h?: Record<string, string>): Promise<JsError & Record<string, unknown>> {
    let hdrs;
    if (h !== undefined) {
      hdrs = this.#host.headers();
      for (const [k, v] of Object.entries(h)) hdrs.set(k, v);
    }
    const msg = await this.#nc.request(subject, data, { timeout: this.#timeout, ...(hdrs ? { headers: hdrs } : {}) });
    return JSON.parse(untext.decode(msg.data));
  }

  #key(name: string): string {
    // KV keys are [-/_=.A-Za-z0-9]: the name's UTF-8 in base64url.
    let s = "";
    for (const byte of text.encode(name)) s += String.fromCharCode(byte);
    return `$KV.${this.#bucket}.${btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
  }

  /** Claims `name` for this node; rejects with `ActorNameTakenError` naming the node that holds it. */
  async claim(name: string): Promise<void> {
    const subject = this.#key(name);
    const self = this.#host.options.node;
    const value = text.encode(JSON.stringify({ n: self, i: this.#host.membership.incarnation }));
    let expected = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      const reply = await this.#request(subject, value, { "Nats-Expected-Last-Subject-Sequence": String(expected) });
      if (reply.error === undefined && typeof reply.seq === "number") {
        this.#held.set(name, reply.seq);
        return;
      }
      if (reply.error?.err_code !== WRONG_LAST_SEQUENCE) {
        throw new MissiveError(`the cluster's name registry refused "${name}": ${reply.error?.description ?? "no sequence"}`);
      }
      const last = await this.#last(subject);
      if (last === null) expected = 0;
      else if (last.deleted) expected = last.seq;
      else {
        const { n, i } = last.holder;
        let stale = n === self || this.#isLive(n, i) === false;
        if (!stale && this.#isLive(n, i) === undefined) {
          await this.#settled(); // a node not heard from since this one joined for downAfterMs is down
          stale = this.#isLive(n, i) === undefined;
        }
        if (!stale) throw new ActorNameTakenError(name, `by an actor on node ${n}, in the cluster's name registry`);
        expected = last.seq; // take the stale claim over, if nobody else did meanwhile
      }
    }
    throw new ActorNameTakenError(name, "the cluster's name registry kept changing under this claim");
  }

  async #last(subject: string): Promise<{ seq: number; deleted: boolean; holder: { n: string; i: string } } | null> {
    const reply = await this.#request(`$JS.API.STREAM.MSG.GET.KV_${this.#bucket}`, text.encode(JSON.stringify({ last_by_subj: subject })));
    if (reply.error?.err_code === NO_MESSAGE) return null;
    const m = reply.message as { seq: number; hdrs?: string; data?: string } | undefined;
    if (reply.error !== undefined || m === undefined) {
      throw new MissiveError(`the cluster's name registry could not be read: ${reply.error?.description ?? "no message"}`);
    }
    const hdrs = m.hdrs === undefined ? "" : atob(m.hdrs);
    if (/KV-Operation:\s*(DEL|PURGE)/i.test(hdrs)) return { seq: m.seq, deleted: true, holder: { n: "", i: "" } };
    let holder: { n: string; i: string };
    try {
      holder = JSON.parse(atob(m.data ?? ""));
    } catch {
      holder = { n: "(unreadable)", i: "" };
    }
    return { seq: m.seq, deleted: false, holder };
  }

  /** The named actor of this node stopped: its claim is deleted, if it is still the one this node wrote. */
  release(name: string): void {
    const seq = this.#held.get(name);
    if (seq === undefined) return;
    this.#held.delete(name);
    const h = { "KV-Operation": "DEL", "Nats-Expected-Last-Subject-Sequence": String(seq) };
    this.#request(this.#key(name), new Uint8Array(0), h).then(
      (reply) => {
        // Wrong sequence: another node took it over meanwhile (it thought this one down) — theirs now.
        if (reply.error !== undefined && reply.error.err_code !== WRONG_LAST_SEQUENCE) {
          this.#host.log(`the claim of name "${name}" could not be released (${reply.error.description}); it is taken over later`);
        }
      },
      (e) => this.#host.log(`the claim of name "${name}" could not be released (${(e as Error)?.message}); it is taken over later`),
    );
  }
}

/**
 * One event loop's share of the actor system: the main thread and every worker each run
 * one `Loop`. It sends envelopes (to an actor on this loop, or into the link of the loop
 * the actor lives on), runs handlers through the dispatcher, and keeps the asks it waits
 * on. Around it, one concern per module:
 *
 * - {@link Peer} (`peer.ts`): what this loop knows of each other loop — its link, the counts;
 * - {@link Inbound} (`inbound.ts`): frames received, decoded in step with processing;
 * - {@link Delivery} (`delivery.ts`): mailboxes, overflow, dead letters, parking;
 * - {@link LoopOps} (`ops.ts`): the typed loop-level requests (spawn, stop, watch, …);
 * - {@link Lifecycle} (`lifecycle.ts`): spawn, supervision, stop, death watch.
 *
 * How one message travels through them is in `src/README.md`.
 *
 * Why this file is still ~670 lines (about 450 of code): it is the hub that wires those
 * modules, and the send paths stay beside the `RefHost` methods so that the hot path
 * (`tell` → `#sendEnvelope` → the link's frame encoder) is one class V8 can inline.
 *
 * @example
 * ```ts
 * const loop = new Loop({ index: 1, workers: 2, askTimeout: 30_000, initTimeout: 30_000, throughput: 64, sliceMs: 2, maxMessageBytes: 16 << 20 });
 * loop.connect(0, parentEndpoint());
 * ```
 * @module
 */
import type { ActorCell } from "../actor/cell.ts";
import { Dispatcher } from "../actor/dispatcher.ts";
import { ActorRef, type AskOptions, type RefHost, type SendOptions } from "../actor/ref.ts";
import {
  ActorStoppedError,
  InvalidArgumentError,
  MailboxFullError,
  MessageEncodeError,
  MessageTooLargeError,
  MissiveError,
  type WireError,
} from "../errors.ts";
import { macrotask } from "../util/macrotask.ts";
import { Turns } from "../util/turns.ts";
import { IdTable } from "../util/id-table.ts";
import { type Clock, realClock } from "../util/clock.ts";
import type { Endpoint } from "../transport/endpoint.ts";
import { Link } from "../transport/link.ts";
import { Codec } from "../wire/codec.ts";
import { FRAME_HEADER_BYTES, frameHeaderField } from "../wire/frame-header.ts";
import { STRING_FRAME_BYTES, stringFrameCount } from "../wire/string-frames.ts";
import { address, COUNTED, type Envelope, Kind, localIdOf, LOOP_SPAN, loopOf, SystemMessage } from "../wire/envelope.ts";
import { findUnencodable } from "../wire/unencodable.ts";
import { handleCodecFor } from "../wire/handles.ts";
import { PendingAsks } from "./asks.ts";
import type { DeadLetter } from "./dead-letters.ts";
import { Delivery } from "./delivery.ts";
import { CreditReturns, Credits } from "./flow-control.ts";
import { Inbound } from "./inbound.ts";
import { Lifecycle } from "./lifecycle.ts";
import type { LoopOptions, LoopStats } from "./loop-options.ts";
import { consoleLogger, type LogEvent } from "./log.ts";
import type { ActorMetrics } from "./metrics.ts";
import { LoopOps, type OpName, type OpPayload, type OpReply } from "./ops.ts";
import { Peer } from "./peer.ts";
import { Processor } from "./processing.ts";
import { notClustered, type RemoteHost, RemoteSenders } from "./remote.ts";

/**
 * Payloads that can be delivered on the same loop without a copy: primitives (strings
 * short enough to be under any size limit). A ref of this loop is handed over as it is too (by `Codec.copyEnvelope`).
 * A bigint is copied (its ext keeps the codec's checks); functions and symbols fail there.
 */
const isImmutable = (v: unknown, maxBytes: number): boolean =>
  // `typeof v === "…"` tests, not a `switch (typeof v)`: V8 called its Typeof builtin for the switch.
  v === undefined || typeof v === "number" || typeof v === "boolean" || v === null ||
  (typeof v === "string" && v.length * 3 < maxBytes);

/**
 * What a loop runs on besides its options (which cross to workers as data): the real
 * clock and macrotasks, unless the testkit's deterministic mode simulates them.
 */
export interface LoopEnv {
  /** The clock (default: the real one). */
  clock?: Clock;
  /** Runs a function in a later macrotask (default: `setImmediate` or a `MessageChannel`). */
  macrotask?: (fn: () => void) => void;
  /** A frame this large leaves at once (default 64 KiB; 1: every envelope is its own frame). */
  flushBytes?: number;
  /** Imports an actor's defining module (default: `import(url)`). */
  importModule?: (url: string) => Promise<Record<string, unknown>>;
}

export class Loop implements RefHost {
  readonly index: number;
  /** "the main loop" or "worker N". */
  readonly name: string;
  readonly options: LoopOptions;
  readonly codec: Codec;
  readonly dispatcher: Dispatcher;
  readonly asks: PendingAsks;
  /** Where ask timeouts, the init timeout, restart backoff and `ctx.timers` are measured. */
  readonly clock: Clock;
  /** Imports an actor's defining module (`undefined`: `import(url)`). */
  readonly importModule: ((url: string) => Promise<Record<string, unknown>>) | undefined;
  readonly #env: LoopEnv;
  readonly lifecycle: Lifecycle;
  readonly delivery: Delivery;
  /** Credits this loop holds towards bounded actors (sending side). */
  readonly credits: Credits;
  /** Credit this loop owes to senders of counted messages (receiving side). */
  readonly #returns: CreditReturns;
  /** What this loop knows of every loop, by index (its own entry is unused but for its row of taken counts). */
  readonly peers: Peer[] = [];
  readonly cells = new IdTable<ActorCell>();
  readonly ops = new LoopOps();
  /** Mailbox-only endpoints (test probes): envelopes to these ids go to a callback. */
  readonly probes = new Map<number, (env: Envelope) => void>();
  /** Async work in progress that is not a queued message: async handlers, spawns, stops, restarts. */
  busy = 0;
  processed = 0;
  failures = 0;
  wireErrors = 0;
  /** Actors whose `onStop` did not run because the shutdown deadline had passed. */
  readonly hooksSkipped: string[] = [];
  /** Called before every user-initiated send (the main loop refuses sends during shutdown). */
  guard: (() => void) | null = null;
  /** Called whenever the loop may have become idle (used by shutdown's drain phase). */
  onMaybeIdle: (() => void) | null = null;
  /** Handler for control objects (non-frame messages) from a peer. */
  onControl: ((from: number, message: Record<string, unknown>) => void) | null = null;
  /** Where dead letters go (the main loop records them; workers forward them to it). */
  onDeadLetter: (d: DeadLetter) => void;
  /** Where log events go (the main loop: the system's logger; workers forward them to it). */
  log: (event: LogEvent) => void = consoleLogger();
  /** The way to actors of other nodes (`ref.node !== 0`): the cluster on the main loop, the main loop on a worker (see remote.ts). */
  remote: RemoteHost | null = null;
  /** Actors of other nodes that sent to this loop's actors, by their alias here (see remote.ts). */
  readonly remoteSenders: RemoteSenders;
  /** The sender of what is sent while no handler runs (see {@link sendingAs}). */
  #as: number;
  readonly #processor: Processor = new Processor(this);
  readonly #inbound: Inbound;
  /** The event loop's turns and tasks, shared by the dispatcher and every link (see turns.ts). */
  readonly #turns: Turns;
  /** "the asker on loop N" per loop, made once (see {@link #askerLabel}). */
  readonly #askerLabels: string[] = [];
  #nextLocalId = 1;

  constructor(options: LoopOptions, env: LoopEnv = {}) {
    this.index = options.index;
    this.#as = address(options.index, 0);
    this.remoteSenders = new RemoteSenders(this.ops);
    this.#env = env;
    this.clock = env.clock ?? realClock;
    this.importModule = env.importModule;
    this.#turns = new Turns();
    this.asks = new PendingAsks(this.clock);
    this.name = options.index === 0 ? "the main loop" : `worker ${options.index - 1}`;
    this.options = options;
    for (let i = 0; i <= options.workers; i++) this.peers.push(new Peer(i));
    this.codec = new Codec(
      {
        isRef: (v) => v instanceof ActorRef,
        toWire: (v) => {
          const ref = v as ActorRef;
          return [ref.node, ref.address, ref.flow, ref.label];
        },
        fromWire: (node, addr, flow, label) => new ActorRef(this, node, addr, label, flow),
        local: (v) => ActorRef.shareableOn(v, this),
      },
      { maxStrLength: options.maxMessageBytes, maxBinLength: options.maxMessageBytes },
    );
    this.credits = new Credits(options.workers + 1);
    this.#returns = new CreditReturns(
      (senderLoop, actorAddress, count) => this.#sendEnvelope(Kind.Credit, address(senderLoop, 0), actorAddress, count, null, null),
      (actorAddress) => {
        const cell = this.cells.get(localIdOf(actorAddress));
        return cell ? Math.max(1, Math.floor(this.credits.share(cell.capacity) / 2)) : 1;
      },
    );
    this.dispatcher = new Dispatcher(
      {
        processNext: (cell) => this.#processor.processNext(cell),
        pumpInbound: (max) => this.#inbound.pump(max),
        hasInbound: () => this.#inbound.pending,
        onSliceEnd: (inEvent) => {
          // A run inside a message event (a lone message, see receive): what the actors
          // sent leaves now, not after the bookkeeping that follows the run. Not for every
          // run: under load, flushing at each run's end cut pipelined asks by ~10%.
          if (inEvent) this.flushLinks();
          this.#returns.flush();
        },
        // No acks between loops (a frame header's ack is 0 here): what a dead worker never
        // took is read from its row of taken counts in shared memory (Peer.lost).
        onIdle: () => this.onMaybeIdle?.(),
      },
      options,
      env.macrotask ?? macrotask,
      this.#turns,
    );
    this.delivery = new Delivery({
      index: this.index,
      name: this.name,
      cells: this.cells,
      probes: this.probes,
      dispatcher: this.dispatcher,
      asks: this.asks,
      credits: this.credits,
      owe: (senderLoop, actorAddress) => this.#returns.owe(senderLoop, actorAddress),
      runOp: (env) => this.#processor.runOp(env),
      fail: (env, error) => this.fail(env, error),
      reportDeadLetter: (d) => this.onDeadLetter(d),
    });
    this.#inbound = new Inbound(this.codec, {
      delivery: this.delivery,
      wireError: (e, announced, decoded) => this.#wireError(e, announced, decoded),
    });
    this.onDeadLetter = (d) => {
      if (this.index === 0) return;
      this.tellOp(0, "deadLetter", [d.address, d.target, d.name, d.reason, d.count, d.arg]);
    };
    this.lifecycle = new Lifecycle(this);
  }

  // ---- peers ---------------------------------------------------------------------------

  /**
   * Whether a ring endpoint in the low-latency mode may hold the event loop now to watch its
   * ring (see ring-endpoint.ts): not while this loop has work queued for later (a
   * dispatcher run, a link's flush).
   */
  readonly canSpin = (): boolean => {
    if (this.dispatcher.active) return false;
    const peers = this.peers;
    for (let i = 0; i < peers.length; i++) if (peers[i]!.link?.flushPending === true) return false;
    return true;
  };

  /** Connects this loop to loop `peer` over `endpoint` (both directions). */
  connect(peer: number, endpoint: Endpoint): Link {
    const p = this.peers[peer]!;
    const env = this.#env;
    const link = new Link(peer, endpoint, this.codec.delegate, undefined, {
      macrotask: env.macrotask,
      flushBytes: env.flushBytes,
      turns: this.#turns,
    });
    p.link = link;
    endpoint.listen((data) => this.receive(peer, data));
    return link;
  }

  /** The link to loop `peer` (connected at start-up). */
  link(peer: number): Link {
    const link = this.peers[peer]?.link;
    if (link === undefined) throw new InvalidArgumentError(`${this.name} has no link to loop ${peer}.`);
    return link;
  }

  /** Shares loop `loop`'s row of taken counts (see `Peer.takenRow`); this loop's own row is where it counts. */
  setTakenRow(loop: number, row: SharedArrayBuffer): void {
    const view = (this.peers[loop]!.takenRow = new Float64Array(row));
    if (loop === this.index) this.delivery.setOwnTakenRow(view);
  }

  /**
   * Loop `peer` died and a new incarnation is reachable over `endpoint`. Tells it never took
   * were lost with it: they are reported as dead letters (counted). Counts start afresh.
   */
  replacePeer(peer: number, endpoint: Endpoint, label: string, takenRow?: SharedArrayBuffer): void {
    const p = this.peers[peer]!;
    this.#lostWith(p, label);
    p.link?.abandon();
    p.reset(takenRow);
    this.connect(peer, endpoint);
  }

  /**
   * Loop `peer` died and will not be replaced (the system is shutting down): count what it
   * never took as dead letters; later sends to it become dead letters too.
   */
  abandonPeer(peer: number, label: string): void {
    const p = this.peers[peer]!;
    this.#lostWith(p, label);
    p.userSent = 0;
    p.link?.abandon();
  }

  #lostWith(p: Peer, label: string): void {
    const lost = p.lost(this.index);
    if (lost > 0) {
      this.delivery.record({
        address: address(p.index, 0),
        target: label,
        name: null,
        arg: undefined,
        reason: "worker-exited",
        count: lost,
      });
    }
  }

  /** Loop `peer` is gone: fail the asks waiting on it and release the senders waiting for room there. */
  peerLost(peer: number, error: (what: string) => unknown): void {
    this.asks.rejectWhere((target) => target === peer, () => error("the asked actor"));
    this.credits.forgetWhere((addr) => loopOf(addr) === peer, () => error("the receiving actor"));
  }

  /** Envelopes sent to each loop (frame counts, for shutdown's quiescence check). */
  sentCounts(): number[] {
    return this.peers.map((p) => p.link?.sent ?? 0);
  }

  /** Envelopes received from each loop. */
  receivedCounts(): number[] {
    return this.peers.map((p) => p.received);
  }

  /** Sends every pending frame now. */
  flushLinks(): void {
    for (const peer of this.peers) peer.link?.flush();
  }

  /** Flushes and closes the links to every loop but `except`. */
  closeLinks(except = -1): void {
    for (const peer of this.peers) if (peer.index !== except) peer.link?.close();
  }

  // ---- receiving -------------------------------------------------------------------------

  /**
   * Handles anything that arrived from loop `from`: a control object goes to `onControl`
   * at once; a frame is queued and decoded by the dispatcher inside its time slice (a
   * small one first in line is decoded here).
   */
  receive(from: number, data: unknown): void {
    const peer = this.peers[from]!;
    if (typeof data === "string") {
      // A small frame (see string-frames.ts).
      const text = data;
      try {
        data = this.#inbound.bytesOf(text);
      } catch (e) {
        // Counted as its header announced (quiescence), and reported as lost.
        const announced = stringFrameCount(text);
        peer.received += announced;
        this.#wireError(e as WireError, announced, 0);
        return;
      }
    }
    if (!(data instanceof Uint8Array)) {
      if (typeof data !== "object" || data === null) return;
      this.onControl?.(from, data as Record<string, unknown>);
      return;
    }
    // Counted on arrival (quiescence compares these with the sender's counts).
    if (data.byteLength >= FRAME_HEADER_BYTES) {
      peer.received += frameHeaderField(data, 0);
    }
    const alone = this.#inbound.empty;
    this.#inbound.push(data);
    // A small frame with nothing queued before it is decoded at once: a reply settles its
    // ask in this event instead of after a dispatcher run. Bounded work: at most
    // STRING_FRAME_BYTES of envelopes.
    if (alone && data.byteLength <= STRING_FRAME_BYTES) {
      // A message event of its own: what it causes to be sent is a new task's first frame
      // (an ask after the answer to the last one leaves from a microtask, see link.ts).
      this.#turns.enterTask();
      this.#inbound.pump(Infinity);
      this.dispatcher.wake();
      this.dispatcher.runNow(); // and the actors it woke run in this event too
      return;
    }
    this.dispatcher.wake();
  }

  #wireError(e: WireError, announced: number, decoded: number): void {
    this.wireErrors++;
    const lost = Math.max(0, announced - decoded);
    if (lost > 0) {
      this.delivery.record({
        address: 0,
        target: "(unknown: lost in a malformed frame)",
        name: null,
        arg: undefined,
        reason: "malformed",
        count: lost,
      });
    }
    this.log({ level: "error", source: this.name, message: e.message });
  }

  /**
   * Decodes and delivers every received envelope now (shutdown's last phase: what is
   * still in received frames is accounted for like what is in a mailbox).
   */
  drainInbound(): void {
    this.#inbound.pump(Infinity);
  }

  // ---- RefHost: what refs call -------------------------------------------------------

  /** The way to `ref`'s node (throws when this system is in no cluster). */
  remoteFor(ref: ActorRef): RemoteHost {
    if (this.remote === null) throw notClustered(ref);
    return this.remote;
  }

  tell(ref: ActorRef, name: string, arg: unknown): void {
    this.guard?.();
    if (ref.node !== 0) return this.remoteFor(ref).tell(ref, name, arg, this.#senderAddress());
    if (ref.overflow === null) {
      this.#sendEnvelope(Kind.Tell, ref.address, this.#senderAddress(), 0, name, arg, ref.label, arg);
      return;
    }
    if (!this.credits.tryTake(ref.address, ref.capacity)) {
      throw new MailboxFullError(ref.label, ref.capacity, ref.overflow === "wait" ? undefined : "the actor's policy is reject");
    }
    try {
      this.#sendEnvelope(Kind.Tell | COUNTED, ref.address, this.#senderAddress(), 0, name, arg, ref.label, arg);
    } catch (e) {
      this.credits.give(ref.address, 1);
      throw e;
    }
  }

  send(ref: ActorRef, name: string, arg: unknown, options: SendOptions | undefined): Promise<void> {
    try {
      this.guard?.();
      if (ref.node !== 0) return this.remoteFor(ref).send(ref, name, arg, options, this.#senderAddress());
      if (ref.overflow !== "wait") {
        this.tell(ref, name, arg);
        return Promise.resolve();
      }
      // Encode now, so a bad message fails at the call and not after the wait.
      const from = this.#senderAddress();
      const bytes = this.#encode(Kind.Tell | COUNTED, ref.address, from, 0, name, arg, ref.label, arg).slice();
      if (this.credits.tryTake(ref.address, ref.capacity)) {
        this.#route(bytes, ref.address, ref.label, true);
        return Promise.resolve();
      }
      return this.credits.take(ref.address, ref.capacity, options?.signal).then(() => this.#route(bytes, ref.address, ref.label, true));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  ask(ref: ActorRef, name: string, arg: unknown, options: AskOptions | undefined): Promise<unknown> {
    try {
      this.guard?.();
    } catch (e) {
      return Promise.reject(e);
    }
    if (ref.node !== 0) {
      return this.remote === null ? Promise.reject(notClustered(ref)) : this.remote.ask(ref, name, arg, options, this.#senderAddress());
    }
    if (ref.overflow === null) return this.request(ref.address, name, arg, ref.label, options, arg);
    if (this.credits.tryTake(ref.address, ref.capacity)) return this.request(ref.address, name, arg, ref.label, options, arg, COUNTED);
    if (ref.overflow === "reject") return Promise.reject(new MailboxFullError(ref.label, ref.capacity, "the actor's policy is reject"));
    // `wait`: the ask waits for room (cancellable by its signal); its timeout runs once it is sent.
    return this.credits.take(ref.address, ref.capacity, options?.signal)
      .then(() => this.request(ref.address, name, arg, ref.label, options, arg, COUNTED));
  }

  flush(ref: ActorRef, options: AskOptions | undefined): Promise<void> {
    try {
      this.guard?.();
    } catch (e) {
      return Promise.reject(e);
    }
    if (ref.node !== 0) {
      return this.remote === null ? Promise.reject(notClustered(ref)) : this.remote.flush(ref, options, this.#senderAddress());
    }
    return this.request(ref.address, SystemMessage.Flush, undefined, ref.label, options, undefined) as Promise<void>;
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * Sends an ask to `to` and returns its settlement. `userValue` is what encode errors
   * are reported against (the message argument, or the spawn argument).
   */
  request(
    to: number,
    name: string,
    payload: unknown,
    label: string,
    options: AskOptions | undefined,
    userValue: unknown,
    flags = 0,
  ): Promise<unknown> {
    const timeout = options?.timeout ?? this.options.askTimeout;
    const { id, promise } = this.asks.open(label, name, timeout, options?.signal, loopOf(to));
    if (id === 0) {
      if (flags & COUNTED) this.credits.give(to, 1);
      return promise;
    }
    try {
      this.#sendEnvelope(Kind.Ask | flags, to, this.#senderAddress(), id, name, payload, label, userValue);
    } catch (e) {
      if (flags & COUNTED) this.credits.give(to, 1);
      this.asks.cancel(id, e);
    }
    return promise;
  }

  /** Asks loop `loop` to run request `op` (internal; never refused by the guard, no timeout). */
  requestOp<K extends OpName>(
    loop: number,
    op: K,
    payload: OpPayload<K>,
    userValue: unknown = payload,
    label = `loop ${loop}`,
  ): Promise<OpReply<K>> {
    return this.request(address(loop, 0), op, payload, label, { timeout: Infinity }, userValue) as Promise<OpReply<K>>;
  }

  /** Tells loop `loop` about `op` (internal, fire-and-forget). */
  tellOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>): void {
    this.#sendEnvelope(Kind.Tell, address(loop, 0), address(this.index, 0), 0, op, payload, `loop ${loop}`, payload);
  }

  /** Sends the framework message `name` (a `$…` name) to actor `to`, from `from`. */
  tellSystem(to: number, from: number, name: string, payload: unknown): void {
    this.#sendEnvelope(Kind.Tell, to, from, 0, name, payload, `actor ${to}`, payload);
  }

  /** Answers ask `env` with `value` (or with the encode error if `value` cannot be sent). */
  reply(env: Envelope, value: unknown): void {
    const asker = loopOf(env[2]);
    if (asker === this.index && this.#shareable(Kind.Reply, value)) {
      // An answer to an ask of this loop that can be shared as it is: settled here, no envelope.
      this.asks.settle(env[3], true, value);
      return;
    }
    try {
      this.#sendEnvelope(Kind.Reply, address(asker, 0), address(this.index, 0), env[3], null, value, this.#askerLabel(asker), value);
    } catch (e) {
      this.fail(env, e);
    }
  }

  /** "the asker on loop N", made once per loop (a reply's label, for its encode error). */
  #askerLabel(loop: number): string {
    return this.#askerLabels[loop] ??= `the asker on loop ${loop}`;
  }

  /** Fails ask `env` with `error`. */
  fail(env: Envelope, error: unknown): void {
    const to = address(loopOf(env[2]), 0);
    try {
      this.#sendEnvelope(Kind.Fail, to, address(this.index, 0), env[3], null, error, "asker", error);
    } catch {
      const e = error as Error;
      this.#sendEnvelope(
        Kind.Fail,
        to,
        address(this.index, 0),
        env[3],
        null,
        new MissiveError(`${e?.name ?? "Error"}: ${e?.message ?? String(error)}`),
        "asker",
        null,
      );
    }
  }

  #senderAddress(): number {
    return this.#processor.current?.address ?? this.#as;
  }

  /**
   * Runs `send` with `from` as the sender of what it sends outside a handler: the cluster's
   * gateway hands on a message of another node's actor under that actor's alias here.
   */
  sendingAs<T>(from: number, send: () => T): T {
    const before = this.#as;
    this.#as = from;
    try {
      return send();
    } finally {
      this.#as = before;
    }
  }

  /** The ref a handler's `ctx.sender` is for sender address `addr` (undefined when no actor sent). */
  senderRef(addr: number): ActorRef | undefined {
    if (localIdOf(addr) === 0) return undefined;
    const remote = loopOf(addr) === 0 ? this.remoteSenders.get(addr) : undefined;
    return remote === undefined ? this.refTo(addr, `actor ${addr}`) : this.nodeRef(remote[0], remote[1], remote[2]);
  }

  #encode(
    kind: number,
    to: number,
    from: number,
    id: number,
    name: string | null,
    payload: unknown,
    label: string,
    userValue: unknown,
  ): Uint8Array {
    try {
      return this.codec.encodeEnvelope(kind, to, from, id, name, payload, this.options.maxMessageBytes);
    } catch (e) {
      throw this.#encodeError(e, label, name ?? "(reply)", userValue);
    }
  }

  /**
   * The three ways one envelope leaves: to an actor on this loop, as it is (an immutable
   * payload) or as a copy (the receiver never shares an object with the sender); else
   * encoded straight into the pending frame of the link to its loop (the hot path).
   */
  #sendEnvelope(
    kind: number,
    to: number,
    from: number,
    id: number,
    name: string | null,
    payload: unknown,
    label = `actor ${to}`,
    userValue: unknown = payload,
  ): void {
    const dest = to % LOOP_SPAN;
    if (dest === this.index) {
      this.delivery.deliver(this.#localEnvelope(kind, to, from, id, name, payload, label, name ?? "(reply)", userValue));
      return;
    }
    const peer = this.peers[dest];
    const link = peer?.link;
    if (link === undefined || link.closed) {
      // The errors of #route (no such loop, or its worker is gone).
      this.#route(this.#encode(kind, to, from, id, name, payload, label, userValue), to, label, false);
      return;
    }
    try {
      link.writeEnvelope(kind, to, from, id, name, payload, this.options.maxMessageBytes);
    } catch (e) {
      throw this.#encodeError(e, label, name ?? "(reply)", userValue);
    }
    if ((kind & 7) === Kind.Tell && to >= LOOP_SPAN) peer!.userSent++;
  }

  /**
   * Sends an envelope encoded beforehand (`send` encodes before it waits for credit):
   * decoded here for a local actor (a copy), else appended to the link. `user` marks a
   * tell to an actor (counted, for what a worker that dies never took).
   */
  #route(bytes: Uint8Array, to: number, label: string, user: boolean): void {
    const dest = to % LOOP_SPAN;
    if (dest === this.index) {
      // A copy: `bytes` is the encoder's own buffer, which the next send overwrites.
      this.delivery.deliver(this.codec.decode(bytes.slice()) as Envelope);
      return;
    }
    const peer = this.peers[dest];
    if (peer?.link === undefined) {
      throw new InvalidArgumentError(`${label} lives on loop ${dest}, which this system does not have (workers: ${this.options.workers}).`);
    }
    if (peer.link.closed) {
      // Its worker died during shutdown: the message cannot go anywhere.
      const env = this.codec.decode(bytes) as Envelope;
      if ((env[0] & 7) === Kind.Tell || (env[0] & 7) === Kind.Ask) {
        this.delivery.deadLetter(env, label, "worker-exited", new ActorStoppedError(label, "its worker exited"));
      }
      return;
    }
    if (user) peer.userSent++;
    peer.link.append(bytes);
  }

  /** The typed error for what the encoder threw (findUnencodable never throws, whatever the value does). */
  #encodeError(e: unknown, label: string, messageName: string, userValue: unknown): MissiveError {
    if (e instanceof MissiveError) return e;
    const found = findUnencodable(userValue, "arg", (o) => o instanceof ActorRef || handleCodecFor(o) !== undefined, e);
    if (found.tooLarge) {
      return new MessageTooLargeError(label, messageName, found.tooLarge.bytes, found.tooLarge.limit, found.tooLarge.atLeast);
    }
    return new MessageEncodeError(label, messageName, found.path, found.reason, found.cause);
  }

  // ---- actors on this loop ---------------------------------------------------------------

  /**
   * This worker's row of taken counts in shared memory (see `Peer.takenRow`), whose last two slots are its highest actor
   * number and its live actor count: what the main loop needs after a crash, for the actors it keeps no record of (see
   * `spawn.ts`). `undefined` on the main loop.
   */
  get #ownRow(): Float64Array | undefined {
    return this.peers[this.index]?.takenRow;
  }

  /** A fresh actor number on this loop. */
  allocateLocalId(): number {
    const id = this.#nextLocalId++;
    const own = this.#ownRow;
    if (own !== undefined) own[own.length - 2] = id; // the high-water mark a replacement must start above
    return id;
  }

  /** Makes sure fresh actor numbers start above `localId` (for actors re-created with their old address). */
  reserveLocalIds(upTo: number): void {
    this.#nextLocalId = Math.max(this.#nextLocalId, upTo + 1);
    const own = this.#ownRow;
    if (own !== undefined) own[own.length - 2] = Math.max(own[own.length - 2]!, upTo);
  }

  /** An actor of this loop started (the live count in this loop's shared row). */
  actorStarted(): void {
    const own = this.#ownRow;
    if (own !== undefined) own[own.length - 1]!++;
  }

  /** An actor of this loop is gone. */
  actorGone(): void {
    const own = this.#ownRow;
    if (own !== undefined) own[own.length - 1]!--;
  }

  /** `value` as the receiver's own copy: as it is when immutable or a ref of this loop, else decoded from its encoding. */
  copyValue(value: unknown, label: string, what: string): unknown {
    return this.#localEnvelope(Kind.Tell, 0, 0, 0, null, value, label, what, value)[5];
  }

  /**
   * True if `payload` may reach another actor of this loop as it is, without a copy. (So may a ref of this loop, but
   * `Codec.copyEnvelope` decides that: asked here, the question would cost every plain object a failed brand check.)
   */
  #shareable(kind: number, payload: unknown): boolean {
    return isImmutable(payload, this.options.maxMessageBytes) ||
      // Missive's typed errors (an ask to a stopped actor, a timeout…) are values made for this one answer: handed over as they
      // are, without encoding their stack and capturing another (that copy cost ~150 µs under source maps).
      (kind === Kind.Fail && payload instanceof MissiveError);
  }

  /**
   * An envelope for an actor of this loop: the payload as it is when it may be shared (immutable, a ref of this loop, or
   * one of Missive's typed errors answering an ask), else the receiver's own copy; a typed error naming `label` and `what`
   * when it cannot be sent.
   */
  #localEnvelope(
    kind: number,
    to: number,
    from: number,
    id: number,
    name: string | null,
    payload: unknown,
    label: string,
    what: string,
    userValue: unknown,
  ): Envelope {
    if (this.#shareable(kind, payload)) return [kind, to, from, id, name, payload];
    try {
      return this.codec.copyEnvelope(kind, to, from, id, name, payload, this.options.maxMessageBytes);
    } catch (e) {
      throw this.#encodeError(e, label, what, userValue);
    }
  }

  /** A ref to `addr` that sends from this loop. */
  refTo(addr: number, label: string, flow = 0): ActorRef {
    return new ActorRef(this, 0, addr, label, flow);
  }

  /** A ref to actor `addr` of node `node` (another node of the cluster) that sends from this loop. */
  nodeRef(node: number, addr: number, label: string, flow = 0): ActorRef {
    return new ActorRef(this, node, addr, label, flow);
  }

  /** The actor whose handler is running right now (its synchronous part), if any. */
  get current(): ActorCell | null {
    return this.#processor.current;
  }

  /** Async work begins that is not a queued message (an async handler, a spawn, a stop): the loop is not idle until {@link endWork}. */
  beginWork(): void {
    this.busy++;
  }

  /** Async work ended; the loop may be idle now. */
  endWork(): void {
    this.busy--;
    if (!this.dispatcher.active) this.onMaybeIdle?.();
  }

  // ---- reporting ---------------------------------------------------------------------------

  /** Dead letters counted on this loop. */
  get deadLetters(): number {
    return this.delivery.deadLetters;
  }

  /** This loop's counters. */
  stats(): LoopStats {
    return {
      processed: this.processed,
      deadLetters: this.delivery.deadLetters,
      lateReplies: this.asks.lateReplies,
      failures: this.failures,
      wireErrors: this.wireErrors,
      undelivered: Object.fromEntries(this.delivery.undelivered),
      hooksSkipped: [...this.hooksSkipped],
      sentTo: this.peers.map((p) => p.userSent),
    };
  }

  /** Per-actor counters. */
  actorMetrics(): ActorMetrics[] {
    return [...this.cells.values()].map((c) => ({
      label: c.label,
      address: c.address,
      mailboxDepth: c.mailbox.length,
      maxMailboxDepth: c.maxDepth,
      capacity: c.capacity,
      processed: c.processed,
      restarts: c.restartCount,
    }));
  }

  /** True when nothing is queued, running, or half-way (used by the drain phase). */
  get idle(): boolean {
    return !this.dispatcher.active && this.busy === 0;
  }
}

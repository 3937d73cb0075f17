/**
 * One event loop's share of the actor system: the main thread and every worker each run
 * one `Loop`. It routes envelopes (local delivery, or a {@link Link} per other loop),
 * applies mailbox bounds and credits, runs handlers through the dispatcher, keeps the
 * asks it waits on, and counts and reports dead letters. Spawning, stopping, restarts and
 * death watch live in {@link Lifecycle}.
 *
 * Loop-level requests (spawn, stop, watch, …) are envelopes addressed to actor number 0
 * of the loop, so they travel the same wire, in the same order, as actor messages.
 *
 * @example
 * ```ts
 * const loop = new Loop({ index: 1, workers: 2, askTimeout: 30_000, initTimeout: 30_000, throughput: 64, sliceMs: 2, maxMessageBytes: 16 << 20 });
 * loop.connect(0, parentEndpoint);
 * ```
 * @module
 */
import type { ActorCell } from "../actor/cell.ts";
import type { ActorContext } from "../actor/context.ts";
import { Dispatcher } from "../actor/dispatcher.ts";
import { ActorRef, type AskOptions, type RefHost, type SendOptions } from "../actor/ref.ts";
import {
  ActorStoppedError,
  InvalidArgumentError,
  MailboxFullError,
  MessageEncodeError,
  MessageTooLargeError,
  MissiveError,
  UnknownMessageError,
  type WireError,
} from "../errors.ts";
import { macrotask } from "../runtime/adapters.ts";
import type { Endpoint } from "../transport/endpoint.ts";
import { Link } from "../transport/link.ts";
import { Deque } from "../util/deque.ts";
import { Codec, type FrameCursor } from "../wire/codec.ts";
import { FRAME_HEADER_BYTES, frameHeaderField } from "../wire/frame-header.ts";
import { STRING_FRAME_BYTES, StringFrameReader, stringFrameCount } from "../wire/string-frames.ts";
import { address, CONSUMED, COUNTED, type Envelope, Kind, localIdOf, LOOP_SPAN, loopOf, SystemMessage, TAKEN } from "../wire/envelope.ts";
import { findUnencodable } from "../wire/unencodable.ts";
import { handleCodecFor } from "../wire/handles.ts";
import { PendingAsks } from "./asks.ts";
import type { DeadLetter, DeadLetterReason } from "./dead-letters.ts";
import { CreditReturns, Credits } from "./flow-control.ts";
import { Lifecycle } from "./lifecycle.ts";
import type { ActorMetrics } from "./metrics.ts";
import { consoleLogger, type LogEvent } from "./log.ts";

/** Tuning shared by every loop of a system. */
export interface LoopOptions {
  /** Index of this loop: 0 = main, 1..n = workers. */
  index: number;
  /** Number of worker loops in the system. */
  workers: number;
  /** Default ask timeout in ms (`Infinity` for none). */
  askTimeout: number;
  /** Milliseconds `init` + `onStart` may take before the spawn fails (`Infinity` for none). */
  initTimeout: number;
  /** Messages per actor per dispatcher turn. */
  throughput: number;
  /** Milliseconds of dispatching before yielding to the event loop. */
  sliceMs: number;
  /** Largest encoded message accepted, in bytes. */
  maxMessageBytes: number;
}

/** Handler of a loop-level request (an envelope addressed to actor 0 of this loop). */
export type LoopOp = (payload: unknown, env: Envelope) => unknown;

/** Counters a loop reports (shutdown's quiescence check and the final report). */
export interface LoopStats {
  processed: number;
  deadLetters: number;
  lateReplies: number;
  failures: number;
  wireErrors: number;
  undelivered: Record<string, number>;
  hooksSkipped: string[];
  /** Tells sent to each peer loop's actors (what an unreported peer did not take was lost). */
  sentTo: number[];
}

/** True for a promise-like; false for anything whose `then` cannot be read (a revoked Proxy): that is sent as a value, and refused there. */
const isThenable = (v: unknown): v is PromiseLike<unknown> => {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return false;
  try {
    return typeof (v as PromiseLike<unknown>).then === "function";
  } catch {
    return false;
  }
};

/**
 * Payloads that can be delivered on the same loop without a copy: primitives (strings
 * short enough to be under any size limit).
 */
const isImmutable = (v: unknown, maxBytes: number): boolean => {
  switch (typeof v) {
    case "number":
    case "boolean":
    case "undefined":
      return true;
    case "string":
      return v.length * 3 < maxBytes;
    case "object":
      return v === null;
    default:
      return false; // bigint keeps the codec's ext (and its checks); functions and symbols fail there
  }
};

/** Names starting with `$` are the framework's own messages: never refused by a full mailbox. */
const isSystemName = (name: string | null): boolean => name !== null && name.charCodeAt(0) === 36; // "$"

export class Loop implements RefHost {
  readonly index: number;
  readonly options: LoopOptions;
  readonly codec: Codec;
  readonly dispatcher: Dispatcher;
  readonly asks = new PendingAsks();
  readonly lifecycle: Lifecycle;
  /** Credits this loop holds towards bounded actors (sending side). */
  readonly credits: Credits;
  /** Credit this loop owes to senders of counted messages (receiving side). */
  readonly #returns: CreditReturns;
  /** Outgoing links by peer loop index. */
  readonly links: (Link | undefined)[] = [];
  /** Envelopes received by peer loop index (frame headers' counts). */
  readonly received: number[] = [];
  /** Tells sent to each peer loop's actors. */
  readonly userSent: number[] = [];
  /** Tells from each peer loop taken out of this loop's mailboxes (acked to that peer). */
  readonly consumed: number[] = [];
  /** What each peer last acked of our tells (the rest is in flight or queued there). */
  readonly peerConsumed: number[] = [];
  /**
   * Per loop, a row in shared memory: `row[p]` counts the tells from loop `p` that the loop
   * has taken out of its mailboxes (handler started, or dead letter). A loop writes only its
   * own row; after a worker dies, its row still says exactly what it took, so the senders
   * count as lost only what it never took (acks are sent lazily and can lag).
   */
  readonly #takenRows: (Float64Array | undefined)[] = [];
  readonly cells = new Map<number, ActorCell>();
  readonly ops = new Map<string, LoopOp>();
  /** Mailbox-only endpoints (test probes): envelopes to these ids go to a callback. */
  readonly probes = new Map<number, (env: Envelope) => void>();
  /** Async work in progress that is not a queued message: async handlers, spawns, stops, restarts. */
  busy = 0;
  processed = 0;
  deadLetters = 0;
  failures = 0;
  wireErrors = 0;
  readonly undelivered = new Map<string, number>();
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
  /**
   * While a replacement worker re-creates the actors of the one that died, envelopes for
   * actor numbers up to `parkBelow` wait here instead of becoming dead letters.
   */
  #parked: Map<number, Envelope[]> | null = null;
  #parkBelow = 0;
  #current: ActorCell | null = null;
  readonly #inbound = new Deque<Uint8Array>();
  #cursor: FrameCursor | null = null;
  /** The actor the last envelope was delivered to (see {@link deliver}). */
  #lastCell: ActorCell | undefined = undefined;
  readonly #stringFrames = new StringFrameReader();
  #nextLocalId = 1;

  constructor(options: LoopOptions) {
    this.index = options.index;
    this.options = options;
    this.codec = new Codec(
      {
        isRef: (v) => v instanceof ActorRef,
        toWire: (v) => {
          const ref = v as ActorRef;
          return [ref.node, ref.address, ref.flow, ref.label];
        },
        fromWire: (node, addr, flow, label) => new ActorRef(this, node, addr, label, flow),
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
        processNext: (cell) => this.#processNext(cell),
        pumpInbound: (max) => this.#pumpInbound(max),
        hasInbound: () => this.#cursor !== null || this.#inbound.length > 0,
        onSliceEnd: (inEvent) => {
          // A run inside a message event (a lone message, see receive): what the actors
          // sent leaves now, not after the bookkeeping that follows the run. Not for every
          // run: under load, flushing at each run's end cut pipelined asks by ~10%.
          if (inEvent) this.flushLinks();
          this.#returns.flush();
        },
        onIdle: () => {
          this.#sendIdleAcks();
          this.onMaybeIdle?.();
        },
      },
      options,
      macrotask,
    );
    for (let i = 0; i <= options.workers; i++) this.received[i] = this.userSent[i] = this.consumed[i] = this.peerConsumed[i] = 0;
    this.onDeadLetter = (d) => {
      if (this.index === 0) return;
      this.tellOp(0, "deadLetter", [d.address, d.target, d.name, d.reason, d.count, d.arg]);
    };
    this.lifecycle = new Lifecycle(this);
  }

  // ---- links -------------------------------------------------------------------------

  /** Connects this loop to loop `peer` over `endpoint` (both directions). */
  connect(peer: number, endpoint: Endpoint): Link {
    const link = new Link(peer, endpoint, (v) => this.codec.encode(v), () => this.consumed[peer]!);
    this.links[peer] = link;
    endpoint.listen((data) => this.receive(peer, data));
    return link;
  }

  /**
   * Loop `peer` died and a new incarnation is reachable over `endpoint`. User messages it
   * had not acknowledged were lost with it: they are reported as dead letters (counted).
   * Counters start afresh for the new incarnation.
   */
  replacePeer(peer: number, endpoint: Endpoint, label: string, takenRow?: SharedArrayBuffer): void {
    const lost = this.lostTo(peer);
    if (lost > 0) this.#recordDeadLetter({ address: address(peer, 0), target: label, name: null, arg: undefined, reason: "worker-exited", count: lost });
    this.links[peer]?.abandon();
    this.received[peer] = this.userSent[peer] = this.consumed[peer] = this.peerConsumed[peer] = 0;
    this.#takenRows[peer] = takenRow === undefined ? undefined : new Float64Array(takenRow);
    this.connect(peer, endpoint);
  }

  /** Shares loop `loop`'s row of taken counts (see {@link lostTo}); this loop's own row is where it counts. */
  setTakenRow(loop: number, row: SharedArrayBuffer): void {
    this.#takenRows[loop] = new Float64Array(row);
  }

  /**
   * Tells this loop sent to loop `peer`'s actors that `peer` never took out of a mailbox:
   * exact once `peer` is gone (its shared row of taken counts), else what it has not acked.
   */
  lostTo(peer: number): number {
    const row = this.#takenRows[peer];
    return Math.max(0, this.userSent[peer]! - (row === undefined ? this.peerConsumed[peer]! : row[this.index]!));
  }

  /**
   * Loop `peer` died and will not be replaced (the system is shutting down): count what
   * it had not acknowledged as dead letters; later sends to it become dead letters too.
   */
  abandonPeer(peer: number, label: string): void {
    const lost = this.lostTo(peer);
    if (lost > 0) this.#recordDeadLetter({ address: address(peer, 0), target: label, name: null, arg: undefined, reason: "worker-exited", count: lost });
    this.userSent[peer] = this.peerConsumed[peer] = 0;
    this.links[peer]?.abandon();
  }

  /** Tells each peer that is behind how many of its messages this loop has consumed (when idle). */
  #sendIdleAcks(): void {
    for (const link of this.links) link?.ackIfStale();
  }

  /**
   * Handles anything that arrived from loop `from`: a control object goes to `onControl`
   * at once; a frame is queued and decoded by the dispatcher inside its time slice (a
   * small one first in line is decoded here).
   */
  receive(from: number, data: unknown): void {
    if (typeof data === "string") {
      // A small frame (see string-frames.ts).
      const text = data;
      try {
        data = this.#stringFrames.read(text);
      } catch (e) {
        // Counted as its header announced (quiescence), and reported as lost.
        const announced = stringFrameCount(text);
        this.received[from] = (this.received[from] ?? 0) + announced;
        this.#wireError(e as WireError, announced, 0);
        return;
      }
    }
    if (!(data instanceof Uint8Array)) {
      if (typeof data !== "object" || data === null) return;
      const control = data as Record<string, unknown>;
      if (control.type === "ack") this.peerConsumed[from] = control.n as number;
      else this.onControl?.(from, control);
      return;
    }
    // Counted on arrival (quiescence compares these with the sender's counts).
    let announced = 0;
    if (data.byteLength >= FRAME_HEADER_BYTES) {
      announced = frameHeaderField(data, 0);
      this.peerConsumed[from] = frameHeaderField(data, 4);
    }
    this.received[from] = (this.received[from] ?? 0) + announced;
    this.#inbound.push(data);
    // A small frame with nothing queued before it is decoded at once: a reply settles its
    // ask in this event instead of after a dispatcher run (a lone ask's round trip was
    // ~2 µs shorter per side). Bounded work: at most STRING_FRAME_BYTES of envelopes.
    if (data.byteLength <= STRING_FRAME_BYTES && this.#inbound.length === 1 && this.#cursor === null) {
      this.#pumpInbound(Infinity);
      this.dispatcher.wake();
      this.dispatcher.runNow(); // and the actors it woke run in this event too
      return;
    }
    this.dispatcher.wake();
  }

  #pumpInbound(max: number): number {
    let n = 0;
    while (n < max) {
      let cursor = this.#cursor;
      if (cursor === null) {
        const frame = this.#inbound.shift();
        if (frame === undefined) break;
        try {
          cursor = this.#cursor = this.codec.openFrame(frame);
        } catch (e) {
          this.#wireError(e as WireError, 0, 0);
          continue;
        }
      }
      let env: Envelope | null;
      try {
        env = cursor.next();
      } catch (e) {
        this.#cursor = null;
        this.#wireError(e as WireError, cursor.announced, cursor.decoded);
        continue;
      }
      if (env === null) {
        this.#cursor = null;
        continue;
      }
      this.deliver(env);
      n++;
    }
    return n;
  }

  #wireError(e: WireError, announced: number, decoded: number): void {
    this.wireErrors++;
    const lost = Math.max(0, announced - decoded);
    if (lost > 0) this.#recordDeadLetter({ address: 0, target: "(unknown: lost in a malformed frame)", name: null, arg: undefined, reason: "malformed", count: lost });
    this.log({ level: "error", source: this.#loopName(), message: e.message });
  }

  /**
   * Decodes and delivers every received envelope now (shutdown's last phase: what is
   * still in received frames is accounted for like what is in a mailbox).
   */
  drainInbound(): void {
    this.#pumpInbound(Infinity);
  }

  /** Sends every pending frame now. */
  flushLinks(): void {
    for (const link of this.links) link?.flush();
  }

  // ---- RefHost: what refs call -------------------------------------------------------

  tell(ref: ActorRef, name: string, arg: unknown): void {
    this.guard?.();
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
    return this.request(ref.address, SystemMessage.Flush, undefined, ref.label, options, undefined) as Promise<void>;
  }

  /**
   * Sends an ask to `to` and returns its settlement. `userValue` is what encode errors
   * are reported against (the message argument, or the spawn argument).
   */
  request(to: number, name: string, payload: unknown, label: string, options: AskOptions | undefined, userValue: unknown, flags = 0): Promise<unknown> {
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
  requestOp(loop: number, op: string, payload: unknown, userValue: unknown = payload, label = `loop ${loop}`): Promise<unknown> {
    return this.request(address(loop, 0), op, payload, label, { timeout: Infinity }, userValue);
  }

  /** Tells loop `loop` about `op` (internal, fire-and-forget). */
  tellOp(loop: number, op: string, payload: unknown): void {
    this.#sendEnvelope(Kind.Tell, address(loop, 0), address(this.index, 0), 0, op, payload, `loop ${loop}`, payload);
  }

  /** Sends the framework message `name` (a `$…` name) to actor `to`, from `from`. */
  tellSystem(to: number, from: number, name: string, payload: unknown): void {
    this.#sendEnvelope(Kind.Tell, to, from, 0, name, payload, `actor ${to}`, payload);
  }

  /** Parks envelopes for actors numbered up to `upTo` until {@link endParking} (a recovering worker). */
  startParking(upTo: number): void {
    this.#parked = new Map();
    this.#parkBelow = upTo;
  }

  /** Actor `localId` exists again: its parked envelopes go to its mailbox, in arrival order. */
  unpark(localId: number): void {
    const waiting = this.#parked?.get(localId);
    if (waiting === undefined) return;
    this.#parked!.delete(localId);
    for (const env of waiting) this.deliver(env);
  }

  /** Recovery is over: what is still parked was for actors that are gone (dead letters). */
  endParking(): void {
    const parked = this.#parked;
    this.#parked = null;
    if (parked === null) return;
    for (const envelopes of parked.values()) for (const env of envelopes) this.deliver(env);
  }

  /** A fresh actor number on this loop. */
  allocateLocalId(): number {
    return this.#nextLocalId++;
  }

  /** Makes sure fresh actor numbers start above `localId` (for actors re-created with their old address). */
  reserveLocalIds(upTo: number): void {
    this.#nextLocalId = Math.max(this.#nextLocalId, upTo + 1);
  }

  /** A ref to `addr` that sends from this loop. */
  refTo(addr: number, label: string, flow = 0): ActorRef {
    return new ActorRef(this, 0, addr, label, flow);
  }

  /** The actor whose handler is running right now (its synchronous part), if any. */
  get current(): ActorCell | null {
    return this.#current;
  }

  #senderAddress(): number {
    return this.#current?.address ?? address(this.index, 0);
  }

  #encode(kind: number, to: number, from: number, id: number, name: string | null, payload: unknown, label: string, userValue: unknown): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = this.codec.encodeEnvelope(kind, to, from, id, name, payload, this.options.maxMessageBytes);
    } catch (e) {
      throw this.#encodeError(e, label, name ?? "(reply)", userValue);
    }
    if (bytes.byteLength > this.options.maxMessageBytes) {
      throw new MessageTooLargeError(label, name ?? "(reply)", bytes.byteLength, this.options.maxMessageBytes);
    }
    return bytes;
  }

  #sendEnvelope(kind: number, to: number, from: number, id: number, name: string | null, payload: unknown, label = `actor ${to}`, userValue: unknown = payload): void {
    const dest = to % LOOP_SPAN;
    if (dest === this.index && isImmutable(payload, this.options.maxMessageBytes)) {
      // Same loop and an immutable payload: nothing to copy, so the codec is skipped
      // (DESIGN §4: local sends keep the ordering and isolation rules, not the codec).
      this.deliver([kind, to, from, id, name, payload]);
      return;
    }
    if (dest === this.index) {
      // Same loop, a payload that could be shared: the receiver gets a copy.
      let copy: Envelope | number;
      try {
        copy = this.codec.copyEnvelope(kind, to, from, id, name, payload, this.options.maxMessageBytes);
      } catch (e) {
        throw this.#encodeError(e, label, name ?? "(reply)", userValue);
      }
      if (typeof copy === "number") throw new MessageTooLargeError(label, name ?? "(reply)", -copy, this.options.maxMessageBytes);
      this.deliver(copy);
      return;
    }
    const link = this.links[dest];
    if (link === undefined || link.closed) {
      // The errors of #route (no such loop, or its worker is gone).
      this.#route(this.#encode(kind, to, from, id, name, payload, label, userValue), to, label, false);
      return;
    }
    // The hot path: encoded straight into the link's pending frame.
    let size: number;
    try {
      size = link.writeEnvelope(kind, to, from, id, name, payload, this.options.maxMessageBytes);
    } catch (e) {
      throw this.#encodeError(e, label, name ?? "(reply)", userValue);
    }
    if (size < 0) throw new MessageTooLargeError(label, name ?? "(reply)", -size, this.options.maxMessageBytes);
    if ((kind & 7) === Kind.Tell && to >= LOOP_SPAN) this.userSent[dest]!++;
  }

  /**
   * Delivers encoded envelope `bytes` to `to`: decoded here for a local actor (a copy),
   * else appended to the link. `user` marks a tell to an actor (counted for the
   * acknowledgements that account for messages lost with a dead worker).
   */
  #route(bytes: Uint8Array, to: number, label: string, user: boolean): void {
    const dest = to % LOOP_SPAN;
    if (dest === this.index) {
      // A copy: the decoder returns byte arrays as views into its input, and `bytes` is
      // the encoder's own buffer, which the next send overwrites.
      this.deliver(this.codec.decode(bytes.slice()) as Envelope);
      return;
    }
    const link = this.links[dest];
    if (link === undefined) {
      throw new InvalidArgumentError(`${label} lives on loop ${dest}, which this system does not have (workers: ${this.options.workers}).`);
    }
    if (link.closed) {
      // Its worker died during shutdown: the message cannot go anywhere.
      const env = this.codec.decode(bytes) as Envelope;
      if ((env[0] & 7) === Kind.Tell || (env[0] & 7) === Kind.Ask) this.deadLetter(env, label, "worker-exited", new ActorStoppedError(label, "its worker exited"));
      return;
    }
    if (user) this.userSent[dest]!++;
    link.append(bytes);
  }

  /** The typed error for what the encoder threw (findUnencodable never throws, whatever the value does). */
  #encodeError(e: unknown, label: string, messageName: string, userValue: unknown): MissiveError {
    if (e instanceof MissiveError) return e;
    const found = findUnencodable(userValue, "arg", (o) => o instanceof ActorRef || handleCodecFor(o) !== undefined, e);
    if (found.tooLarge) return new MessageTooLargeError(label, messageName, found.tooLarge.bytes, found.tooLarge.limit, found.tooLarge.atLeast);
    return new MessageEncodeError(label, messageName, found.path, found.reason, found.cause);
  }

  // ---- delivery ------------------------------------------------------------------------

  /** Puts one envelope where it belongs: a mailbox, a loop op, a waiting ask, or the credits. */
  deliver(env: Envelope): void {
    const kind = env[0] & 7;
    if (kind === Kind.Reply || kind === Kind.Fail) {
      this.asks.settle(env[3], kind === Kind.Reply, env[5]);
      return;
    }
    if (kind === Kind.Credit) {
      this.credits.give(env[2], env[3]);
      return;
    }
    // The actor of the last delivery is kept at hand: mail comes in runs to one actor, and
    // a removed cell is always "stopped" first, so a stale entry is never used.
    let cell = this.#lastCell;
    if (cell === undefined || cell.address !== env[1] || cell.status === "stopped") {
      const localId = localIdOf(env[1]);
      if (localId === 0) {
        this.#runOp(env);
        return;
      }
      cell = this.#lastCell = this.cells.get(localId);
      if (cell === undefined) {
        this.#deliverNowhere(env, localId);
        return;
      }
    }
    if (cell.status === "stopping" || cell.status === "stopped") {
      this.deadLetter(env, cell.label, "stopped");
      return;
    }
    if (cell.capacity > 0 && cell.mailbox.length >= cell.capacity && !isSystemName(env[4])) {
      switch (cell.overflow) {
        case "drop-newest":
        case "reject":
          this.deadLetter(env, cell.label, "mailbox-full", new MailboxFullError(cell.label, cell.capacity));
          return;
        case "drop-oldest": {
          const oldest = cell.mailbox.peek()!;
          if (isSystemName(oldest[4])) {
            this.deadLetter(env, cell.label, "mailbox-full", new MailboxFullError(cell.label, cell.capacity));
            return;
          }
          cell.mailbox.shift();
          this.deadLetter(oldest, cell.label, "dropped-oldest", new MailboxFullError(cell.label, cell.capacity, "a newer message took its place (drop-oldest)"));
          break;
        }
        case "wait":
          break; // bounded by the senders' credits (at most max(capacity, loops))
      }
    }
    cell.mailbox.push(env);
    if (cell.mailbox.length > cell.maxDepth) cell.maxDepth = cell.mailbox.length;
    this.dispatcher.enqueue(cell);
  }

  /** `env` is for an actor this loop does not have: parked (recovery), a probe's, or a dead letter. */
  #deliverNowhere(env: Envelope, localId: number): void {
    if (this.#parked !== null && localId <= this.#parkBelow) {
      const waiting = this.#parked.get(localId);
      if (waiting === undefined) this.#parked.set(localId, [env]);
      else waiting.push(env);
      return;
    }
    const probe = this.probes.get(localId);
    if (probe !== undefined) {
      this.#consume(env);
      probe(env);
    } else this.deadLetter(env, `actor ${localId} on ${this.#loopName()}`, "stopped");
  }

  #loopName(): string {
    return this.index === 0 ? "the main loop" : `worker ${this.index - 1}`;
  }

  /**
   * Counts a tell from another loop as taken out of the mailboxes (once). Only tells are
   * counted: a lost ask is never silent, its caller's promise rejects.
   */
  #consume(env: Envelope): void {
    if ((env[0] & CONSUMED) !== 0) return;
    this.#take(env);
    env[0] |= CONSUMED;
    if ((env[0] & 7) === Kind.Tell && env[1] >= LOOP_SPAN) {
      const from = loopOf(env[2]);
      if (from !== this.index) this.consumed[from]!++;
    }
  }

  /** Counts a tell from another loop as taken, once, in this loop's shared row (see {@link lostTo}). */
  #take(env: Envelope): void {
    if ((env[0] & TAKEN) !== 0) return;
    env[0] |= TAKEN;
    if ((env[0] & 7) === Kind.Tell && env[1] >= LOOP_SPAN) {
      const from = loopOf(env[2]);
      const row = this.#takenRows[this.index];
      if (from !== this.index && row !== undefined) row[from]!++;
    }
  }

  /** Returns the credit a counted envelope took, once, whatever became of it. */
  #creditBack(env: Envelope): void {
    if ((env[0] & COUNTED) === 0) return;
    env[0] &= ~COUNTED;
    const senderLoop = loopOf(env[2]);
    if (senderLoop === this.index) this.credits.give(env[1], 1);
    else this.#returns.owe(senderLoop, env[1]);
  }

  /**
   * `env` cannot be delivered: count it, return its credit, fail it if it is an ask, and
   * report it (main loop: `system.deadLetters`).
   */
  deadLetter(env: Envelope, label: string, reason: DeadLetterReason, error?: unknown): void {
    this.#consume(env);
    this.#creditBack(env);
    const kind = env[0] & 7;
    // Reported before the ask fails, so that whoever sees the failure can already count it.
    if (kind === Kind.Tell || kind === Kind.Ask) {
      this.#recordDeadLetter({ address: env[1], target: label, name: env[4], arg: env[5], reason, count: 1 });
    }
    if (kind === Kind.Ask) {
      this.fail(env, error ?? new ActorStoppedError(label, reason === "undelivered" ? "it stopped before processing the message" : undefined));
    }
  }

  #recordDeadLetter(d: DeadLetter): void {
    this.deadLetters += d.count;
    this.onDeadLetter(d);
  }

  /** Counts messages an actor never processed (it stopped first) and fails the asks among them. */
  undeliverable(cell: ActorCell, envelopes: Envelope[], extra = 0, why = "undelivered" as DeadLetterReason): void {
    const n = envelopes.filter((e) => !isSystemName(e[4]) || e[4] === SystemMessage.Flush).length + extra;
    if (n > 0) this.undelivered.set(cell.label, (this.undelivered.get(cell.label) ?? 0) + n);
    // Made only when there is mail to fail: an Error captures a stack, and every stop of an
    // actor with an empty mailbox comes here (it was 11% of the spawn benchmark's worker).
    let error: ActorStoppedError | undefined;
    for (const env of envelopes) {
      if (isSystemName(env[4]) && env[4] !== SystemMessage.Flush) {
        this.#creditBack(env);
        continue;
      }
      error ??= new ActorStoppedError(cell.label, why === "worker-exited" ? "its worker exited" : "it stopped before processing the message");
      this.deadLetter(env, cell.label, why, error);
    }
    if (extra > 0) this.#recordDeadLetter({ address: cell.address, target: cell.label, name: null, arg: undefined, reason: why, count: extra });
  }

  /** Counts `count` messages for `label` that were never processed and cannot be listed one by one (a worker that sent no report). */
  countUndelivered(label: string, addr: number, count: number): void {
    this.undelivered.set(label, (this.undelivered.get(label) ?? 0) + count);
    this.#recordDeadLetter({ address: addr, target: label, name: null, arg: undefined, reason: "undelivered", count });
  }

  #runOp(env: Envelope): void {
    const op = this.ops.get(env[4] ?? "");
    const isAsk = (env[0] & 7) === Kind.Ask;
    if (op === undefined) {
      if (isAsk) this.fail(env, new UnknownMessageError(this.#loopName(), env[4] ?? "", [...this.ops.keys()]));
      else this.deadLetters++;
      return;
    }
    let result: unknown;
    try {
      result = op(env[5], env);
    } catch (e) {
      if (isAsk) this.fail(env, e);
      else this.log({ level: "error", source: this.#loopName(), message: `request "${env[4]}" failed`, error: e });
      return;
    }
    if (!isAsk) return;
    if (isThenable(result)) {
      // Busy until the reply is written: an idle report sent in between would not count
      // the reply, and shutdown's quiescence check would wait for it until its deadline.
      this.busy++;
      Promise.resolve(result).then((v) => this.reply(env, v), (e) => this.fail(env, e)).finally(() => {
        this.busy--;
        if (!this.dispatcher.active) this.onMaybeIdle?.();
      });
    } else this.reply(env, result);
  }

  /** Answers ask `env` with `value` (or with the encode error if `value` cannot be sent). */
  reply(env: Envelope, value: unknown): void {
    const to = address(loopOf(env[2]), 0);
    try {
      this.#sendEnvelope(Kind.Reply, to, address(this.index, 0), env[3], null, value, `the asker on loop ${loopOf(env[2])}`, value);
    } catch (e) {
      this.fail(env, e);
    }
  }

  /** Fails ask `env` with `error`. */
  fail(env: Envelope, error: unknown): void {
    const to = address(loopOf(env[2]), 0);
    try {
      this.#sendEnvelope(Kind.Fail, to, address(this.index, 0), env[3], null, error, "asker", error);
    } catch {
      const e = error as Error;
      this.#sendEnvelope(Kind.Fail, to, address(this.index, 0), env[3], null, new MissiveError(`${e?.name ?? "Error"}: ${e?.message ?? String(error)}`), "asker", null);
    }
  }

  // ---- processing ------------------------------------------------------------------------

  #processNext(cell: ActorCell): void {
    const env = cell.mailbox.shift()!;
    this.#creditBack(env);
    this.#take(env); // the message being processed counts as processed if the worker dies now
    const name = env[4]!;
    let handler: ((state: unknown, arg: unknown, ctx: ActorContext) => unknown) | undefined;
    let arg = env[5];
    if (name === SystemMessage.Flush) {
      if ((env[0] & 7) === Kind.Ask) this.reply(env, undefined);
      return;
    } else if (name === SystemMessage.Terminated) {
      const signal = this.lifecycle.terminatedSignal(cell, env);
      if (signal === undefined) {
        // Not the framework's signal (only loops send `$…` names; refs refuse them): never a crash.
        this.deadLetter(env, cell.label, "no-handler", new UnknownMessageError(cell.label, name, cell.definition.messageNames));
        return;
      }
      if (signal === null) return;
      handler = cell.definition.spec.onTerminated as typeof handler;
      if (handler === undefined) return;
      arg = signal;
    } else {
      handler = cell.definition.handlerMap.get(name);
      if (handler === undefined) {
        this.failures++;
        const error = new UnknownMessageError(cell.label, name, cell.definition.messageNames);
        this.deadLetter(env, cell.label, "no-handler", error);
        if ((env[0] & 7) !== Kind.Ask) this.log({ level: "warn", source: cell.label, message: `no handler for "${name}" (a no-handler dead letter)`, error });
        return;
      }
    }
    cell.sender = env[2];
    cell.currentEnv = env;
    this.#current = cell;
    let result: unknown;
    try {
      result = handler(cell.state, arg, cell.ctx);
    } catch (e) {
      this.#current = null;
      this.#finish(cell, env, false, e);
      return;
    }
    this.#current = null;
    if (isThenable(result)) {
      cell.busy = true;
      this.busy++;
      Promise.resolve(result).then(
        (v) => this.#settleAsync(cell, env, true, v),
        (e) => this.#settleAsync(cell, env, false, e),
      );
      return;
    }
    this.#finish(cell, env, true, result);
  }

  #settleAsync(cell: ActorCell, env: Envelope, ok: boolean, value: unknown): void {
    cell.busy = false;
    this.busy--;
    this.#finish(cell, env, ok, value);
    this.dispatcher.enqueue(cell);
    if (!this.dispatcher.active) this.onMaybeIdle?.();
  }

  #finish(cell: ActorCell, env: Envelope, ok: boolean, value: unknown): void {
    // Consumed once the handler is done: an ack then never covers a message whose effects
    // (the messages its handler sent) have not left yet.
    this.#consume(env);
    cell.processed++;
    this.processed++;
    const deferred = cell.deferredEnv === env;
    if (deferred) cell.deferredEnv = null;
    const isAsk = (env[0] & 7) === Kind.Ask && !deferred;
    if (ok) {
      if (isAsk) this.reply(env, value);
    } else {
      this.failures++;
      if (isAsk) this.fail(env, value);
      this.lifecycle.failed(cell, value, isAsk ? null : env[4]);
    }
    this.lifecycle.continueStop(cell);
  }

  // ---- reporting ---------------------------------------------------------------------------

  /** This loop's counters. */
  stats(): LoopStats {
    return {
      processed: this.processed,
      deadLetters: this.deadLetters,
      lateReplies: this.asks.lateReplies,
      failures: this.failures,
      wireErrors: this.wireErrors,
      undelivered: Object.fromEntries(this.undelivered),
      hooksSkipped: [...this.hooksSkipped],
      sentTo: [...this.userSent],
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
      restarts: c.restarts.total,
    }));
  }

  /** True when nothing is queued, running, or half-way (used by the drain phase). */
  get idle(): boolean {
    return !this.dispatcher.active && this.busy === 0;
  }

  /** Loop `peer` is gone: fail the asks waiting on it and release the senders waiting for room there. */
  peerLost(peer: number, error: (what: string) => unknown): void {
    this.asks.rejectWhere((target) => target === peer, () => error("the asked actor"));
    this.credits.forgetWhere((addr) => loopOf(addr) === peer, () => error("the receiving actor"));
  }
}

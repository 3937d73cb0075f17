/**
 * One event loop's share of the actor system: the main thread and every worker each run
 * one `Loop`. It owns the actors placed on it, routes envelopes (local delivery, or a
 * {@link Link} per other loop), keeps the asks it is waiting on, and runs spawn and stop.
 *
 * Loop-level requests (spawn, stop, …) are envelopes addressed to actor number 0 of the
 * loop, so they travel the same wire, in the same order, as actor messages.
 *
 * @example
 * ```ts
 * const loop = new Loop({ index: 1, askTimeout: 30_000, throughput: 64, sliceMs: 2 });
 * loop.connect(0, parentEndpoint);
 * ```
 * @module
 */
import { ActorCell } from "../actor/cell.ts";
import type { ActorContext, SpawnOptions } from "../actor/context.ts";
import { type AnyDefinition, findExported, isDefinition } from "../actor/definition.ts";
import { Dispatcher } from "../actor/dispatcher.ts";
import { ActorRef, type AskOptions, type RefHost } from "../actor/ref.ts";
import {
  ActorInitError,
  ActorStoppedError,
  DefinitionNotFoundError,
  InvalidArgumentError,
  MessageEncodeError,
  MissiveError,
  UnknownMessageError,
  type WireError,
} from "../errors.ts";
import { macrotask } from "../runtime/adapters.ts";
import type { Endpoint } from "../transport/endpoint.ts";
import { Link } from "../transport/link.ts";
import { Codec, FRAME_HEADER_BYTES, type FrameCursor } from "../wire/codec.ts";
import { Deque } from "../util/deque.ts";
import { address, type Envelope, Kind, localIdOf, LOOP_SPAN, loopOf, SystemMessage } from "../wire/envelope.ts";
import { findUnencodable } from "../wire/unencodable.ts";
import { PendingAsks } from "./asks.ts";

/** Tuning shared by every loop of a system. */
export interface LoopOptions {
  /** Index of this loop: 0 = main, 1..n = workers. */
  index: number;
  /** Number of worker loops in the system. */
  workers: number;
  /** Default ask timeout in ms (`Infinity` for none). */
  askTimeout: number;
  /** Messages per actor per dispatcher turn. */
  throughput: number;
  /** Milliseconds of dispatching before yielding to the event loop. */
  sliceMs: number;
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
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as PromiseLike<unknown>).then === "function";

export class Loop implements RefHost {
  readonly index: number;
  readonly options: LoopOptions;
  readonly codec: Codec;
  readonly dispatcher: Dispatcher;
  readonly asks = new PendingAsks();
  /** Outgoing links by peer loop index. */
  readonly links: (Link | undefined)[] = [];
  /** Envelopes received by peer loop index (frame headers' counts). */
  readonly received: number[] = [];
  readonly cells = new Map<number, ActorCell>();
  readonly ops = new Map<string, LoopOp>();
  /** Mailbox-only endpoints (test probes): envelopes to these ids go to a callback. */
  readonly probes = new Map<number, (env: Envelope) => void>();
  /** Async work in progress that is not a queued message: async handlers, spawns, stops. */
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
  #current: ActorCell | null = null;
  readonly #inbound = new Deque<Uint8Array>();
  #cursor: FrameCursor | null = null;
  #nextLocalId = 1;
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();

  constructor(options: LoopOptions) {
    this.index = options.index;
    this.options = options;
    this.codec = new Codec({
      isRef: (v) => v instanceof ActorRef,
      toWire: (v) => {
        const ref = v as ActorRef;
        return [ref.node, ref.address, 0, ref.label];
      },
      fromWire: (node, addr, _unused, label) => new ActorRef(this, node, addr, label),
    });
    this.dispatcher = new Dispatcher(
      {
        processNext: (cell) => this.#processNext(cell),
        pumpInbound: (max) => this.#pumpInbound(max),
        hasInbound: () => this.#cursor !== null || this.#inbound.length > 0,
        onIdle: () => this.onMaybeIdle?.(),
      },
      options,
      macrotask,
    );
    for (let i = 0; i <= options.workers; i++) this.received[i] = 0;
    this.ops.set("spawn", (p) => this.#spawnOp(p as SpawnRequest));
    this.ops.set("stop", (p) => this.stopActor(p as number));
    this.ops.set("childStopped", (p) => {
      const [parent, child] = p as [number, number];
      this.cells.get(parent)?.children.delete(child);
    });
  }

  // ---- links -------------------------------------------------------------------------

  /** Connects this loop to loop `peer` over `endpoint` (both directions). */
  connect(peer: number, endpoint: Endpoint): Link {
    const link = new Link(peer, endpoint);
    this.links[peer] = link;
    endpoint.listen((data) => this.receive(peer, data));
    return link;
  }

  /**
   * Handles anything that arrived from loop `from`: a control object goes to `onControl`
   * at once; a frame is queued and decoded by the dispatcher inside its time slice.
   */
  receive(from: number, data: unknown): void {
    if (!(data instanceof Uint8Array)) {
      if (typeof data === "object" && data !== null) this.onControl?.(from, data as Record<string, unknown>);
      return;
    }
    // Counted on arrival (quiescence compares these with the sender's counts).
    const announced = data.byteLength >= FRAME_HEADER_BYTES ? new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true) : 0;
    this.received[from] = (this.received[from] ?? 0) + announced;
    this.#inbound.push(data);
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
    this.deadLetters += Math.max(0, announced - decoded);
    console.error(`[missive] ${this.#loopName()}: ${e.message}`);
  }

  /** Sends every pending frame now. */
  flushLinks(): void {
    for (const link of this.links) link?.flush();
  }

  // ---- RefHost: what refs call -------------------------------------------------------

  tell(ref: ActorRef, name: string, arg: unknown): void {
    this.guard?.();
    this.#send(Kind.Tell, ref.address, this.#senderAddress(), 0, name, arg, ref.label, arg);
  }

  ask(ref: ActorRef, name: string, arg: unknown, options: AskOptions | undefined): Promise<unknown> {
    try {
      this.guard?.();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.request(ref.address, name, arg, ref.label, options, arg);
  }

  flush(ref: ActorRef, options: AskOptions | undefined): Promise<void> {
    return this.ask(ref, SystemMessage.Flush, undefined, options) as Promise<void>;
  }

  /**
   * Sends an ask to `to` and returns its settlement. `userValue` is what encode errors
   * are reported against (the message argument, or the spawn argument).
   */
  request(to: number, name: string, payload: unknown, label: string, options: AskOptions | undefined, userValue: unknown): Promise<unknown> {
    const timeout = options?.timeout ?? this.options.askTimeout;
    const { id, promise } = this.asks.open(label, name, timeout, options?.signal);
    if (id === 0) return promise;
    try {
      this.#send(Kind.Ask, to, this.#senderAddress(), id, name, payload, label, userValue);
    } catch (e) {
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
    this.#send(Kind.Tell, address(loop, 0), address(this.index, 0), 0, op, payload, `loop ${loop}`, payload);
  }

  /** A fresh actor number on this loop. */
  allocateLocalId(): number {
    return this.#nextLocalId++;
  }

  /** A ref to `addr` that sends from this loop. */
  refTo(addr: number, label: string): ActorRef {
    return new ActorRef(this, 0, addr, label);
  }

  #senderAddress(): number {
    return this.#current?.address ?? address(this.index, 0);
  }

  #send(kind: Kind, to: number, from: number, id: number, name: string | null, payload: unknown, label: string, userValue: unknown): void {
    let bytes: Uint8Array;
    try {
      bytes = this.codec.encodeEnvelope(kind, to, from, id, name, payload);
    } catch (e) {
      throw this.#encodeError(e, label, name ?? "(reply)", userValue);
    }
    const dest = to % LOOP_SPAN;
    if (dest === this.index) {
      this.deliver(this.codec.decode(bytes) as Envelope);
      return;
    }
    const link = this.links[dest];
    if (link === undefined) {
      throw new InvalidArgumentError(`${label} lives on loop ${dest}, which this system does not have (workers: ${this.options.workers}).`);
    }
    link.append(bytes);
  }

  #encodeError(e: unknown, label: string, messageName: string, userValue: unknown): MissiveError {
    if (e instanceof MissiveError) return e;
    const found = findUnencodable(userValue, "arg", (o) => o instanceof ActorRef || o instanceof Map || o instanceof Set || o instanceof Error);
    return new MessageEncodeError(label, messageName, found?.path ?? "arg", found?.reason ?? `not encodable (${(e as Error)?.message})`, e);
  }

  // ---- delivery ------------------------------------------------------------------------

  /** Puts one envelope where it belongs: a mailbox, a loop op, or a waiting ask. */
  deliver(env: Envelope): void {
    const kind = env[0];
    if (kind === Kind.Reply || kind === Kind.Fail) {
      this.asks.settle(env[3], kind === Kind.Reply, env[5]);
      return;
    }
    const localId = localIdOf(env[1]);
    if (localId === 0) {
      this.#runOp(env);
      return;
    }
    const cell = this.cells.get(localId);
    if (cell === undefined && this.probes.has(localId)) {
      this.probes.get(localId)!(env);
      return;
    }
    if (cell === undefined || cell.status === "stopping" || cell.status === "stopped") {
      this.#deadLetter(env, cell?.label ?? `actor ${localId} on ${this.#loopName()}`);
      return;
    }
    cell.mailbox.push(env);
    this.dispatcher.enqueue(cell);
  }

  #loopName(): string {
    return this.index === 0 ? "the main loop" : `worker ${this.index - 1}`;
  }

  #deadLetter(env: Envelope, label: string): void {
    this.deadLetters++;
    if (env[0] === Kind.Ask) this.#fail(env, new ActorStoppedError(label));
  }

  #runOp(env: Envelope): void {
    const op = this.ops.get(env[4] ?? "");
    if (op === undefined) {
      if (env[0] === Kind.Ask) this.#fail(env, new UnknownMessageError(this.#loopName(), env[4] ?? "", [...this.ops.keys()]));
      else this.deadLetters++;
      return;
    }
    let result: unknown;
    try {
      result = op(env[5], env);
    } catch (e) {
      if (env[0] === Kind.Ask) this.#fail(env, e);
      else console.error(`[missive] ${this.#loopName()}: request "${env[4]}" failed:`, e);
      return;
    }
    if (env[0] !== Kind.Ask) return;
    if (isThenable(result)) {
      Promise.resolve(result).then((v) => this.reply(env, v), (e) => this.#fail(env, e));
    } else this.reply(env, result);
  }

  /** Answers ask `env` with `value` (or with the encode error if `value` cannot be sent). */
  reply(env: Envelope, value: unknown): void {
    const to = address(loopOf(env[2]), 0);
    try {
      this.#send(Kind.Reply, to, 0, env[3], null, value, `the asker on loop ${loopOf(env[2])}`, value);
    } catch (e) {
      this.#fail(env, e);
    }
  }

  #fail(env: Envelope, error: unknown): void {
    const to = address(loopOf(env[2]), 0);
    try {
      this.#send(Kind.Fail, to, 0, env[3], null, error, "asker", error);
    } catch {
      const e = error as Error;
      this.#send(Kind.Fail, to, 0, env[3], null, new MissiveError(`${e?.name ?? "Error"}: ${e?.message ?? String(error)}`), "asker", null);
    }
  }

  // ---- processing ------------------------------------------------------------------------

  #processNext(cell: ActorCell): void {
    const env = cell.mailbox.shift()!;
    const name = env[4]!;
    if (name === SystemMessage.Flush) {
      if (env[0] === Kind.Ask) this.reply(env, undefined);
      return;
    }
    const handler = cell.definition.spec.handlers[name];
    if (handler === undefined) {
      this.failures++;
      const error = new UnknownMessageError(cell.label, name, cell.definition.messageNames);
      if (env[0] === Kind.Ask) this.#fail(env, error);
      else {
        this.deadLetters++;
        console.error(`[missive] ${error.message}`);
      }
      return;
    }
    cell.sender = env[2];
    this.#current = cell;
    let result: unknown;
    try {
      result = handler(cell.state, env[5], cell.ctx);
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
    cell.processed++;
    this.processed++;
    if (ok) {
      if (env[0] === Kind.Ask) this.reply(env, value);
    } else {
      this.failures++;
      if (env[0] === Kind.Ask) this.#fail(env, value);
      else console.error(`[missive] ${cell.label} failed on "${env[4]}" (state kept, next message goes on):`, value);
    }
    if (cell.stopRequested && !cell.busy) this.#beginStop(cell);
  }

  // ---- spawn -----------------------------------------------------------------------------

  /** Spawns `definition` on loop `loop` (may be this one) with `parent` as its parent address. */
  async spawnOn(loop: number, definition: AnyDefinition, arg: unknown, parent: number, name: string | null): Promise<ActorRef> {
    if (!isDefinition(definition)) {
      throw new InvalidArgumentError(`spawn expects a definition made by defineActor(import.meta.url, { … }); got ${String(definition)}.`);
    }
    const request: SpawnRequest = [definition.url, definition.key, arg, parent, name];
    const [addr, label] = (await this.requestOp(loop, "spawn", request, arg, definition.name)) as [number, string];
    return new ActorRef(this, 0, addr, label);
  }

  /** Checks a `worker` option against the system size and returns the loop index. */
  loopFor(options: SpawnOptions | undefined, fallback: number): number {
    const worker = options?.worker;
    if (worker === undefined) return fallback;
    if (!Number.isInteger(worker) || worker < 0 || worker >= this.options.workers) {
      throw new InvalidArgumentError(`spawn option worker: ${worker} is not a worker index; use 0 to ${this.options.workers - 1}.`);
    }
    return worker + 1;
  }

  async #spawnOp([url, key, arg, parent, name]: SpawnRequest): Promise<[number, string]> {
    this.busy++;
    try {
      const namespace = await this.#import(url);
      const found = findExported(namespace, key);
      if (found === undefined) {
        throw new DefinitionNotFoundError(
          `${url} does not export the actor definition ${key.slice(key.lastIndexOf("#") + 1)}: define it at the top level of ` +
            `that module and export it (export const X = defineActor(import.meta.url, { … })).`,
        );
      }
      const localId = this.allocateLocalId();
      const addr = address(this.index, localId);
      const label = name ?? `${found.exportName}#${localId}@w${this.index - 1}`;
      const cell = new ActorCell(localId, addr, found.definition, label, parent, name);
      cell.ctx = this.#context(cell);
      this.cells.set(localId, cell);
      const spec = found.definition.spec;
      try {
        cell.state = await spec.init(arg, cell.ctx);
        await spec.onStart?.(cell.state, cell.ctx);
      } catch (e) {
        this.cells.delete(localId);
        cell.status = "stopped";
        cell.beginStop?.(false); // nothing to stop: init never finished
        throw new ActorInitError(label, e);
      }
      cell.status = "running";
      if (cell.stopRequested) this.#beginStop(cell);
      else this.dispatcher.enqueue(cell);
      return [addr, label];
    } finally {
      this.busy--;
      if (!this.dispatcher.active) this.onMaybeIdle?.();
    }
  }

  #import(url: string): Promise<Record<string, unknown>> {
    let mod = this.#modules.get(url);
    if (mod === undefined) {
      mod = import(url).catch((e) => {
        this.#modules.delete(url);
        throw new DefinitionNotFoundError(`could not import ${url} on ${this.#loopName()}: ${(e as Error)?.message}`, );
      });
      this.#modules.set(url, mod);
    }
    return mod;
  }

  #context(cell: ActorCell): ActorContext {
    const self = new ActorRef(this, 0, cell.address, cell.label);
    // deno-lint-ignore no-this-alias
    const loop = this;
    return {
      self,
      get sender() {
        return cell.sender !== 0 && localIdOf(cell.sender) !== 0 ? new ActorRef(loop, 0, cell.sender, `actor ${cell.sender}`) : undefined;
      },
      worker: this.index - 1,
      label: cell.label,
      // deno-lint-ignore no-explicit-any
      spawn: async (definition: AnyDefinition, arg?: unknown, options?: SpawnOptions): Promise<any> => {
        const target = this.loopFor(options, this.index);
        const name = options?.name ?? null;
        const ref = name === null
          ? await this.spawnOn(target, definition, arg, cell.address, null)
          : await this.#spawnNamed(target, definition, arg, cell.address, name);
        if (cell.status === "stopping" || cell.status === "stopped") {
          // The parent stopped while the child was being created: the child must not outlive it.
          await this.requestOp(loopOf(ref.address), "stop", localIdOf(ref.address));
          throw new ActorStoppedError(cell.label, "it stopped while spawning a child");
        }
        cell.children.add(ref.address);
        return ref;
      },
      stop: () => {
        cell.stopRequested = true;
        if (!cell.busy && this.#current !== cell && cell.status === "running") this.#beginStop(cell);
      },
    };
  }

  async #spawnNamed(loop: number, definition: AnyDefinition, arg: unknown, parent: number, name: string): Promise<ActorRef> {
    if (!isDefinition(definition)) throw new InvalidArgumentError(`spawn expects a definition made by defineActor; got ${String(definition)}.`);
    const [addr, label] = (await this.requestOp(0, "spawnNamed", [loop, definition.url, definition.key, arg, parent, name], arg, definition.name)) as [number, string];
    return new ActorRef(this, 0, addr, label);
  }

  // ---- stop --------------------------------------------------------------------------------

  /**
   * Stops actor `localId` of this loop after its current message: children first, then
   * `onStop`, then every message still in its mailbox is counted as undelivered (asks
   * among them fail with `ActorStoppedError`). Resolves when done; idempotent.
   */
  stopActor(localId: number): Promise<void> {
    const cell = this.cells.get(localId);
    if (cell === undefined) return Promise.resolve();
    if (cell.stopping) return cell.stopping;
    cell.stopRequested = true;
    if (cell.busy || cell.status === "starting") {
      // The running handler (or init) finishes first; #finish / #spawnOp then call #beginStop.
      const { promise, resolve } = Promise.withResolvers<void>();
      cell.stopping = promise;
      cell.beginStop = (run) => (run ? void this.#stop(cell).then(resolve) : resolve());
      return promise;
    }
    cell.stopping = this.#stop(cell);
    return cell.stopping;
  }

  /** Starts a stop that was requested while the actor was busy, or requests one now. */
  #beginStop(cell: ActorCell): void {
    const begin = cell.beginStop;
    if (begin !== null) {
      cell.beginStop = null;
      begin(true);
    } else if (cell.stopping === null) {
      void this.stopActor(cell.localId);
    }
  }

  async #stop(cell: ActorCell): Promise<void> {
    cell.status = "stopping";
    this.busy++;
    try {
      const children = [...cell.children];
      await Promise.all(children.map((child) => this.requestOp(loopOf(child), "stop", localIdOf(child)).catch(() => undefined)));
      try {
        await cell.definition.spec.onStop?.(cell.state, cell.ctx);
      } catch (e) {
        this.failures++;
        console.error(`[missive] ${cell.label}: onStop failed:`, e);
      }
      const left = cell.mailbox.drain();
      if (left.length > 0) {
        this.undelivered.set(cell.label, (this.undelivered.get(cell.label) ?? 0) + left.length);
        for (const env of left) if (env[0] === Kind.Ask) this.#fail(env, new ActorStoppedError(cell.label, "it stopped before processing the message"));
      }
      cell.status = "stopped";
      this.cells.delete(cell.localId);
      this.tellOp(loopOf(cell.parent), "childStopped", [localIdOf(cell.parent), cell.address]);
      if (cell.name !== null) this.tellOp(0, "unname", [cell.name, cell.address]);
    } finally {
      this.busy--;
      if (!this.dispatcher.active) this.onMaybeIdle?.();
    }
  }

  /**
   * Stops every actor still on this loop (last phase of shutdown). With `force` (the
   * shutdown deadline has passed) nothing is awaited: every message not yet processed,
   * including one a busy handler is still working on, is counted as undelivered, asks
   * among them fail, and `onStop` hooks not yet started are skipped (and listed).
   */
  async stopAll(force: boolean): Promise<void> {
    if (!force) {
      // A parent's stop waits for its children's, so stopping all at once keeps children first.
      await Promise.all([...this.cells.keys()].map((id) => this.stopActor(id)));
      return;
    }
    for (const cell of [...this.cells.values()]) {
      const left = cell.mailbox.drain();
      const interrupted = cell.busy ? 1 : 0;
      if (left.length + interrupted > 0) this.undelivered.set(cell.label, (this.undelivered.get(cell.label) ?? 0) + left.length + interrupted);
      for (const env of left) if (env[0] === Kind.Ask) this.#fail(env, new ActorStoppedError(cell.label, "the shutdown deadline passed"));
      if (cell.status !== "stopping") this.hooksSkipped.push(cell.label);
      cell.status = "stopped";
      this.cells.delete(cell.localId);
    }
  }

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
    };
  }

  /** True when nothing is queued, running, or half-way (used by the drain phase). */
  get idle(): boolean {
    return !this.dispatcher.active && this.busy === 0;
  }
}

/** `[url, key, arg, parentAddress, name]` of a spawn request. */
export type SpawnRequest = [url: string, key: string, arg: unknown, parent: number, name: string | null];

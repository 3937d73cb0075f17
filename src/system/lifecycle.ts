/**
 * The life of the actors on one loop: spawn (import the defining module, `init`,
 * `onStart`, within `initTimeout`), supervision (resume / restart / stop / escalate), and
 * stop (children first, then `onStop`, then the mailbox accounted for, then watchers
 * told). Death watch is in `watch.ts`, the actors' context in `actor-context.ts`.
 *
 * Everything it needs from its loop is named in {@link LifecycleHost}: `Loop` implements it.
 *
 * Why over 400 lines: spawn, supervision and stop are one state machine of a cell
 * (starting → running ⇄ restarting → stopping → stopped); death watch and the context left.
 *
 * @example
 * ```ts
 * const lifecycle = new Lifecycle(loop);
 * const ref = await lifecycle.spawnOn(2, Counter, 0, 0, null); // on worker 1, top level
 * await lifecycle.stopActor(localIdOf(ref.address));
 * ```
 * @module
 */
import { ActorCell } from "../actor/cell.ts";
import type { SpawnOptions } from "../actor/context.ts";
import { type AnyDefinition, findExported, isDefinition, type Terminated } from "../actor/definition.ts";
import type { Dispatcher } from "../actor/dispatcher.ts";
import type { ActorRef } from "../actor/ref.ts";
import { backoffDelay } from "../actor/supervision.ts";
import {
  ActorInitError,
  ActorStoppedError,
  DefinitionNotFoundError,
  InvalidArgumentError,
  LinkedActorError,
  MissiveError,
} from "../errors.ts";
import type { Codec } from "../wire/codec.ts";
import { address, type Envelope, localIdOf, loopOf } from "../wire/envelope.ts";
import { actorContext } from "./actor-context.ts";
import type { Delivery } from "./delivery.ts";
import type { LogEvent } from "./log.ts";
import type { LoopOptions } from "./loop-options.ts";
import type { LoopOps, OpName, OpPayload, OpReply, SpawnReply, SpawnRequest } from "./ops.ts";
import type { RemoteHost } from "./remote.ts";
import { DeathWatch, type StopReason } from "./watch.ts";
import { describeError } from "../util/error-text.ts";
import type { Clock } from "../util/clock.ts";

export type { StopReason } from "./watch.ts";

/** What the lifecycle needs from its loop (`Loop` implements it). */
export interface LifecycleHost {
  readonly index: number;
  readonly options: LoopOptions;
  readonly codec: Codec;
  readonly cells: Map<number, ActorCell>;
  readonly dispatcher: Dispatcher;
  readonly delivery: Delivery;
  readonly ops: LoopOps;
  readonly hooksSkipped: string[];
  readonly current: ActorCell | null;
  /** Where the init timeout and restart backoff are measured. */
  readonly clock: Clock;
  /** Imports an actor's defining module (default: `import(url)`; the testkit's deterministic mode resolves known modules at once). */
  readonly importModule?: ((url: string) => Promise<Record<string, unknown>>) | undefined;
  failures: number;
  requestOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>, userValue?: unknown, label?: string): Promise<OpReply<K>>;
  tellOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>): void;
  tellSystem(to: number, from: number, name: string, payload: unknown): void;
  refTo(addr: number, label: string, flow?: number): ActorRef;
  nodeRef(node: number, addr: number, label: string): ActorRef;
  senderRef(addr: number): ActorRef | undefined;
  remoteFor(ref: ActorRef): RemoteHost;
  /** The way to other nodes (null: this system is in no cluster). */
  readonly remote: RemoteHost | null;
  reply(env: Envelope, value: unknown): void;
  fail(env: Envelope, error: unknown): void;
  log(event: LogEvent): void;
  allocateLocalId(): number;
  reserveLocalIds(upTo: number): void;
  beginWork(): void;
  endWork(): void;
}

const NORMAL: StopReason = { normal: true, reason: "stopped" };

/**
 * `starting` (init, then onStart), failed with a timeout error after `ms` milliseconds. A
 * start that ends later is ignored (its actor was removed); its failure is not unhandled.
 */
async function withinInitTimeout(starting: Promise<void>, ms: number, clock: Clock): Promise<void> {
  if (!Number.isFinite(ms)) return starting;
  starting.catch(() => undefined);
  let timer: unknown;
  const expired = new Promise<never>((_, reject) => {
    timer = clock.setTimeout(
      () =>
        reject(
          new MissiveError(
            `init and onStart did not finish within ${ms} ms (the system's initTimeout); make init settle, or raise initTimeout.`,
          ),
        ),
      ms,
    );
  });
  try {
    await Promise.race([starting, expired]);
  } finally {
    clock.clearTimeout(timer);
  }
}

export class Lifecycle {
  readonly #host: LifecycleHost;
  readonly watch: DeathWatch;
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();
  /** Main loop: a top-level actor stopped (the system forgets it). */
  onTopLevelStopped: ((address: number) => void) | null = null;

  constructor(host: LifecycleHost) {
    this.#host = host;
    this.watch = new DeathWatch(host);
    const ops = host.ops;
    ops.on("spawn", (request) => this.#spawnOp(request));
    ops.on("stop", (p) => {
      const [localId, normal = true, reason = "stopped"] = Array.isArray(p) ? p : [p];
      return this.stopActor(localId, { normal, reason });
    });
    ops.on("childStopped", ([parent, child]) => {
      if (parent === 0) this.onTopLevelStopped?.(child);
      else host.cells.get(parent)?.children.delete(child);
    });
    ops.on("watch", (p) => this.watch.watchOp(p));
    ops.on("unwatch", (p) => this.watch.unwatchOp(p));
    ops.on("childFailed", ([parent, childLabel, error]) => {
      const cell = host.cells.get(parent);
      if (cell !== undefined && cell.status === "running") {
        host.failures++;
        this.failed(cell, error, `(child ${childLabel} escalated)`);
      }
    });
  }

  // ---- spawn -----------------------------------------------------------------------------

  /** Spawns `definition` on loop `loop` (may be this one) with `parent` as its parent address. */
  async spawnOn(loop: number, definition: AnyDefinition, arg: unknown, parent: number, name: string | null): Promise<ActorRef> {
    if (!isDefinition(definition)) {
      throw new InvalidArgumentError(`spawn expects a definition made by defineActor(import.meta.url, { … }); got ${String(definition)}.`);
    }
    const op = name === null
      ? this.#host.requestOp(loop, "spawn", [definition.url, definition.key, arg, parent, null], arg, definition.name)
      // A name is reserved on the main loop, which keeps the names.
      : this.#host.requestOp(0, "spawnNamed", [loop, definition.url, definition.key, arg, parent, name], arg, definition.name);
    const [addr, label, flow] = await op;
    return this.#host.refTo(addr, label, flow);
  }

  /** Checks a `worker` option against the system size and returns the loop index. */
  loopFor(options: SpawnOptions | undefined, fallback: number): number {
    const worker = options?.worker;
    if (worker === undefined) return fallback;
    const workers = this.#host.options.workers;
    if (!Number.isInteger(worker) || worker < 0 || worker >= workers) {
      throw new InvalidArgumentError(`spawn option worker: ${worker} is not a worker index; use 0 to ${workers - 1}.`);
    }
    return worker + 1;
  }

  async #spawnChild(cell: ActorCell, definition: AnyDefinition, arg: unknown, options: SpawnOptions | undefined): Promise<ActorRef> {
    if (options?.node !== undefined) {
      const ref = await this.#spawnOnNode(options.node, definition, arg, options.name ?? null);
      if (ref !== null) {
        if (cell.status === "stopping" || cell.status === "stopped") {
          await this.#host.remote!.stop(ref, "its parent stopped").catch(() => undefined);
          throw new ActorStoppedError(cell.label, "it stopped while spawning a child");
        }
        cell.remoteChildren.add(ref);
        return ref;
      }
    }
    const ref = await this.spawnOn(this.loopFor(options, this.#host.index), definition, arg, cell.address, options?.name ?? null);
    if (cell.status === "stopping" || cell.status === "stopped") {
      // The parent stopped while the child was being created: the child must not outlive it.
      await this.#host.requestOp(loopOf(ref.address), "stop", localIdOf(ref.address));
      throw new ActorStoppedError(cell.label, "it stopped while spawning a child");
    }
    cell.children.add(ref.address);
    return ref;
  }

  async #spawnOp([url, key, arg, parent, name, wantedId]: SpawnRequest): Promise<SpawnReply> {
    const host = this.#host;
    host.beginWork();
    try {
      const found = findExported(await this.#import(url), key);
      if (found === undefined) {
        throw new DefinitionNotFoundError(
          `${url} does not export the actor definition ${key.slice(key.lastIndexOf("#") + 1)}: define it at the top level of ` +
            `that module and export it (export const X = defineActor(import.meta.url, { … })).`,
        );
      }
      let localId: number;
      if (wantedId !== undefined) {
        localId = wantedId;
        host.reserveLocalIds(wantedId);
      } else localId = host.allocateLocalId();
      const addr = address(host.index, localId);
      const label = name ?? `${found.exportName}#${localId}@w${host.index - 1}`;
      const cell = new ActorCell(localId, addr, found.definition, label, parent, name);
      // A restart needs the argument as it was at spawn, untouched by init.
      if (cell.supervision.strategy === "restart") cell.initBytes = host.codec.encode(arg);
      cell.ctx = actorContext(cell, {
        index: host.index,
        get current() {
          return host.current;
        },
        watch: this.watch,
        refTo: (a, l) => host.refTo(a, l),
        senderRef: (a) => host.senderRef(a),
        reply: (env, value) => host.reply(env, value),
        fail: (env, error) => host.fail(env, error),
        spawnChild: (c, d, a, o) => this.#spawnChild(c, d, a, o),
        requestStop: (c) => {
          c.stopRequested = true;
          if (host.current !== c) this.continueStop(c);
        },
        clock: host.clock,
        tellSelf: (c, name, arg) => {
          if (c.status !== "stopped") host.tellSystem(c.address, c.address, name, arg);
        },
        timerFailed: (c, key, error) =>
          host.log({ level: "error", source: c.label, message: `timer "${key}" could not send its message`, error }),
      });
      host.cells.set(localId, cell);
      host.delivery.unpark(localId); // messages that reached a re-created actor before it existed
      const spec = found.definition.spec;
      try {
        await withinInitTimeout(
          (async () => {
            cell.state = await spec.init(arg, cell.ctx);
            await spec.onStart?.(cell.state, cell.ctx);
          })(),
          host.options.initTimeout,
          host.clock,
        );
      } catch (e) {
        host.cells.delete(localId);
        cell.status = "stopped";
        host.delivery.undeliverable(cell, cell.mailbox.drain());
        cell.stopDone?.(); // nothing to stop: init never finished
        throw new ActorInitError(label, e);
      }
      cell.status = "running";
      // The main loop keeps a directory of every actor, to re-create them if this worker dies.
      const restartArg = cell.supervision.strategy === "restart" ? arg : null;
      const { strategy, maxRestarts, withinMs } = cell.supervision;
      host.tellOp(0, "spawned", [addr, url, key, parent, name, label, strategy, maxRestarts, withinMs, restartArg]);
      this.continueStop(cell); // a stop requested during init
      host.dispatcher.enqueue(cell);
      return [addr, label, cell.counted ? (cell.overflow === "reject" ? -cell.capacity : cell.capacity) : 0];
    } finally {
      host.endWork();
    }
  }

  #import(url: string): Promise<Record<string, unknown>> {
    let mod = this.#modules.get(url);
    if (mod === undefined) {
      mod = (this.#host.importModule?.(url) ?? import(url)).catch((e) => {
        this.#modules.delete(url);
        throw new DefinitionNotFoundError(`could not import ${url} on loop ${this.#host.index}: ${(e as Error)?.message}`);
      });
      this.#modules.set(url, mod);
    }
    return mod;
  }

  // ---- supervision -------------------------------------------------------------------------

  /**
   * A handler of `cell` failed with `error` (its ask, if any, already has the error).
   * `tellName` names the message when nobody else was told (a tell): that failure is logged.
   */
  failed(cell: ActorCell, error: unknown, tellName: string | null): void {
    const strategy = cell.supervision.strategy;
    if (tellName !== null) {
      this.#host.log({ level: "error", source: cell.label, message: `failed on "${tellName}" (supervision: ${strategy})`, error });
    }
    switch (strategy) {
      case "resume":
        return;
      case "restart":
        void this.#restart(cell, error);
        return;
      case "stop":
        void this.stopActor(cell.localId, { normal: false, reason: `failed: ${describeError(error)}`, error });
        return;
      case "escalate":
        this.#escalate(cell, error);
        return;
    }
  }

  /**
   * The `$terminated` signal `env` reached `cell`: what its `onTerminated` gets, `null` for
   * nothing to do (a linked actor's abnormal stop fails `cell` instead), `undefined` for a
   * payload of the wrong shape.
   */
  terminatedSignal(cell: ActorCell, env: Envelope): Terminated | null | undefined {
    const signal = this.watch.signal(cell, env);
    if (signal instanceof LinkedActorError) {
      this.#host.failures++;
      this.failed(cell, signal, null);
      return null;
    }
    return signal;
  }

  async #restart(cell: ActorCell, error: unknown): Promise<void> {
    const host = this.#host;
    const n = cell.restarts.record(host.clock.now());
    if (n === false) {
      const { maxRestarts, withinMs } = cell.supervision;
      void this.stopActor(cell.localId, {
        normal: false,
        reason: `restarted ${maxRestarts} times within ${withinMs} ms; last failure: ${describeError(error)}`,
        error,
      });
      return;
    }
    cell.status = "restarting";
    cell.timers?.cancelAll();
    host.beginWork();
    const spec = cell.definition.spec;
    try {
      await this.#stopChildren(cell, "its parent restarted");
      try {
        await spec.onRestart?.(cell.state, error, cell.ctx);
      } catch (e) {
        host.log({ level: "error", source: cell.label, message: "onRestart failed", error: e });
      }
      const delay = backoffDelay(n, cell.supervision.backoff);
      if (delay > 0) await new Promise<void>((resolve) => (cell.restartTimer = host.clock.setTimeout(resolve, delay)));
      cell.restartTimer = undefined;
      if (cell.status !== "restarting") return; // stopped at once by a forced shutdown
      const arg = host.codec.decode(cell.initBytes!);
      cell.state = await spec.init(arg, cell.ctx);
      await spec.onStart?.(cell.state, cell.ctx);
      cell.status = "running";
    } catch (e) {
      if (cell.status !== "restarting") return;
      cell.status = "running";
      cell.stopRequested = true;
      cell.stopReason ??= { normal: false, reason: `restart failed: init threw ${describeError(e)}`, error: e };
    } finally {
      this.continueStop(cell);
      host.dispatcher.enqueue(cell);
      host.endWork();
    }
  }

  #escalate(cell: ActorCell, error: unknown): void {
    const host = this.#host;
    void this.stopActor(cell.localId, { normal: false, reason: `failed (escalated to its parent): ${describeError(error)}`, error });
    if (localIdOf(cell.parent) === 0) return; // top level: the guardian stops it
    const parent = localIdOf(cell.parent);
    try {
      host.tellOp(loopOf(cell.parent), "childFailed", [parent, cell.label, error]);
    } catch {
      host.tellOp(loopOf(cell.parent), "childFailed", [parent, cell.label, new MissiveError(describeError(error))]);
    }
  }

  // ---- stop ------------------------------------------------------------------------------------

  /**
   * Stops actor `localId` of this loop after its current message: children first, then
   * `onStop`, then every message still in its mailbox is counted as undelivered (asks
   * among them fail with `ActorStoppedError`), then watchers are told. Idempotent.
   */
  stopActor(localId: number, reason: StopReason = NORMAL): Promise<void> {
    const cell = this.#host.cells.get(localId);
    if (cell === undefined) return Promise.resolve();
    cell.stopRequested = true;
    cell.stopReason ??= reason;
    this.continueStop(cell);
    return cell.stopping ?? this.#deferStop(cell);
  }

  #deferStop(cell: ActorCell): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    cell.stopping = promise;
    cell.stopDone = resolve;
    return promise;
  }

  /** Starts a requested stop once the actor is between messages (not busy, started, not restarting). */
  continueStop(cell: ActorCell): void {
    if (!cell.stopRequested || cell.stopRunning || cell.busy || cell.status !== "running") return;
    if (cell.stopping === null) this.#deferStop(cell);
    void this.#runStop(cell);
  }

  async #runStop(cell: ActorCell): Promise<void> {
    const host = this.#host;
    cell.stopRunning = true;
    cell.status = "stopping";
    cell.timers?.cancelAll();
    host.beginWork();
    const reason = cell.stopReason ?? NORMAL;
    try {
      await this.#stopChildren(cell, "its parent stopped");
      try {
        await cell.definition.spec.onStop?.(cell.state, cell.ctx);
      } catch (e) {
        host.failures++;
        host.log({ level: "error", source: cell.label, message: "onStop failed", error: e });
      }
      host.delivery.undeliverable(cell, cell.mailbox.drain());
      cell.status = "stopped";
      host.cells.delete(cell.localId);
      this.watch.stopped(cell, reason);
      host.tellOp(loopOf(cell.parent), "childStopped", [localIdOf(cell.parent), cell.address]);
      host.tellOp(0, "gone", [cell.address, cell.name]);
    } finally {
      cell.stopDone?.();
      host.endWork();
    }
  }

  async #stopChildren(cell: ActorCell, reason: string): Promise<void> {
    const host = this.#host;
    const children = [...cell.children];
    const remote = [...cell.remoteChildren];
    cell.remoteChildren.clear();
    await Promise.all([
      ...children.map((child) => host.requestOp(loopOf(child), "stop", [localIdOf(child), true, reason]).catch(() => undefined)),
      ...remote.map((child) => host.remote?.stop(child, reason).catch(() => undefined)),
    ]);
  }

  /** `ctx.spawn(…, { node })`: the child's ref on that node, or `null` when `node` is this one. */
  #spawnOnNode(node: string, definition: AnyDefinition, arg: unknown, name: string | null): Promise<ActorRef | null> {
    if (this.#host.remote === null) {
      throw new InvalidArgumentError(
        `spawn option node: "${node}" is another node, and this system is in no cluster (start it with { cluster }).`,
      );
    }
    if (!isDefinition(definition)) {
      throw new InvalidArgumentError(`spawn expects a definition made by defineActor(import.meta.url, { … }).`);
    }
    return this.#host.remote.spawnOn(node, definition.url, definition.key, arg, name);
  }

  /**
   * Stops every actor still on this loop (last phase of shutdown). With `force` (the
   * shutdown deadline has passed) nothing is awaited: every message not yet processed,
   * including one a busy handler is still working on, is counted as undelivered, asks
   * among them fail, and `onStop` hooks not yet started are skipped (and listed).
   */
  async stopAll(force: boolean): Promise<void> {
    const host = this.#host;
    if (!force) {
      // A parent's stop waits for its children's, so stopping all at once keeps children first.
      await Promise.all([...host.cells.keys()].map((id) => this.stopActor(id, { normal: true, reason: "the system shut down" })));
      return;
    }
    for (const cell of [...host.cells.values()]) this.discard(cell, "shutdown");
  }

  /** Removes `cell` at once, without hooks: its mail is undeliverable (shutdown deadline, or its worker died). */
  discard(cell: ActorCell, why: "shutdown" | "worker-exited"): void {
    const host = this.#host;
    if (cell.restartTimer !== undefined) host.clock.clearTimeout(cell.restartTimer);
    cell.timers?.cancelAll();
    host.delivery.undeliverable(cell, cell.mailbox.drain(), cell.busy ? 1 : 0, why === "shutdown" ? "undelivered" : "worker-exited");
    if (!cell.stopRunning) host.hooksSkipped.push(cell.label);
    cell.status = "stopped";
    host.cells.delete(cell.localId);
    cell.stopDone?.();
  }

  // ---- a worker died -----------------------------------------------------------------------

  /**
   * Actors of a dead worker were re-created (`restarted`, same addresses) or are gone for
   * good (`lost`). Watchers of lost actors get `Terminated`; watches of restarted ones are
   * registered again; children of either stop (a restart stops children, as in Akka).
   */
  actorsLost(lost: [addr: number, label: string][], restarted: number[], reason: string): void {
    const host = this.#host;
    const lostSet = new Map(lost);
    const restartedSet = new Set(restarted);
    for (const cell of [...host.cells.values()]) {
      for (const addr of lostSet.keys()) cell.children.delete(addr);
      this.watch.actorsLost(cell, lostSet, restartedSet, reason, (env) => host.delivery.deliver(env));
      if (lostSet.has(cell.parent)) void this.stopActor(cell.localId, { normal: false, reason: `its parent was lost: ${reason}` });
      else if (restartedSet.has(cell.parent)) void this.stopActor(cell.localId, { normal: true, reason: "its parent restarted" });
    }
  }
}

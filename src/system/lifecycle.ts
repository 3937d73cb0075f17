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
import type { ActorCell } from "../actor/cell.ts";
import type { SpawnOptions } from "../actor/context.ts";
import { type AnyDefinition, isDefinition, type Terminated } from "../actor/definition.ts";
import { ActorRef } from "../actor/ref.ts";
import { backoffDelay } from "../actor/supervision.ts";
import { ActorStoppedError, InvalidArgumentError, LinkedActorError, MissiveError } from "../errors.ts";
import { type Envelope, localIdOf, loopOf } from "../wire/envelope.ts";
import type { ContextHost } from "./actor-context.ts";
import { mainLoopKeeps, Spawner, type SpawnHost } from "./spawn.ts";
import type { LogEvent } from "./log.ts";
import type { LoopOps, OpName, OpPayload, OpReply } from "./ops.ts";
import type { RemoteHost } from "./remote.ts";
import { DeathWatch, type StopReason } from "./watch.ts";
import { describeError } from "../util/error-text.ts";

export type { StopReason } from "./watch.ts";

/** What the lifecycle needs from its loop (`Loop` implements it). */
export interface LifecycleHost extends SpawnHost {
  readonly ops: LoopOps;
  readonly hooksSkipped: string[];
  failures: number;
  requestOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>, userValue?: unknown, label?: string): Promise<OpReply<K>>;
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
  /** An actor of this loop is gone (the live count the main loop can read after a crash). */
  actorGone(): void;
  /** `value` as the receiving actor's own copy (as it is when immutable); a typed error naming `label` when it cannot be sent. */
  copyValue(value: unknown, label: string, what: string): unknown;
}

const NORMAL: StopReason = { normal: true, reason: "stopped" };

/** True once `cell` is stopping or stopped: a child it spawns must not outlive it. */
const parentGone = (cell: ActorCell): boolean => cell.status === "stopping" || cell.status === "stopped";

export class Lifecycle {
  readonly #host: LifecycleHost;
  readonly watch: DeathWatch;
  readonly #spawner: Spawner;
  /** Main loop: a top-level actor stopped (the system forgets it). */
  onTopLevelStopped: ((address: number) => void) | null = null;

  constructor(host: LifecycleHost) {
    this.#host = host;
    this.watch = new DeathWatch(host);
    // The loop's side of every actor's context: one object for all of them.
    const context: ContextHost = {
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
    };
    this.#spawner = new Spawner(host, context, (cell) => this.continueStop(cell));
    const ops = host.ops;
    ops.on("spawn", (request) => this.#spawner.spawnOp(request));
    ops.on("stop", (p) => {
      const [localId, normal = true, reason = "stopped"] = Array.isArray(p) ? p : [p];
      return this.stopActor(localId, { normal, reason });
    });
    ops.on("childStopped", ([parent, child]) => this.#forgetChild(parent, child));
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
  spawnOn(loop: number, definition: AnyDefinition, arg: unknown, parent: number, name: string | null): Promise<ActorRef> {
    const spawned = this.#spawnOn(loop, definition, arg, parent, name);
    return spawned instanceof ActorRef ? Promise.resolve(spawned) : spawned;
  }

  /** {@link spawnOn}, with the ref at once (no promise) when the actor started synchronously on this loop. */
  #spawnOn(loop: number, definition: AnyDefinition, arg: unknown, parent: number, name: string | null): ActorRef | Promise<ActorRef> {
    const host = this.#host;
    try {
      if (!isDefinition(definition)) {
        throw new InvalidArgumentError(
          `spawn expects a definition made by defineActor(import.meta.url, { … }); got ${String(definition)}.`,
        );
      }
      const spawned = loop === host.index && name === null
        // The fast path: no request to this loop itself (see spawn.ts). The child gets its own copy of `arg`.
        ? this.#spawner.spawnHere(definition, host.copyValue(arg, definition.name ?? "the spawned actor", "(spawn argument)"), parent)
        : name === null
        ? host.requestOp(loop, "spawn", [definition.url, definition.key, arg, parent, null], arg, definition.name)
        // A name is reserved on the main loop, which keeps the names.
        : host.requestOp(0, "spawnNamed", [loop, definition.url, definition.key, arg, parent, name], arg, definition.name);
      if (!(spawned instanceof Promise)) return host.refTo(spawned[0], spawned[1], spawned[2]);
      return spawned.then(([addr, label, flow]) => host.refTo(addr, label, flow));
    } catch (e) {
      return Promise.reject(e);
    }
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

  #spawnChild(cell: ActorCell, definition: AnyDefinition, arg: unknown, options: SpawnOptions | undefined): Promise<ActorRef> {
    if (options?.node !== undefined) return this.#spawnChildOnNode(cell, definition, arg, options);
    let loop: number;
    try {
      loop = this.loopFor(options, this.#host.index);
    } catch (e) {
      return Promise.reject(e);
    }
    const spawned = this.#spawnOn(loop, definition, arg, cell.address, options?.name ?? null);
    if (spawned instanceof ActorRef && !parentGone(cell)) {
      // Started synchronously, here and now, by a parent that is not stopping.
      cell.children.add(spawned.address);
      return Promise.resolve(spawned);
    }
    return Promise.resolve(spawned).then(async (ref) => {
      if (parentGone(cell)) {
        // The parent stopped while the child was being created: the child must not outlive it.
        await this.#stopAt(ref.address, true, "its parent stopped");
        throw new ActorStoppedError(cell.label, "it stopped while spawning a child");
      }
      cell.children.add(ref.address);
      return ref;
    });
  }

  /** Stops actor `addr`: at once when it is on this loop, else by a request to its loop. */
  #stopAt(addr: number, normal: boolean, reason: string): Promise<void> {
    const host = this.#host;
    if (loopOf(addr) === host.index) return this.stopActor(localIdOf(addr), { normal, reason });
    return host.requestOp(loopOf(addr), "stop", [localIdOf(addr), normal, reason]);
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
    if (cell.status === "stopped") return Promise.resolve(); // it stopped at once
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
    this.#runStop(cell); // its promise (cell.stopping) is made only for a caller that waits (stopActor)
  }

  /** The stop sequence; at once (no turn) when the actor has no children and no `onStop`. */
  #runStop(cell: ActorCell): void {
    const host = this.#host;
    cell.stopRunning = true;
    cell.status = "stopping";
    cell.timers?.cancelAll();
    host.beginWork();
    const onStop = cell.definition.spec.onStop;
    if (onStop === undefined && !(cell.hasRelations && cell.children.size + cell.remoteChildren.size > 0)) return this.#stopped(cell);
    void (async () => {
      let finished = false;
      try {
        await this.#stopChildren(cell, "its parent stopped");
        try {
          await onStop?.(cell.state, cell.ctx);
        } catch (e) {
          host.failures++;
          host.log({ level: "error", source: cell.label, message: "onStop failed", error: e });
        }
        finished = true;
      } finally {
        if (finished) this.#stopped(cell);
        else {
          cell.stopDone?.();
          host.endWork();
        }
      }
    })();
  }

  /** The end of a stop: the mailbox is accounted for, watchers, the parent and the main loop are told. */
  #stopped(cell: ActorCell): void {
    const host = this.#host;
    try {
      if (cell.mailbox.length > 0) host.delivery.undeliverable(cell, cell.mailbox.drain());
      cell.status = "stopped";
      host.cells.delete(cell.localId);
      this.watch.stopped(cell, cell.stopReason ?? NORMAL);
      host.actorGone();
      this.#childStopped(cell.parent, cell.address);
      if (mainLoopKeeps(cell.supervision.strategy, cell.name, cell.parent)) host.tellOp(0, "gone", [cell.address, cell.name]);
    } finally {
      cell.stopDone?.();
      host.endWork();
    }
  }

  /** Child `child` of `parent` stopped: its parent forgets it (here at once, else by a notice to its loop). */
  #childStopped(parent: number, child: number): void {
    const host = this.#host;
    if (loopOf(parent) !== host.index) host.tellOp(loopOf(parent), "childStopped", [localIdOf(parent), child]);
    else this.#forgetChild(localIdOf(parent), child);
  }

  /** Actor `parent` of this loop (0: the guardian, for a top-level actor) forgets its stopped child `child`. */
  #forgetChild(parent: number, child: number): void {
    if (parent === 0) return this.onTopLevelStopped?.(child);
    const cell = this.#host.cells.get(parent);
    if (cell?.hasRelations) cell.children.delete(child);
  }

  async #stopChildren(cell: ActorCell, reason: string): Promise<void> {
    if (!cell.hasRelations || cell.children.size + cell.remoteChildren.size === 0) return;
    const children = [...cell.children];
    const remote = [...cell.remoteChildren];
    cell.remoteChildren.clear();
    await Promise.all([
      ...children.map((child) => this.#stopAt(child, true, reason).catch(() => undefined)),
      ...remote.map((child) => this.#host.remote?.stop(child, reason).catch(() => undefined)),
    ]);
  }

  /** `ctx.spawn(…, { node })`: a child on another node (stopped with its parent, not supervised by it); on this node, as usual. */
  async #spawnChildOnNode(cell: ActorCell, definition: AnyDefinition, arg: unknown, options: SpawnOptions): Promise<ActorRef> {
    const ref = await this.#spawnOnNode(options.node!, definition, arg, options.name ?? null);
    if (ref === null) return this.#spawnChild(cell, definition, arg, { ...options, node: undefined });
    if (cell.status === "stopping" || cell.status === "stopped") {
      await this.#host.remote!.stop(ref, "its parent stopped").catch(() => undefined);
      throw new ActorStoppedError(cell.label, "it stopped while spawning a child");
    }
    cell.remoteChildren.add(ref);
    return ref;
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
    host.actorGone();
    cell.stopDone?.();
  }

  // ---- a worker died -----------------------------------------------------------------------

  /**
   * Actors of a dead worker were re-created (`restarted`, same addresses) or are gone for
   * good (`lost`). Watchers of lost actors get `Terminated`; watches of restarted ones are
   * registered again; children of either stop (a restart stops children, as in Akka).
   */
  actorsLost(deadLoop: number, lost: [addr: number, label: string][], restarted: number[], reason: string): void {
    const host = this.#host;
    // Every actor of the dead loop that was not re-created is lost, whether or not the main loop kept a record of it.
    const labels = new Map(lost);
    const restartedSet = new Set(restarted);
    const isLost = (addr: number) => loopOf(addr) === deadLoop && localIdOf(addr) !== 0 && !restartedSet.has(addr);
    for (const cell of [...host.cells.values()]) {
      if (cell.hasRelations) {
        for (const addr of [...cell.children]) if (isLost(addr)) cell.children.delete(addr);
        this.watch.actorsLost(cell, isLost, labels, restartedSet, reason, (env) => host.delivery.deliver(env));
      }
      if (isLost(cell.parent)) void this.stopActor(cell.localId, { normal: false, reason: `its parent was lost: ${reason}` });
      else if (restartedSet.has(cell.parent)) void this.stopActor(cell.localId, { normal: true, reason: "its parent restarted" });
    }
  }
}

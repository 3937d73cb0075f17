/**
 * The life of the actors on one loop: spawn, supervision (resume / restart / stop /
 * escalate), stop (children first, then `onStop`, then the mailbox accounted for), and
 * death watch and links.
 *
 * Death watch: `ctx.watch(ref)` registers the watcher with the watched actor's loop; when
 * it stops, every watcher gets a `$terminated` message in mailbox order, handled by the
 * definition's `onTerminated`. Watching an actor that is already gone delivers the signal
 * at once, so a stop is never missed. `ctx.link(ref)` is a watch both ways where an
 * abnormal stop fails the other actor with `LinkedActorError` (Erlang's links; a normal
 * stop does not propagate).
 *
 * @example
 * ```ts
 * handlers: {
 *   async supervise(state, _: void, ctx) {
 *     state.worker = await ctx.spawn(Worker, 1);
 *     ctx.watch(state.worker);
 *   },
 * },
 * onTerminated(state, t) { console.log(t.actor.label, "stopped:", t.reason); },
 * ```
 * @module
 */
import { ActorCell } from "../actor/cell.ts";
import type { ActorContext, DeferredReply, SpawnOptions } from "../actor/context.ts";
import { type AnyDefinition, findExported, isDefinition, type Terminated } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { backoffDelay } from "../actor/supervision.ts";
import { ActorInitError, ActorStoppedError, DefinitionNotFoundError, InvalidArgumentError, LinkedActorError, MissiveError } from "../errors.ts";
import { address, type Envelope, Kind, localIdOf, loopOf, SystemMessage } from "../wire/envelope.ts";
import type { Loop } from "./loop.ts";
import { createBarrier, createChannel, createLatch } from "../channel/mod.ts";

/** Why an actor stopped (what watchers and linked actors are told). */
export interface StopReason {
  normal: boolean;
  reason: string;
  error?: unknown;
}

const NORMAL: StopReason = { normal: true, reason: "stopped" };

/** `[url, key, arg, parentAddress, name, localId?]` of a spawn request. */
export type SpawnRequest = [url: string, key: string, arg: unknown, parent: number, name: string | null, localId?: number];

/** `[address, label, flow]` answered to a spawn request (flow: see `ActorRef`). */
export type SpawnReply = [addr: number, label: string, flow: number];

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * `starting` (init, then onStart), failed with a timeout error after `ms` milliseconds. A
 * start that ends later is ignored (its actor was removed); its failure is not unhandled.
 */
async function withinInitTimeout(starting: Promise<void>, ms: number): Promise<void> {
  if (!Number.isFinite(ms)) return starting;
  starting.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new MissiveError(`init and onStart did not finish within ${ms} ms (the system's initTimeout); make init settle, or raise initTimeout.`)),
      ms,
    );
  });
  try {
    await Promise.race([starting, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stopped actors whose reason is remembered, per loop, for watchers that come late. */
const TOMBSTONES = 1024;

export class Lifecycle {
  readonly #loop: Loop;
  /** Recently stopped actors: address → `$terminated` payload (oldest first). */
  readonly #tombstones = new Map<number, unknown[]>();
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();

  constructor(loop: Loop) {
    this.#loop = loop;
    loop.ops.set("spawn", (p) => this.#spawnOp(p as SpawnRequest));
    loop.ops.set("stop", (p) => {
      const [localId, normal = true, reason = "stopped"] = (Array.isArray(p) ? p : [p]) as [number, boolean?, string?];
      return this.stopActor(localId, { normal, reason });
    });
    loop.ops.set("childStopped", (p) => {
      const [parent, child] = p as [number, number];
      loop.cells.get(parent)?.children.delete(child);
    });
    loop.ops.set("watch", (p) => this.#watchOp(p as [number, number, boolean]));
    loop.ops.set("unwatch", (p) => {
      const [target, watcher] = p as [number, number];
      loop.cells.get(target)?.watchers.delete(watcher);
    });
    loop.ops.set("childFailed", (p) => {
      const [parent, childLabel, error] = p as [number, string, unknown];
      const cell = loop.cells.get(parent);
      if (cell !== undefined && cell.status === "running") {
        loop.failures++;
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
    const request: SpawnRequest = [definition.url, definition.key, arg, parent, name];
    const [addr, label, flow] = (await this.#loop.requestOp(loop, "spawn", request, arg, definition.name)) as SpawnReply;
    return this.#loop.refTo(addr, label, flow);
  }

  /** Checks a `worker` option against the system size and returns the loop index. */
  loopFor(options: SpawnOptions | undefined, fallback: number): number {
    const worker = options?.worker;
    if (worker === undefined) return fallback;
    const workers = this.#loop.options.workers;
    if (!Number.isInteger(worker) || worker < 0 || worker >= workers) {
      throw new InvalidArgumentError(`spawn option worker: ${worker} is not a worker index; use 0 to ${workers - 1}.`);
    }
    return worker + 1;
  }

  async #spawnOp([url, key, arg, parent, name, wantedId]: SpawnRequest): Promise<SpawnReply> {
    const loop = this.#loop;
    loop.busy++;
    try {
      const namespace = await this.#import(url);
      const found = findExported(namespace, key);
      if (found === undefined) {
        throw new DefinitionNotFoundError(
          `${url} does not export the actor definition ${key.slice(key.lastIndexOf("#") + 1)}: define it at the top level of ` +
            `that module and export it (export const X = defineActor(import.meta.url, { … })).`,
        );
      }
      let localId: number;
      if (wantedId !== undefined) {
        localId = wantedId;
        loop.reserveLocalIds(wantedId);
      } else localId = loop.allocateLocalId();
      const addr = address(loop.index, localId);
      const label = name ?? `${found.exportName}#${localId}@w${loop.index - 1}`;
      const cell = new ActorCell(localId, addr, found.definition, label, parent, name, arg);
      // A restart needs the argument as it was at spawn, untouched by init.
      if (cell.supervision.strategy === "restart") cell.initBytes = loop.codec.encode(arg);
      cell.ctx = this.#context(cell);
      loop.cells.set(localId, cell);
      loop.unpark(localId); // messages that reached a re-created actor before it existed
      const spec = found.definition.spec;
      try {
        await withinInitTimeout((async () => {
          cell.state = await spec.init(arg, cell.ctx);
          await spec.onStart?.(cell.state, cell.ctx);
        })(), loop.options.initTimeout);
      } catch (e) {
        loop.cells.delete(localId);
        cell.status = "stopped";
        loop.undeliverable(cell, cell.mailbox.drain());
        cell.stopDone?.(); // nothing to stop: init never finished
        throw new ActorInitError(label, e);
      }
      cell.status = "running";
      // The main loop keeps a directory of every actor, to re-create them if this worker dies.
      const restartArg = cell.supervision.strategy === "restart" ? arg : null;
      const { strategy, maxRestarts, withinMs } = cell.supervision;
      loop.tellOp(0, "spawned", [addr, url, key, parent, name, label, strategy, maxRestarts, withinMs, restartArg]);
      this.continueStop(cell); // a stop requested during init
      loop.dispatcher.enqueue(cell);
      return [addr, label, cell.counted ? (cell.overflow === "reject" ? -cell.capacity : cell.capacity) : 0];
    } finally {
      loop.busy--;
      if (!loop.dispatcher.active) loop.onMaybeIdle?.();
    }
  }

  #import(url: string): Promise<Record<string, unknown>> {
    let mod = this.#modules.get(url);
    if (mod === undefined) {
      mod = import(url).catch((e) => {
        this.#modules.delete(url);
        throw new DefinitionNotFoundError(`could not import ${url} on loop ${this.#loop.index}: ${(e as Error)?.message}`);
      });
      this.#modules.set(url, mod);
    }
    return mod;
  }

  #context(cell: ActorCell): ActorContext {
    const loop = this.#loop;
    const self = loop.refTo(cell.address, cell.label);
    const ctx: ActorContext = {
      self,
      get sender() {
        return cell.sender !== 0 && localIdOf(cell.sender) !== 0 ? loop.refTo(cell.sender, `actor ${cell.sender}`) : undefined;
      },
      worker: loop.index - 1,
      label: cell.label,
      // deno-lint-ignore no-explicit-any
      spawn: async (definition: AnyDefinition, arg?: unknown, options?: SpawnOptions): Promise<any> => {
        const target = this.loopFor(options, loop.index);
        const name = options?.name ?? null;
        const ref = name === null
          ? await this.spawnOn(target, definition, arg, cell.address, null)
          : await this.#spawnNamed(target, definition, arg, cell.address, name);
        if (cell.status === "stopping" || cell.status === "stopped") {
          // The parent stopped while the child was being created: the child must not outlive it.
          await loop.requestOp(loopOf(ref.address), "stop", localIdOf(ref.address));
          throw new ActorStoppedError(cell.label, "it stopped while spawning a child");
        }
        cell.children.add(ref.address);
        return ref;
      },
      stop: () => {
        cell.stopRequested = true;
        if (loop.current !== cell) this.continueStop(cell);
      },
      deferReply: <T>(): DeferredReply<T> => {
        const env = cell.currentEnv;
        if (loop.current !== cell || env === null) {
          throw new InvalidArgumentError("ctx.deferReply() must be called in the synchronous part of a handler.");
        }
        const isAsk = (env[0] & 7) === Kind.Ask;
        if (isAsk) cell.deferredEnv = env;
        let settled = !isAsk;
        return {
          isAsk,
          get settled() {
            return settled;
          },
          resolve: (value: T) => {
            if (settled) return;
            settled = true;
            loop.reply(env, value);
          },
          reject: (error: unknown) => {
            if (settled) return;
            settled = true;
            loop.fail(env, error);
          },
        };
      },
      watch: (ref: ActorRef) => this.#watch(cell, ref, false),
      link: (ref: ActorRef) => this.#watch(cell, ref, true),
      unwatch: (ref: ActorRef) => {
        cell.watching.delete(ref.address);
        loop.tellOp(loopOf(ref.address), "unwatch", [localIdOf(ref.address), cell.address]);
      },
      // Channels, barriers and latches: owner actors spawned as children (see src/channel/).
      channel: (options) => createChannel((d, a, o) => ctx.spawn(d, a, o), options),
      barrier: (parties, options) => createBarrier((d, a, o) => ctx.spawn(d, a, o), parties, options),
      latch: (options) => createLatch((d, a, o) => ctx.spawn(d, a, o), options),
    };
    return ctx;
  }

  async #spawnNamed(target: number, definition: AnyDefinition, arg: unknown, parent: number, name: string): Promise<ActorRef> {
    if (!isDefinition(definition)) throw new InvalidArgumentError(`spawn expects a definition made by defineActor; got ${String(definition)}.`);
    const request = [target, definition.url, definition.key, arg, parent, name];
    const [addr, label, flow] = (await this.#loop.requestOp(0, "spawnNamed", request, arg, definition.name)) as SpawnReply;
    return this.#loop.refTo(addr, label, flow);
  }

  // ---- supervision -------------------------------------------------------------------------

  /**
   * A handler of `cell` failed with `error` (its ask, if any, already has the error).
   * `tellName` names the message when nobody else was told (a tell): that failure is logged.
   */
  failed(cell: ActorCell, error: unknown, tellName: string | null): void {
    const strategy = cell.supervision.strategy;
    if (tellName !== null) this.#loop.log({ level: "error", source: cell.label, message: `failed on "${tellName}" (supervision: ${strategy})`, error });
    switch (strategy) {
      case "resume":
        return;
      case "restart":
        void this.#restart(cell, error);
        return;
      case "stop":
        void this.stopActor(cell.localId, { normal: false, reason: `failed: ${describe(error)}`, error });
        return;
      case "escalate":
        this.#escalate(cell, error);
        return;
    }
  }

  async #restart(cell: ActorCell, error: unknown): Promise<void> {
    const loop = this.#loop;
    const n = cell.restarts.record(performance.now());
    if (n === false) {
      const { maxRestarts, withinMs } = cell.supervision;
      void this.stopActor(cell.localId, {
        normal: false,
        reason: `restarted ${maxRestarts} times within ${withinMs} ms; last failure: ${describe(error)}`,
        error,
      });
      return;
    }
    cell.status = "restarting";
    loop.busy++;
    const spec = cell.definition.spec;
    try {
      await this.#stopChildren(cell, "its parent restarted");
      try {
        await spec.onRestart?.(cell.state, error, cell.ctx);
      } catch (e) {
        loop.log({ level: "error", source: cell.label, message: "onRestart failed", error: e });
      }
      const delay = backoffDelay(n, cell.supervision.backoff);
      if (delay > 0) await new Promise<void>((resolve) => (cell.restartTimer = setTimeout(resolve, delay)));
      cell.restartTimer = undefined;
      if (cell.status !== "restarting") return; // stopped at once by a forced shutdown
      const arg = loop.codec.decode(cell.initBytes!);
      cell.state = await spec.init(arg, cell.ctx);
      await spec.onStart?.(cell.state, cell.ctx);
      cell.status = "running";
    } catch (e) {
      if (cell.status !== "restarting") return;
      cell.status = "running";
      cell.stopRequested = true;
      cell.stopReason ??= { normal: false, reason: `restart failed: init threw ${describe(e)}`, error: e };
    } finally {
      loop.busy--;
      this.continueStop(cell);
      loop.dispatcher.enqueue(cell);
      if (!loop.dispatcher.active) loop.onMaybeIdle?.();
    }
  }

  #escalate(cell: ActorCell, error: unknown): void {
    const loop = this.#loop;
    void this.stopActor(cell.localId, { normal: false, reason: `failed (escalated to its parent): ${describe(error)}`, error });
    if (localIdOf(cell.parent) === 0) return; // top level: the guardian stops it
    const payload = [localIdOf(cell.parent), cell.label, error];
    try {
      loop.tellOp(loopOf(cell.parent), "childFailed", payload);
    } catch {
      loop.tellOp(loopOf(cell.parent), "childFailed", [payload[0], payload[1], new MissiveError(describe(error))]);
    }
  }

  // ---- stop ------------------------------------------------------------------------------------

  /**
   * Stops actor `localId` of this loop after its current message: children first, then
   * `onStop`, then every message still in its mailbox is counted as undelivered (asks
   * among them fail with `ActorStoppedError`), then watchers are told. Idempotent.
   */
  stopActor(localId: number, reason: StopReason = NORMAL): Promise<void> {
    const cell = this.#loop.cells.get(localId);
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
    const loop = this.#loop;
    cell.stopRunning = true;
    cell.status = "stopping";
    loop.busy++;
    const reason = cell.stopReason ?? NORMAL;
    try {
      await this.#stopChildren(cell, "its parent stopped");
      try {
        await cell.definition.spec.onStop?.(cell.state, cell.ctx);
      } catch (e) {
        loop.failures++;
        loop.log({ level: "error", source: cell.label, message: "onStop failed", error: e });
      }
      loop.undeliverable(cell, cell.mailbox.drain());
      cell.status = "stopped";
      loop.cells.delete(cell.localId);
      for (const watched of cell.watching) loop.tellOp(loopOf(watched), "unwatch", [localIdOf(watched), cell.address]);
      this.#notifyWatchers(cell, reason);
      loop.tellOp(loopOf(cell.parent), "childStopped", [localIdOf(cell.parent), cell.address]);
      loop.tellOp(0, "gone", [cell.address, cell.name]);
    } finally {
      loop.busy--;
      cell.stopDone?.();
      if (!loop.dispatcher.active) loop.onMaybeIdle?.();
    }
  }

  async #stopChildren(cell: ActorCell, reason: string): Promise<void> {
    const loop = this.#loop;
    const children = [...cell.children];
    await Promise.all(children.map((child) => loop.requestOp(loopOf(child), "stop", [localIdOf(child), true, reason]).catch(() => undefined)));
  }

  /**
   * Stops every actor still on this loop (last phase of shutdown). With `force` (the
   * shutdown deadline has passed) nothing is awaited: every message not yet processed,
   * including one a busy handler is still working on, is counted as undelivered, asks
   * among them fail, and `onStop` hooks not yet started are skipped (and listed).
   */
  async stopAll(force: boolean): Promise<void> {
    const loop = this.#loop;
    if (!force) {
      // A parent's stop waits for its children's, so stopping all at once keeps children first.
      await Promise.all([...loop.cells.keys()].map((id) => this.stopActor(id, { normal: true, reason: "the system shut down" })));
      return;
    }
    for (const cell of [...loop.cells.values()]) this.discard(cell, "shutdown");
  }

  /** Removes `cell` at once, without hooks: its mail is undeliverable (shutdown deadline, or its worker died). */
  discard(cell: ActorCell, why: "shutdown" | "worker-exited"): void {
    const loop = this.#loop;
    clearTimeout(cell.restartTimer);
    loop.undeliverable(cell, cell.mailbox.drain(), cell.busy ? 1 : 0, why === "shutdown" ? "undelivered" : "worker-exited");
    if (!cell.stopRunning) loop.hooksSkipped.push(cell.label);
    cell.status = "stopped";
    loop.cells.delete(cell.localId);
    cell.stopDone?.();
  }

  // ---- a worker died -----------------------------------------------------------------------

  /**
   * Actors of a dead worker were re-created (`restarted`, same addresses) or are gone for
   * good (`lost`). Watchers of lost actors get `Terminated`; watches of restarted ones are
   * registered again; children of either stop (a restart stops children, as in Akka).
   */
  actorsLost(lost: [addr: number, label: string][], restarted: number[], reason: string): void {
    const loop = this.#loop;
    const lostSet = new Map(lost);
    const restartedSet = new Set(restarted);
    for (const cell of [...loop.cells.values()]) {
      for (const [addr, label] of lostSet) {
        cell.children.delete(addr);
        if (cell.watching.has(addr) || cell.links.has(addr)) {
          loop.deliver([0, cell.address, addr, 0, SystemMessage.Terminated, [addr, label, reason, false]]);
        }
      }
      for (const addr of restartedSet) {
        if (cell.watching.has(addr)) void loop.requestOp(loopOf(addr), "watch", [localIdOf(addr), cell.address, false]);
        if (cell.links.has(addr)) void loop.requestOp(loopOf(addr), "watch", [localIdOf(addr), cell.address, true]);
      }
      if (lostSet.has(cell.parent)) void this.stopActor(cell.localId, { normal: false, reason: `its parent was lost: ${reason}` });
      else if (restartedSet.has(cell.parent)) void this.stopActor(cell.localId, { normal: true, reason: "its parent restarted" });
    }
  }

  // ---- death watch --------------------------------------------------------------------------

  #watch(cell: ActorCell, ref: ActorRef, link: boolean): Promise<void> {
    (link ? cell.links : cell.watching).add(ref.address);
    return this.#loop.requestOp(loopOf(ref.address), "watch", [localIdOf(ref.address), cell.address, link]) as Promise<void>;
  }

  #watchOp([target, watcher, link]: [number, number, boolean]): void {
    const loop = this.#loop;
    const cell = loop.cells.get(target);
    if (cell === undefined || cell.status === "stopped") {
      // Gone already: tell the watcher at once, with the real reason when it is remembered.
      const addr = address(loop.index, target);
      const tomb = this.#tombstones.get(addr);
      const payload = tomb ?? [addr, `actor ${addr}`, "it was not alive", true];
      loop.tellSystem(watcher, addr, SystemMessage.Terminated, payload);
      return;
    }
    (link ? cell.links : cell.watchers).add(watcher);
  }

  #notifyWatchers(cell: ActorCell, reason: StopReason): void {
    const loop = this.#loop;
    const base = [cell.address, cell.label, reason.reason, reason.normal];
    this.#tombstones.set(cell.address, base);
    if (this.#tombstones.size > TOMBSTONES) this.#tombstones.delete(this.#tombstones.keys().next().value!);
    for (const watcher of new Set([...cell.watchers, ...cell.links])) {
      try {
        loop.tellSystem(watcher, cell.address, SystemMessage.Terminated, reason.error === undefined ? base : [...base, reason.error]);
      } catch {
        loop.tellSystem(watcher, cell.address, SystemMessage.Terminated, [...base, new MissiveError(describe(reason.error))]);
      }
    }
  }

  /**
   * A `$terminated` message reached `cell`. A linked actor's abnormal stop fails `cell`
   * (returns null); a watched actor's stop becomes the `Terminated` signal for `onTerminated`.
   * A payload of the wrong shape returns `undefined` (the caller makes it a dead letter).
   */
  terminatedSignal(cell: ActorCell, env: Envelope): Terminated | null | undefined {
    const payload = env[5];
    if (!Array.isArray(payload) || typeof payload[0] !== "number" || typeof payload[1] !== "string" || typeof payload[2] !== "string" || typeof payload[3] !== "boolean") {
      return undefined; // not a signal this framework wrote
    }
    const [addr, label, reason, normal, error] = payload as [number, string, string, boolean, unknown?];
    const watched = cell.watching.delete(addr);
    const linked = cell.links.delete(addr);
    if (linked && !normal) {
      this.#loop.failures++;
      this.failed(cell, new LinkedActorError(label, reason, error), null);
      return null;
    }
    if (!watched) return null;
    const signal: Terminated = { actor: this.#loop.refTo(addr, label), reason, normal };
    if (error !== undefined) signal.error = error;
    return signal;
  }
}

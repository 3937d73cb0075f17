/**
 * Spawning on one loop: the request from another loop (import the defining module, find
 * the exported definition), the fast path for a spawn on the spawner's own loop, and the
 * start of the cell (`init`, then `onStart`, within `initTimeout`).
 *
 * The fast path (issue 13, "spawn like Erlang"): `ctx.spawn` of a child on the parent's
 * own loop sends nothing — no request through the codec to the loop itself, no timer when
 * `init` and `onStart` are synchronous, and no notice to the main loop unless the main
 * loop must know the actor to re-create it or to forget its name after a crash
 * ({@link mainLoopKeeps}: `restart` supervision, a name, or a top-level actor). The
 * argument is still copied (the child never shares an object with its parent) and the
 * definition must still be exported by its module, as for a spawn on another worker.
 *
 * @example
 * ```ts
 * declare const host: SpawnHost; // the loop
 * declare const context: ContextHost; // the loop's side of every actor context
 * declare const Counter: AnyDefinition;
 * const spawner = new Spawner(host, context, (_cell) => {});
 * const [addr, label, flow] = await spawner.spawnHere(Counter, 0, 0); // a top-level actor on this loop (no promise if init is synchronous)
 * console.log(addr, label, flow);
 * ```
 * @module
 */
import { ActorCell } from "../actor/cell.ts";
import { type AnyDefinition, findExported } from "../actor/definition.ts";
import { ActorInitError, DefinitionNotFoundError, MissiveError } from "../errors.ts";
import type { Clock } from "../util/clock.ts";
import { isThenable } from "../util/thenable.ts";
import type { IdTable } from "../util/id-table.ts";
import { address, localIdOf } from "../wire/envelope.ts";
import { actorContext, type ContextHost } from "./actor-context.ts";
import type { OpName, OpPayload, SpawnReply, SpawnRequest } from "./ops.ts";
import type { Codec } from "../wire/codec.ts";
import type { Dispatcher } from "../actor/dispatcher.ts";
import type { Delivery } from "./delivery.ts";
import type { LoopOptions } from "./loop-options.ts";

/** What spawning needs from its loop (`Loop` implements it; `LifecycleHost` extends it). */
export interface SpawnHost {
  readonly index: number;
  readonly options: LoopOptions;
  readonly codec: Codec;
  readonly cells: IdTable<ActorCell>;
  readonly dispatcher: Dispatcher;
  readonly delivery: Delivery;
  readonly current: ActorCell | null;
  readonly clock: Clock;
  /** Imports an actor's defining module (default: `import(url)`; the testkit's deterministic mode resolves known modules at once). */
  readonly importModule?: ((url: string) => Promise<Record<string, unknown>>) | undefined;
  tellOp<K extends OpName>(loop: number, op: K, payload: OpPayload<K>): void;
  allocateLocalId(): number;
  reserveLocalIds(upTo: number): void;
  /** An actor of this loop finished starting (the live count the main loop can read after a crash). */
  actorStarted(): void;
  beginWork(): void;
  endWork(): void;
}

/**
 * True when the main loop keeps a record of the actor (the `spawned` and `gone` notices):
 * it re-creates `restart` actors after a worker crash, forgets names, and knows the
 * top-level actors. Any other actor costs the main loop nothing; after a crash every loop
 * treats the dead worker's actors that were not re-created as lost.
 */
export function mainLoopKeeps(strategy: string, name: string | null, parent: number): boolean {
  return strategy === "restart" || name !== null || localIdOf(parent) === 0;
}

/**
 * `starting` (what is left of init and onStart), failed with a timeout error after `ms`
 * milliseconds. A start that ends later is ignored (its actor was removed); its failure
 * is not unhandled.
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

/** A definition found among its module's exports. */
interface Exported {
  definition: AnyDefinition;
  exportName: string;
}

export class Spawner {
  readonly #host: SpawnHost;
  readonly #context: ContextHost;
  readonly #started: (cell: ActorCell) => void;
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();
  /** Definitions already found exported (the fast path skips the module lookup). */
  readonly #exported = new WeakMap<AnyDefinition, Exported>();
  /**
   * An unnamed actor's label is `<export>#<id>@w<worker>`, built from a prefix and a suffix
   * made once (the last export's, this loop's): a template literal made the `<export>#`
   * string again for every actor and joined four pieces, 120–150 bytes on V8 kept as long
   * as the actor lives; two concatenations of shared pieces make ~90 bytes, in ~32 ns
   * against the template's ~45 (Array.join made one flat string of 40 bytes, in ~120 ns).
   */
  #lastExport = "";
  #lastPrefix = "#";
  readonly #labelSuffix: string;

  /**
   * @param context the loop's side of every actor context
   * @param started a cell finished starting (a stop requested during init continues)
   */
  constructor(host: SpawnHost, context: ContextHost, started: (cell: ActorCell) => void) {
    this.#host = host;
    this.#context = context;
    this.#started = started;
    this.#labelSuffix = `@w${host.index - 1}`;
  }

  #labelPrefix(exportName: string): string {
    if (exportName !== this.#lastExport) {
      this.#lastExport = exportName;
      this.#lastPrefix = `${exportName}#`;
    }
    return this.#lastPrefix;
  }

  /**
   * Spawns `definition` on this loop with parent `parent`, without a request (the fast
   * path). `arg` must already be the child's own copy.
   */
  spawnHere(definition: AnyDefinition, arg: unknown, parent: number): SpawnReply | Promise<SpawnReply> {
    const host = this.#host;
    const found = this.#exported.get(definition);
    // init never runs inside a handler (its sends would carry that actor as their sender): then it waits a turn.
    if (found === undefined || host.current !== null) return this.#spawnHereLater(definition, arg, parent, found);
    host.beginWork();
    let started: SpawnReply | Promise<SpawnReply>;
    try {
      started = this.#start(found, definition.url, definition.key, arg, parent, null, undefined);
    } catch (e) {
      host.endWork();
      return Promise.reject(e);
    }
    if (!(started instanceof Promise)) {
      host.endWork();
      return started; // init and onStart were synchronous: the actor runs already
    }
    return started.finally(() => host.endWork());
  }

  async #spawnHereLater(definition: AnyDefinition, arg: unknown, parent: number, found: Exported | undefined): Promise<SpawnReply> {
    const host = this.#host;
    host.beginWork();
    try {
      found ??= await this.#find(definition.url, definition.key, definition);
      if (host.current !== null) await undefined;
      return await this.#start(found, definition.url, definition.key, arg, parent, null, undefined);
    } finally {
      host.endWork();
    }
  }

  /** The `spawn` request from another loop (or a re-creation after a crash, with `wantedId`). */
  async spawnOp([url, key, arg, parent, name, wantedId]: SpawnRequest): Promise<SpawnReply> {
    const host = this.#host;
    host.beginWork();
    try {
      return await this.#start(await this.#find(url, key), url, key, arg, parent, name, wantedId);
    } finally {
      host.endWork();
    }
  }

  async #find(url: string, key: string, expected?: AnyDefinition): Promise<Exported> {
    const found = findExported(await this.#import(url), key);
    if (found === undefined) {
      throw new DefinitionNotFoundError(
        `${url} does not export the actor definition ${key.slice(key.lastIndexOf("#") + 1)}: define it at the top level of ` +
          `that module and export it (export const X = defineActor(import.meta.url, { … })).`,
      );
    }
    if (expected !== undefined) this.#exported.set(expected, found);
    return found;
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

  /** Makes the cell, runs init and onStart (awaiting and timing them only when they are asynchronous). */
  #start(
    { definition, exportName }: Exported,
    url: string,
    key: string,
    arg: unknown,
    parent: number,
    name: string | null,
    wantedId: number | undefined,
  ): SpawnReply | Promise<SpawnReply> {
    const host = this.#host;
    let localId: number;
    if (wantedId !== undefined) {
      localId = wantedId;
      host.reserveLocalIds(wantedId);
    } else localId = host.allocateLocalId();
    const addr = address(host.index, localId);
    const label = name ?? this.#labelPrefix(exportName) + localId + this.#labelSuffix;
    const cell = new ActorCell(localId, addr, definition, label, parent, name);
    // A restart needs the argument as it was at spawn, untouched by init.
    if (cell.supervision.strategy === "restart") cell.initBytes = host.codec.encode(arg);
    cell.ctx = actorContext(cell, this.#context);
    host.cells.set(localId, cell);
    host.delivery.unpark(localId); // messages that reached a re-created actor before it existed
    const spec = definition.spec;
    let pending: Promise<void> | undefined;
    try {
      const state = spec.init(arg, cell.ctx);
      if (isThenable(state)) {
        pending = Promise.resolve(state).then(async (s) => {
          cell.state = s;
          await spec.onStart?.(s, cell.ctx);
        });
      } else {
        cell.state = state;
        const started = spec.onStart?.(state, cell.ctx);
        if (isThenable(started)) pending = Promise.resolve(started).then(() => undefined);
      }
    } catch (e) {
      throw this.#initFailed(cell, e);
    }
    if (pending === undefined) return this.#running(cell, url, key, arg);
    return withinInitTimeout(pending, host.options.initTimeout, host.clock).then(
      () => this.#running(cell, url, key, arg),
      (e) => {
        throw this.#initFailed(cell, e);
      },
    );
  }

  #initFailed(cell: ActorCell, e: unknown): ActorInitError {
    const host = this.#host;
    host.cells.delete(cell.localId);
    cell.status = "stopped";
    host.delivery.undeliverable(cell, cell.mailbox.drain());
    cell.stopDone?.(); // nothing to stop: init never finished
    return new ActorInitError(cell.label, e);
  }

  #running(cell: ActorCell, url: string, key: string, arg: unknown): SpawnReply {
    const host = this.#host;
    cell.status = "running";
    host.actorStarted();
    const { strategy, maxRestarts, withinMs } = cell.supervision;
    if (mainLoopKeeps(strategy, cell.name, cell.parent)) {
      // The main loop's directory, to re-create the actor if this worker dies, and for names.
      const restartArg = strategy === "restart" ? arg : null;
      host.tellOp(0, "spawned", [cell.address, url, key, cell.parent, cell.name, cell.label, strategy, maxRestarts, withinMs, restartArg]);
    }
    this.#started(cell); // a stop requested during init
    host.dispatcher.enqueue(cell);
    return [cell.address, cell.label, cell.counted ? (cell.overflow === "reject" ? -cell.capacity : cell.capacity) : 0];
  }
}

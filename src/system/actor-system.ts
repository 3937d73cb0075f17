/**
 * `ActorSystem`: starts one worker per core, places actors on them, and shuts everything
 * down deterministically. The facade over the worker pool (`worker-pool.ts`), the names
 * (`names.ts`) and coordinated shutdown (`shutdown.ts`).
 *
 * @example
 * ```ts
 * await using system = await ActorSystem.start({ workers: 2 });
 * const counter = await system.spawn(Counter, 0);
 * counter.tell("inc", 1);
 * console.log(await counter.ask("get")); // 1
 * ```
 * @module
 */
import type { SpawnArgs, SpawnOptions } from "../actor/context.ts";
import type { AnyDefinition } from "../actor/definition.ts";
import { ActorRef } from "../actor/ref.ts";
import { checkOptions, checkTimeout } from "../actor/validate.ts";
import { InvalidArgumentError, MailboxFullError, SystemStartError, SystemStoppedError } from "../errors.ts";
import type { WorkerHandle } from "../runtime/adapters.ts";
import { isDefinition } from "../actor/definition.ts";
import { localIdOf, loopOf } from "../wire/envelope.ts";
import type { ClusterFactory, ClusterHandle, ClusterView } from "./cluster-seam.ts";
import { DeadLetters } from "./dead-letters.ts";
import { Directory } from "./directory.ts";
import type { Logger } from "./log.ts";
import { Loop } from "./loop.ts";
import type { LoopOptions } from "./loop-options.ts";
import type { SystemMetrics } from "./metrics.ts";
import { Names } from "./names.ts";
import { notClustered } from "./remote.ts";
import { QuiescenceWatch } from "./quiescence.ts";
import type { SpawnReply } from "./ops.ts";
import { runShutdown, type ShutdownOptions, type ShutdownReport } from "./shutdown.ts";
import { SPAWN_OPTIONS, systemBase, type SystemOptions } from "./system-options.ts";
import { WorkerPool } from "./worker-pool.ts";

export type { ShutdownOptions, ShutdownReport } from "./shutdown.ts";

export type { SystemOptions } from "./system-options.ts";

let clusterFactory: ClusterFactory | null = null;

/**
 * @internal How `mod.ts` gives the core the cluster module (a layer above it), so that
 * `src/system/` never imports `src/cluster/`.
 *
 * @example
 * ```ts
 * setClusterFactory(joinCluster);
 * ```
 */
export function setClusterFactory(factory: ClusterFactory): void {
  clusterFactory = factory;
}

const loops = new WeakMap<ActorSystem, Loop>();

/** @internal The main loop of a system, for the testkit. */
export function mainLoopOf(system: ActorSystem): Loop {
  return loops.get(system)!;
}

const pools = new WeakMap<ActorSystem, WorkerPool>();

const quietWatches = new WeakMap<ActorSystem, QuiescenceWatch>();

/**
 * @internal For the testkit: resolves once nothing is queued, running or in flight anywhere
 * in `system` (see `quiescence.ts`); rejects once shutdown has begun, or with `signal`'s reason.
 */
export function whenQuiescent(system: ActorSystem, signal?: AbortSignal): Promise<void> {
  return quietWatches.get(system)!.wait(signal);
}

const directories = new WeakMap<ActorSystem, Directory>();

/** @internal For the testkit: the label of the live actor at `address` (e.g. a message's sender), if known. */
export function labelOf(system: ActorSystem, address: number): string | undefined {
  return directories.get(system)!.labelOf(address);
}

/** @internal Worker `worker`'s handle, for tests that kill workers. */
export function workerHandleOf(system: ActorSystem, worker: number): WorkerHandle {
  return pools.get(system)!.slots[worker]!.handle;
}

/** The actor system: workers, placement, names, shutdown. */
export class ActorSystem implements AsyncDisposable {
  readonly #loop: Loop;
  readonly #pool: WorkerPool;
  readonly #directory = new Directory();
  readonly #names: Names = new Names();
  /**
   * Every message that could not be delivered, system-wide: `count`, and `subscribe` for
   * each one with its target, name, argument and reason.
   */
  readonly deadLetters: DeadLetters = new DeadLetters();
  readonly #topLevel = new Set<number>();
  #nextWorker = 0;
  #stopping = false;
  #shutdown: Promise<ShutdownReport> | null = null;
  #onQuiescenceCheck: (() => void) | null = null;
  #cluster: ClusterHandle | null = null;

  private constructor(base: Omit<LoopOptions, "index">, logger: Logger | undefined) {
    const loop = (this.#loop = new Loop({ ...base, index: 0 }));
    if (logger !== undefined) loop.log = logger;
    this.deadLetters.onListenerError = (error) =>
      loop.log({ level: "error", source: loop.name, message: "a dead-letter listener threw", error });
    let quiet: QuiescenceWatch | undefined = undefined;
    this.#pool = new WorkerPool(loop, base, this.#directory, {
      stopping: () => this.#stopping,
      forget: (addr) => this.#forget(addr),
      quiescenceCheck: () => {
        this.#onQuiescenceCheck?.();
        quiet?.check();
      },
    });
    quiet = new QuiescenceWatch(loop, this.#pool, () => this.#stopping);
    loop.onMaybeIdle = () => quiet.check();
    quietWatches.set(this, quiet);
    directories.set(this, this.#directory);
    loops.set(this, loop);
    pools.set(this, this.#pool);
    this.#installOps();
  }

  /**
   * Starts the workers and resolves once every one is ready.
   *
   * @example
   * ```ts
   * const system = await ActorSystem.start(); // one worker per core
   * ```
   */
  static async start(options: SystemOptions = {}): Promise<ActorSystem> {
    const base = systemBase(options);
    if (options.cluster !== undefined && clusterFactory === null) {
      throw new SystemStartError(
        'cluster: the cluster module is not loaded. Fix: import ActorSystem from "missive-actors" (mod.ts), which registers it.',
      );
    }
    const system = new ActorSystem(base, options.logger);
    try {
      await system.#pool.start();
    } catch (e) {
      system.#stopping = true;
      throw e;
    }
    if (options.cluster !== undefined) {
      try {
        system.#joined(await clusterFactory!(system.#clusterSystem(), options.cluster));
      } catch (e) {
        await system.shutdown();
        throw e;
      }
    }
    return system;
  }

  /** What this system lends its cluster module. */
  #clusterSystem() {
    const loop = this.#loop;
    return {
      loop,
      spawnHere: async (url: string, key: string, arg: unknown, name: string | null) => {
        if (this.#stopping) throw new SystemStoppedError("spawn");
        const target = (this.#nextWorker++ % this.#pool.size) + 1;
        const [addr, label, flow] = name === null
          ? await loop.requestOp(target, "spawn", [url, key, arg, 0, null], arg)
          : await this.#spawnNamed(target, url, key, arg, 0, name);
        this.#topLevel.add(addr);
        return loop.refTo(addr, label, flow);
      },
      localName: (name: string) => this.#names.find(name),
      localNames: () => this.#names.entries(),
      stopping: () => this.#stopping,
    };
  }

  /** Wires a joined cluster in: remote refs of the main loop, and of the workers (their loop requests). */
  #joined(cluster: ClusterHandle): void {
    this.#cluster = cluster;
    const loop = this.#loop;
    const remote = (loop.remote = cluster.remote);
    const ref = ([node, addr, flow, label]: [number, number, number, string]) => new ActorRef(loop, node, addr, label, flow);
    // env[2], the request's sender: the worker's actor that sends (the receiver's ctx.sender).
    loop.ops.on("remoteTell", ([target, name, arg], env) => {
      try {
        remote.tell(ref(target), name, arg, env[2]);
      } catch (e) {
        // A worker's tell to a full bounded mailbox of another node: it cannot throw there any more, so it is counted.
        if (!(e instanceof MailboxFullError)) throw e;
        loop.delivery.record({ address: target[1], target: target[3], name, arg, reason: "mailbox-full", count: 1 });
      }
    });
    loop.ops.on("remoteSend", ([target, name, arg], env) => remote.send(ref(target), name, arg, undefined, env[2]));
    loop.ops.on("remoteAsk", ([target, name, arg], env) => remote.ask(ref(target), name, arg, { timeout: Infinity }, env[2]));
    loop.ops.on("remoteFlush", (target, env) => remote.flush(ref(target), { timeout: Infinity }, env[2]));
    loop.ops.on("remoteWatch", ([target, watcher, link]) => remote.watch(watcher, ref(target), link));
    loop.ops.on("remoteUnwatch", ([target, watcher]) => remote.unwatch(watcher, ref(target)));
    loop.ops.on("remoteStop", ([target, reason]) => remote.stop(ref(target), reason));
    loop.ops.on("remoteSpawn", ([node, url, key, arg, name]) => node === cluster.node ? null : remote.spawnOn(node, url, key, arg, name));
  }

  /**
   * The cluster this system joined (`ActorSystem.start({ cluster })`), else `null`: its
   * members, join/leave/down events, and transport counters.
   *
   * @example
   * ```ts
   * system.cluster?.subscribe((e) => console.log(`${e.node}: ${e.type} (${e.reason})`));
   * ```
   */
  get cluster(): ClusterView | null {
    return this.#cluster;
  }

  /** Number of workers. */
  get workers(): number {
    return this.#pool.size;
  }

  /** True once `shutdown()` has been called. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Replies to the main loop's asks that came after the ask had settled, the system's
   * dead letters (the same count as `system.deadLetters.count`: every loop's), and what
   * the main loop is waiting on now: asks (and flushes, spawns) without an answer yet, and
   * `send`s waiting for mailbox room. A cancelled ask or send leaves both at once.
   *
   * @example
   * ```ts
   * const { pendingAsks, waitingSends, lateReplies } = system.stats;
   * ```
   */
  get stats(): { lateReplies: number; deadLetters: number; pendingAsks: number; waitingSends: number } {
    return {
      lateReplies: this.#loop.asks.lateReplies,
      deadLetters: this.deadLetters.count,
      pendingAsks: this.#loop.asks.size,
      waitingSends: this.#loop.credits.waiting,
    };
  }

  /**
   * Spawns an actor on a worker (round-robin unless `worker` is given) and resolves with
   * its typed ref once `init` and `onStart` have run. Rejects with `ActorInitError` when
   * `init` throws, `MessageEncodeError` for an argument that cannot be sent, and
   * `ActorNameTakenError` for a name in use.
   *
   * @example
   * ```ts
   * const counter = await system.spawn(Counter, 5, { worker: 0, name: "counter" });
   * ```
   */
  async spawn<D extends AnyDefinition>(definition: D, ...args: SpawnArgs<D>): Promise<ActorRef<D>> {
    if (this.#stopping) throw new SystemStoppedError("spawn");
    const [arg, options] = args as [unknown, SpawnOptions | undefined];
    checkOptions("spawn options", options, SPAWN_OPTIONS);
    if (options?.node !== undefined && options.node !== this.#cluster?.node) {
      if (this.#cluster === null) {
        throw new InvalidArgumentError(
          `spawn option node: "${options.node}" is another node, and this system is in no cluster (start it with { cluster }).`,
        );
      }
      if (!isDefinition(definition)) {
        throw new InvalidArgumentError(`spawn expects a definition made by defineActor(import.meta.url, { … }).`);
      }
      return (await this.#cluster.spawnOn(options.node, definition.url, definition.key, arg, options.name ?? null)) as ActorRef<D>;
    }
    const lifecycle = this.#loop.lifecycle;
    const loop = lifecycle.loopFor(options, (this.#nextWorker++ % this.#pool.size) + 1);
    const ref = await lifecycle.spawnOn(loop, definition, arg, 0, options?.name ?? null);
    this.#topLevel.add(ref.address);
    return ref as ActorRef<D>;
  }

  /**
   * Stops an actor from outside, as `ctx.stop()` does from inside: after its current
   * message, children first, then `onStop`; what is left in its mailbox becomes dead letters
   * (asks among them reject) — `await ref.flush()` first to have earlier messages processed.
   * Resolves once it has stopped; watchers get `Terminated` with `reason` (normal). An
   * actor already gone resolves at once. An actor of another node of the cluster is stopped
   * there (`ActorStoppedError` when that node is not a member).
   *
   * @example
   * ```ts
   * const worker = await system.spawn(Counter, 0);
   * await system.stop(worker, "no longer needed");
   * ```
   */
  async stop(ref: ActorRef, reason = "stopped"): Promise<void> {
    if (!(ref instanceof ActorRef)) throw new InvalidArgumentError(`stop expects an ActorRef (from spawn or lookup); got ${typeof ref}.`);
    if (typeof reason !== "string") throw new InvalidArgumentError(`stop: reason must be a string; got ${typeof reason}.`);
    if (this.#stopping) throw new SystemStoppedError("stop an actor");
    if (ref.node !== 0) {
      if (this.#loop.remote === null) throw notClustered(ref);
      return await this.#loop.remote.stop(ref, reason);
    }
    const loop = loopOf(ref.address);
    if (loop < 1 || loop > this.#pool.size || localIdOf(ref.address) === 0) {
      throw new InvalidArgumentError(`stop: ${ref.label} is not an actor of this system.`);
    }
    await this.#loop.requestOp(loop, "stop", [localIdOf(ref.address), true, reason]);
  }

  /**
   * Per-worker metrics (event-loop delay, per-actor mailbox depth, processed count,
   * restarts) and the system's dead-letter and late-reply counts.
   *
   * @example
   * ```ts
   * const { workers } = await system.metrics();
   * console.log(workers.map((w) => w.eventLoopDelay.maxMs));
   * ```
   */
  async metrics(): Promise<SystemMetrics> {
    if (this.#stopping) throw new SystemStoppedError("collect metrics");
    const workers = await Promise.all(this.#pool.slots.map((_, i) => this.#loop.requestOp(i + 1, "metrics", null)));
    return { workers, deadLetters: this.deadLetters.count, lateReplies: this.#loop.asks.lateReplies };
  }

  /**
   * The ref of the actor registered under `name`. Throws `UnknownActorError` when there is none.
   *
   * @example
   * ```ts
   * const printer = system.lookup<typeof Counter>("printer");
   * ```
   */
  lookup<D extends AnyDefinition = AnyDefinition>(name: string): ActorRef<D> {
    const remote = this.#cluster === null || this.#names.find(name) !== undefined ? undefined : this.#cluster.lookup(name);
    return (remote ?? this.#names.lookup(name)) as ActorRef<D>;
  }

  /** The main loop's part of the loop-level requests: names, the directory, dead letters. */
  #installOps(): void {
    const loop = this.#loop;
    loop.onDeadLetter = (d) => this.deadLetters.record(d);
    loop.lifecycle.onTopLevelStopped = (child) => this.#topLevel.delete(child);
    loop.ops.on("spawnNamed", ([target, url, key, arg, parent, name]) => {
      if (this.#stopping) throw new SystemStoppedError("spawn");
      return this.#spawnNamed(target, url, key, arg, parent, name);
    });
    loop.ops.on(
      "deadLetter",
      ([addr, target, name, reason, count, arg]) => this.deadLetters.record({ address: addr, target, name, reason, count, arg }),
    );
    loop.ops.on("spawned", ([address, url, key, parent, name, label, strategy, maxRestarts, withinMs, arg]) => {
      const restartArg = strategy === "restart" ? loop.codec.encode(arg) : null;
      this.#directory.spawned({ address, url, key, parent, name, label, strategy, restartArg }, maxRestarts, withinMs);
    });
    loop.ops.on("gone", ([addr, name]) => {
      this.#directory.gone(addr);
      if (name !== null && this.#names.find(name)?.address === addr) this.#cluster?.releaseName(name);
      this.#names.forget(addr, name);
    });
  }

  /** Spawns a named actor on loop `target`: the name is reserved while it starts, released if it fails. */
  async #spawnNamed(target: number, url: string, key: string, arg: unknown, parent: number, name: string): Promise<SpawnReply> {
    this.#names.reserve(name);
    try {
      // Names are cluster-wide: claimed in the cluster's registry (or checked against the heartbeats) first.
      await this.#cluster?.claimName(name);
    } catch (e) {
      this.#names.release(name);
      throw e;
    }
    try {
      const reply = await this.#loop.requestOp(target, "spawn", [url, key, arg, parent, name], arg);
      this.#names.commit(name, this.#loop.refTo(...reply));
      return reply;
    } catch (e) {
      this.#names.release(name);
      this.#cluster?.releaseName(name);
      throw e;
    }
  }

  /** Drops a gone actor from the main loop's books (names, top level). */
  #forget(addr: number): void {
    this.#topLevel.delete(addr);
    for (const [name, ref] of this.#names.entries()) if (ref.address === addr) this.#cluster?.releaseName(name);
    this.#names.forget(addr);
  }

  /**
   * Shuts the system down: refuse, drain, stop (children first), exit (see `shutdown.ts`).
   * Resolves after the last worker has exited. Calling it again returns the same promise.
   *
   * @example
   * ```ts
   * const report = await system.shutdown({ timeout: 5_000 });
   * if (report.deadlineHit) console.warn("not processed:", report.undelivered);
   * ```
   */
  shutdown(options: ShutdownOptions = {}): Promise<ShutdownReport> {
    if (this.#shutdown === null) {
      try {
        checkOptions("shutdown options", options, ["timeout"]);
        checkTimeout("shutdown option timeout", options.timeout);
      } catch (e) {
        return Promise.reject(e);
      }
      this.#stopping = true;
      this.#shutdown = runShutdown({
        loop: this.#loop,
        pool: this.#pool,
        directory: this.#directory,
        topLevel: this.#topLevel,
        setQuiescenceCheck: (check) => (this.#onQuiescenceCheck = check),
      }, options.timeout ?? 30_000).then(async (report) => {
        // The cluster goes last: until the workers have exited, replies may still be owed to other nodes.
        await this.#cluster?.close();
        return report;
      });
    }
    return this.#shutdown;
  }

  /** `await using system = await ActorSystem.start()` shuts down at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}

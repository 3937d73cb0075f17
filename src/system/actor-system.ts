/**
 * `ActorSystem`: starts one worker per core, places actors on them, and shuts everything
 * down deterministically.
 *
 * Shutdown runs in phases (as Akka's coordinated shutdown):
 * 1. **refuse** — new `tell`/`ask`/`spawn` from outside the actors throw `SystemStoppedError`;
 * 2. **drain** — channels are closed (they still hand out what they buffer, so actors
 *    reading them in a loop finish), then every mailbox is processed, including what actors send each other while
 *    draining. Quiescence is detected without polling: each worker reports whenever it
 *    becomes idle, with how many envelopes it sent to and received from every other loop;
 *    the system is quiescent when every worker's last report is idle and every
 *    sent-count equals the matching received-count (Mattern's counting method: no
 *    message can be in flight unseen);
 * 3. **stop** — top-level actors stop, each stopping its children first (`onStop` runs
 *    children before parents);
 * 4. **exit** — each worker stops what is left, reports its counters and is terminated;
 *    `shutdown()` resolves after the last worker has exited.
 *
 * With a `timeout`, phases 2–3 end at the deadline: messages still in mailboxes are
 * counted per actor in the report's `undelivered`, never dropped silently.
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
import { ActorNameTakenError, ActorStoppedError, InvalidArgumentError, MissiveError, SystemStoppedError, UnknownActorError } from "../errors.ts";
import { availableParallelism, runtimeName, startWorker, type WorkerExit, type WorkerHandle } from "../runtime/adapters.ts";
import type { FromWorker, ToWorker } from "./control.ts";
import { logEventFromWire, type Logger } from "./log.ts";
import { Loop, type LoopOptions, type LoopStats } from "./loop.ts";
import { Directory } from "./directory.ts";
import { type DeadLetterReason, DeadLetters } from "./dead-letters.ts";
import type { SystemMetrics, WorkerMetrics } from "./metrics.ts";
import type { SpawnReply } from "./lifecycle.ts";
import { address, localIdOf, loopOf } from "../wire/envelope.ts";
import { checkInteger, checkOptions, checkTimeout } from "../actor/validate.ts";
import type { SupervisionStrategy } from "../actor/supervision.ts";
import {
  type Barrier, type Channel, ChannelOwner, type ChannelOptions, createBarrier, createChannel, createLatch, type Latch, type PlacementOptions,
} from "../channel/mod.ts";

/** Options of {@link ActorSystem.start}. */
export interface SystemOptions {
  /** Number of workers (default: available parallelism, i.e. one per core). */
  workers?: number;
  /** Default ask timeout in ms (default 30 000; `Infinity` for none). */
  askTimeout?: number;
  /** Messages one actor processes before others get a turn (default 64). */
  throughput?: number;
  /** Milliseconds a dispatcher works before yielding to timers and I/O (default 2). */
  sliceMs?: number;
  /** Largest encoded message, in bytes (default 16 MiB, at most 1 GiB); larger ones throw `MessageTooLargeError`. */
  maxMessageBytes?: number;
  /**
   * Where the system's log events go: handler failures on tells, hooks that threw, bad frames,
   * replaced workers (default: {@link consoleLogger}, one line per event on the console).
   * Called on the main thread; workers forward their events.
   */
  logger?: Logger;
  /**
   * Milliseconds an actor's `init` and `onStart` may take before its spawn rejects with
   * `ActorInitError` (default 30 000; `Infinity` for none). The actor is then removed.
   */
  initTimeout?: number;
}

/** Options of {@link ActorSystem.shutdown}. */
export interface ShutdownOptions {
  /** Deadline in ms for draining and stopping (default 30 000; `Infinity` to wait for ever). */
  timeout?: number;
}

/** What shutdown did. */
export interface ShutdownReport {
  /** True when the deadline passed before every mailbox drained. */
  deadlineHit: boolean;
  /** Messages never processed, per actor label (empty after a full drain). */
  undelivered: Record<string, number>;
  /** Messages sent to actors that were already gone. */
  deadLetters: number;
  /** Replies that came after their ask had settled. */
  lateReplies: number;
  /** Messages processed over the system's life. */
  processed: number;
  /** Handler failures over the system's life. */
  failures: number;
  /** How each worker ended. */
  exits: WorkerExit[];
  /** Actors whose `onStop` was skipped because the deadline had passed. */
  hooksSkipped: string[];
  /**
   * Workers that sent no final report (terminated after the grace period, e.g. stuck in a
   * handler): their own counts are missing; what others sent to them and they never took
   * is in `undelivered` as `worker N (no report)`, and their actors are in `hooksSkipped`.
   */
  unreported: number[];
  /**
   * Workers that may still be running after shutdown: on Deno a worker stuck in synchronous
   * code (`while (true)`) cannot be terminated, and it keeps the process alive. Always empty
   * on Node and Bun. When not empty, end the process yourself: `Deno.exit(1)`.
   */
  unterminated: number[];
  /** Workers that died while the system ran (each was replaced). */
  crashes: (WorkerExit & { worker: number })[];
  /** Milliseconds the shutdown took. */
  durationMs: number;
}

interface WorkerSlot {
  handle: WorkerHandle;
  /** Resolves when the worker has said it is ready (rejects if it exits first). */
  ready: PromiseWithResolvers<void>;
  idle: { sent: number[]; received: number[] } | null;
  stats: LoopStats | null;
  exitedReport: PromiseWithResolvers<void>;
  /** What a Deno worker said just before it exited by itself (web workers have no exit event). */
  exitNotice: WorkerExit | null;
  /** Died during shutdown and was not replaced: left out of the drain. */
  dead?: boolean;
  /** Shutdown is terminating it: its exit is not a crash. */
  terminating?: boolean;
  /** Resolves when the worker says it got the exit (and from then on runs no user code if forced). */
  exitStarted: PromiseWithResolvers<void>;
  exitStartedSeen: boolean;
  /** The worker's row of taken counts in shared memory (see `Loop.lostTo`). */
  taken: SharedArrayBuffer;
}

/** Every exit the system did not ask for is a crash, whatever code the runtime reports (Bun says 0 after an unhandled rejection). */
function normaliseExit(exit: WorkerExit): WorkerExit {
  if (exit.code !== 0 || exit.error !== undefined) return exit;
  return { ...exit, code: 1, reason: `exited unexpectedly (${exit.reason}, code 0; e.g. an unhandled rejection on Bun)` };
}

/**
 * Past the shutdown deadline: how long a worker gets to say it got the exit (else it is
 * stuck in user code), and then how long those that answered get to report.
 */
const EXIT_GRACE_MS = 2_000;

const isActorRef = (v: unknown): v is ActorRef => v instanceof ActorRef;

const loops = new WeakMap<ActorSystem, Loop>();

/** @internal The main loop of a system, for the testkit. */
export function mainLoopOf(system: ActorSystem): Loop {
  return loops.get(system)!;
}

const handles = new WeakMap<ActorSystem, (worker: number) => WorkerHandle>();

/** @internal Worker `worker`'s handle, for tests that kill workers. */
export function workerHandleOf(system: ActorSystem, worker: number): WorkerHandle {
  return handles.get(system)!(worker);
}

const WORKER_MODULE = new URL("./worker-main.ts", import.meta.url);

/** The actor system: workers, placement, names, shutdown. */
export class ActorSystem implements AsyncDisposable {
  readonly #loop: Loop;
  readonly #base: Omit<LoopOptions, "index">;
  readonly #workers: WorkerSlot[] = [];
  readonly #directory = new Directory();
  readonly #workerExits: (WorkerExit & { worker: number })[] = [];
  readonly #names = new Map<string, ActorRef | null>();
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

  private constructor(loop: Loop, base: Omit<LoopOptions, "index">) {
    this.#loop = loop;
    this.#base = base;
    loops.set(this, loop);
    handles.set(this, (worker) => this.#workers[worker]!.handle);
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
    checkOptions("ActorSystem.start options", options);
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1 || workers > 1000) {
      throw new InvalidArgumentError(`workers: ${workers} is not a worker count; use a whole number from 1 to 1000 (default: one per core).`);
    }
    checkTimeout("askTimeout", options.askTimeout, true);
    checkTimeout("initTimeout", options.initTimeout, true);
    checkInteger("throughput", options.throughput, 1, 1_000_000);
    checkTimeout("sliceMs", options.sliceMs, true);
    if (options.sliceMs === Infinity) throw new InvalidArgumentError("sliceMs must be a finite number of milliseconds > 0 (the dispatcher yields after it); got Infinity.");
    checkInteger("maxMessageBytes", options.maxMessageBytes, 64, 1 << 30);
    if (options.logger !== undefined && typeof options.logger !== "function") {
      throw new InvalidArgumentError(`logger must be a function (event) => void, e.g. consoleLogger(); got ${typeof options.logger}.`);
    }
    const base = {
      workers,
      askTimeout: options.askTimeout ?? 30_000,
      initTimeout: options.initTimeout ?? 30_000,
      throughput: options.throughput ?? 64,
      sliceMs: options.sliceMs ?? 2,
      maxMessageBytes: options.maxMessageBytes ?? 16 * 1024 * 1024,
    };
    const system = new ActorSystem(new Loop({ ...base, index: 0 }), base);
    const loop = system.#loop;
    if (options.logger !== undefined) loop.log = options.logger;
    system.deadLetters.onListenerError = (error) => loop.log({ level: "error", source: "the main loop", message: "a dead-letter listener threw", error });
    loop.onControl = (from, message) => system.#control(from, message as FromWorker);
    system.#installOps();
    for (let w = 1; w <= workers; w++) {
      const slot = system.#startSlot(w);
      system.#workers.push(slot);
      loop.connect(w, slot.handle.endpoint);
      loop.setTakenRow(w, slot.taken);
    }
    // The mesh: one MessageChannel per pair of workers, so workers talk directly.
    const peers: number[][] = system.#workers.map(() => []);
    const ports: MessagePort[][] = system.#workers.map(() => []);
    for (let a = 1; a <= workers; a++) {
      for (let b = a + 1; b <= workers; b++) {
        const { port1, port2 } = new MessageChannel();
        peers[a - 1]!.push(b);
        ports[a - 1]!.push(port1);
        peers[b - 1]!.push(a);
        ports[b - 1]!.push(port2);
      }
    }
    system.#workers.forEach((_slot, i) => {
      const init: ToWorker = { type: "init", options: { ...base, index: i + 1 }, peers: peers[i]!, ports: ports[i]!, reserve: 0, taken: system.#takenRows() };
      loop.links[i + 1]!.postControl(init, ports[i]!);
    });
    try {
      await Promise.all(system.#workers.map((s) => s.ready.promise));
    } catch (e) {
      system.#stopping = true;
      await Promise.all(system.#workers.map((s) => s.handle.terminate()));
      throw e;
    }
    return system;
  }

  /** Starts the worker for loop `w`, connects the main loop to it, and watches its exit. */
  #startSlot(w: number): WorkerSlot {
    const handle = startWorker(WORKER_MODULE);
    const taken = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * (this.#base.workers + 1));
    const slot: WorkerSlot = { handle, ready: Promise.withResolvers<void>(), idle: null, stats: null, exitedReport: Promise.withResolvers<void>(), exitNotice: null, taken,
      exitStarted: Promise.withResolvers<void>(), exitStartedSeen: false };
    slot.ready.promise.catch(() => undefined); // observed by start() or the recovery
    void handle.exited.then((exit) => {
      const notice = slot.exitNotice ?? exit;
      slot.ready.reject(new InvalidArgumentError(`worker ${w - 1} exited before it was ready (${notice.reason}).`, { cause: notice.error }));
      slot.exitedReport.resolve();
      if (this.#workers[w - 1] !== slot || slot.dead || slot.terminating) return;
      if (!this.#stopping) void this.#recover(w, normaliseExit(notice));
      else if (slot.stats === null) this.#lostDuringShutdown(w, slot, normaliseExit(notice));
    });
    return slot;
  }

  /**
   * Worker `w` died while the system was running: fail what waited on it, start a
   * replacement at the same index, re-create its actors by their supervision (same
   * addresses), and tell every loop what was restarted and what was lost.
   */
  async #recover(w: number, exit: WorkerExit): Promise<void> {
    const loop = this.#loop;
    const why = `worker ${w - 1} ${exit.reason}`;
    this.#workerExits.push({ worker: w - 1, ...exit });
    const cause = exit.error ?? new MissiveError(why);
    loop.peerLost(w, (what) => new ActorStoppedError(what, `its ${why}`, { cause }));
    const plan = this.#directory.plan(w, performance.now());
    const slot = this.#startSlot(w);
    this.#workers[w - 1] = slot;
    loop.replacePeer(w, slot.handle.endpoint, `worker ${w - 1}`, slot.taken);
    // New mesh channels between the replacement and every other worker.
    const peers: number[] = [];
    const ports: MessagePort[] = [];
    for (let o = 1; o <= this.#workers.length; o++) {
      if (o === w) continue;
      const { port1, port2 } = new MessageChannel();
      peers.push(o);
      ports.push(port1);
      loop.links[o]!.postControl({ type: "peerReplaced", peer: w, port: port2, reason: why, taken: slot.taken } satisfies ToWorker, [port2]);
    }
    const init: ToWorker = { type: "init", options: { ...this.#base, index: w }, peers, ports, reserve: this.#directory.maxLocalId(w), taken: this.#takenRows() };
    loop.links[w]!.postControl(init, ports);
    try {
      await slot.ready.promise;
    } catch {
      return; // the replacement died too; its own exit handler takes over
    }
    const restarted: number[] = [];
    const lost: [number, string][] = plan.lost.map((r) => [r.address, r.label]);
    await Promise.all(plan.restart.map(async (r) => {
      try {
        const arg = loop.codec.decode(r.restartArg!);
        await loop.requestOp(w, "spawn", [r.url, r.key, arg, r.parent, r.name, localIdOf(r.address)], arg, r.label);
        restarted.push(r.address);
      } catch (e) {
        loop.log({ level: "error", source: r.label, message: `could not be re-created after ${why}`, error: e });
        this.#directory.gone(r.address);
        lost.push([r.address, r.label]);
      }
    }));
    for (const [addr] of lost) this.#forget(addr);
    for (let o = 1; o <= this.#workers.length; o++) {
      loop.links[o]!.postControl({ type: "actorsLost", lost, restarted, reason: why } satisfies ToWorker);
    }
    loop.lifecycle.actorsLost(lost, restarted, why);
    loop.log({ level: "warn", source: `worker ${w - 1}`, message: `${why}: re-created ${restarted.length} actor(s), lost ${lost.length}` });
  }

  /**
   * Worker `w` died after shutdown began: it is not replaced. What it had not processed is
   * counted (by every loop that sent to it), what waited on it fails, and it no longer
   * takes part in the drain.
   */
  #lostDuringShutdown(w: number, slot: WorkerSlot, exit: WorkerExit): void {
    const loop = this.#loop;
    const why = `worker ${w - 1} ${exit.reason}`;
    slot.dead = true;
    this.#workerExits.push({ worker: w - 1, ...exit });
    loop.peerLost(w, (what) => new ActorStoppedError(what, `its ${why}`, { cause: exit.error ?? new MissiveError(why) }));
    loop.abandonPeer(w, `worker ${w - 1}`);
    for (let o = 1; o <= this.#workers.length; o++) {
      if (o !== w && !this.#workers[o - 1]!.dead) loop.links[o]!.postControl({ type: "peerDown", peer: w, reason: why } satisfies ToWorker);
    }
    for (const r of this.#directory.removeLoop(w)) this.#forget(r.address);
    this.#onQuiescenceCheck?.();
  }

  /** Every worker's row of taken counts, by loop index (the main loop has none). */
  #takenRows(): SharedArrayBuffer[] {
    const rows: SharedArrayBuffer[] = [];
    this.#workers.forEach((slot, i) => (rows[i + 1] = slot.taken));
    return rows;
  }

  /** Drops a gone actor from the main loop's books (names, top level). */
  #forget(addr: number): void {
    this.#topLevel.delete(addr);
    for (const [name, ref] of this.#names) if (ref?.address === addr) this.#names.delete(name);
  }

  /** Number of workers. */
  get workers(): number {
    return this.#workers.length;
  }

  /** True once `shutdown()` has been called. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Replies to the main loop's asks that came after the ask had settled, and the system's
   * dead letters (the same count as `system.deadLetters.count`: every loop's).
   */
  get stats(): { lateReplies: number; deadLetters: number } {
    return { lateReplies: this.#loop.asks.lateReplies, deadLetters: this.deadLetters.count };
  }

  /**
   * Stops an actor from outside, as `ctx.stop()` does from inside: after its current
   * message, children first, then `onStop`; what is left in its mailbox becomes dead letters
   * (asks among them reject) — `await ref.flush()` first to have earlier messages processed. Resolves once it has stopped; watchers get `Terminated` with
   * `reason` (normal). An actor already gone resolves at once.
   *
   * @example
   * ```ts
   * const worker = await system.spawn(Counter, 0);
   * await system.stop(worker, "no longer needed");
   * ```
   */
  async stop(ref: ActorRef, reason = "stopped"): Promise<void> {
    if (!isActorRef(ref)) throw new InvalidArgumentError(`stop expects an ActorRef (from spawn or lookup); got ${typeof ref}.`);
    if (typeof reason !== "string") throw new InvalidArgumentError(`stop: reason must be a string; got ${typeof reason}.`);
    if (this.#stopping) throw new SystemStoppedError("stop an actor");
    const loop = loopOf(ref.address);
    if (loop < 1 || loop > this.#workers.length || localIdOf(ref.address) === 0) {
      throw new InvalidArgumentError(`stop: ${ref.label} is not an actor of this system.`);
    }
    await this.#loop.requestOp(loop, "stop", [localIdOf(ref.address), true, reason]);
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
    const loop = this.#loop.lifecycle.loopFor(options, (this.#nextWorker++ % this.#workers.length) + 1);
    const ref = await this.#spawn(loop, definition, arg, 0, options?.name ?? null);
    return ref as ActorRef<D>;
  }

  async #spawn(loop: number, definition: AnyDefinition, arg: unknown, parent: number, name: string | null): Promise<ActorRef> {
    if (name !== null) {
      if (typeof name !== "string" || name === "") throw new InvalidArgumentError(`spawn option name must be a non-empty string; got ${String(name)}.`);
      if (this.#names.has(name)) throw new ActorNameTakenError(name);
      this.#names.set(name, null); // reserved while the actor starts
    }
    try {
      const ref = await this.#loop.lifecycle.spawnOn(loop, definition, arg, parent, name);
      if (name !== null) this.#names.set(name, ref);
      if (parent === 0) this.#topLevel.add(ref.address);
      return ref;
    } catch (e) {
      if (name !== null) this.#names.delete(name);
      throw e;
    }
  }

  /**
   * Makes a channel: spawns its owner actor (round-robin, or on `worker`) and resolves
   * with the handle, which works from any worker. See `src/channel/channel.ts`.
   *
   * @example
   * ```ts
   * await using jobs = await system.channel<Job>({ capacity: 64 });
   * ```
   */
  channel<T>(options: ChannelOptions): Promise<Channel<T>> {
    return createChannel<T>((d, a, o) => this.spawn(d, a, o), options);
  }

  /**
   * Makes a reusable barrier for `parties` parties on any workers. See `src/channel/barrier.ts`.
   *
   * @example
   * ```ts
   * const barrier = await system.barrier(3);
   * ```
   */
  barrier(parties: number, options?: PlacementOptions): Promise<Barrier> {
    return createBarrier((d, a, o) => this.spawn(d, a, o), parties, options);
  }

  /**
   * Makes a one-shot latch (an event) awaitable from any worker. See `src/channel/latch.ts`.
   *
   * @example
   * ```ts
   * const ready = await system.latch();
   * ```
   */
  latch(options?: PlacementOptions): Promise<Latch> {
    return createLatch((d, a, o) => this.spawn(d, a, o), options);
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
    const workers = await Promise.all(this.#workers.map((_, i) => this.#loop.requestOp(i + 1, "metrics", null) as Promise<WorkerMetrics>));
    return { workers, deadLetters: this.deadLetters.count, lateReplies: this.#loop.asks.lateReplies };
  }

  /**
   * The ref of the actor registered under `name`. Throws `UnknownActorError` when there is none.
   *
   * @example
   * ```ts
   * const printer = system.lookup<typeof Printer>("printer");
   * ```
   */
  lookup<D extends AnyDefinition = AnyDefinition>(name: string): ActorRef<D> {
    const ref = this.#names.get(name);
    if (!ref) throw new UnknownActorError(name);
    return ref as ActorRef<D>;
  }

  #installOps(): void {
    const loop = this.#loop;
    loop.ops.set("spawnNamed", (p) => {
      const [target, url, key, arg, parent, name] = p as [number, string, string, unknown, number, string];
      if (this.#stopping) throw new SystemStoppedError("spawn");
      return this.#spawnRequest(target, url, key, arg, parent, name);
    });
    loop.onDeadLetter = (d) => this.deadLetters.record(d);
    loop.ops.set("deadLetter", (p) => {
      const [addr, target, name, reason, count, arg] = p as [number, string, string | null, DeadLetterReason, number, unknown];
      this.deadLetters.record({ address: addr, target, name, reason, count, arg });
    });
    loop.ops.set("spawned", (p) => {
      const [address, url, key, parent, name, label, strategy, maxRestarts, withinMs, arg] = p as [
        number, string, string, number, string | null, string, SupervisionStrategy, number, number, unknown,
      ];
      const restartArg = strategy === "restart" ? loop.codec.encode(arg) : null;
      this.#directory.spawned({ address, url, key, parent, name, label, strategy, restartArg }, maxRestarts, withinMs);
    });
    loop.ops.set("gone", (p) => {
      const [addr, name] = p as [number, string | null];
      this.#directory.gone(addr);
      if (name !== null && this.#names.get(name)?.address === addr) this.#names.delete(name);
    });
    loop.ops.set("childStopped", (p) => {
      const [, child] = p as [number, number];
      this.#topLevel.delete(child);
    });
  }

  async #spawnRequest(target: number, url: string, key: string, arg: unknown, parent: number, name: string): Promise<SpawnReply> {
    if (this.#names.has(name)) throw new ActorNameTakenError(name);
    this.#names.set(name, null);
    try {
      const reply = (await this.#loop.requestOp(target, "spawn", [url, key, arg, parent, name], arg)) as SpawnReply;
      this.#names.set(name, this.#loop.refTo(...reply));
      return reply;
    } catch (e) {
      this.#names.delete(name);
      throw e;
    }
  }

  #control(from: number, message: FromWorker): void {
    const slot = this.#workers[from - 1];
    if (slot === undefined) return;
    switch (message.type) {
      case "ready":
        slot.ready.resolve();
        break;
      case "idle":
        slot.idle = { sent: message.sent, received: message.received };
        this.#onQuiescenceCheck?.();
        break;
      case "log":
        this.#loop.log(logEventFromWire(message.event));
        break;
      case "exitStarted":
        slot.exitStartedSeen = true;
        slot.exitStarted.resolve();
        break;
      case "exited":
        slot.stats = message.stats;
        slot.exitedReport.resolve();
        break;
      case "exiting": {
        // A Deno web worker is about to exit by itself (Deno.exit, self.close, an uncaught
        // error): no exit event will come.
        slot.exitNotice = { code: message.code, reason: message.reason };
        if (message.error !== undefined) {
          const error = new Error(message.error.message);
          error.name = message.error.name;
          if (message.error.stack !== undefined) error.stack = message.error.stack;
          slot.exitNotice.error = error;
        }
        void slot.handle.terminate();
        break;
      }
    }
  }

  /** True when every worker reported idle and no envelope is unaccounted for. */
  #quiescent(): boolean {
    const n = this.#workers.length;
    const dead = (i: number): boolean => i > 0 && this.#workers[i - 1]!.dead === true;
    const sent = (i: number, j: number): number =>
      i === 0 ? (this.#loop.links[j]?.sent ?? 0) : (this.#workers[i - 1]!.idle!.sent[j] ?? 0);
    const received = (j: number, i: number): number =>
      j === 0 ? (this.#loop.received[i] ?? 0) : (this.#workers[j - 1]!.idle!.received[i] ?? 0);
    if (this.#workers.some((w) => w.idle === null && !w.dead)) return false;
    for (let i = 0; i <= n; i++) {
      for (let j = 0; j <= n; j++) {
        if (i !== j && !dead(i) && !dead(j) && sent(i, j) !== received(j, i)) return false;
      }
    }
    return true;
  }

  /**
   * Shuts the system down: refuse, drain, stop (children first), exit. Resolves after the
   * last worker has exited. Calling it again returns the same promise.
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
        checkOptions("shutdown options", options);
        checkTimeout("shutdown option timeout", options.timeout);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    this.#shutdown ??= this.#runShutdown(options.timeout ?? 30_000);
    return this.#shutdown;
  }

  /** `await using system = await ActorSystem.start()` shuts down at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  async #runShutdown(timeout: number): Promise<ShutdownReport> {
    const started = performance.now();
    this.#stopping = true;
    const loop = this.#loop;
    loop.guard = () => {
      throw new SystemStoppedError();
    };
    // One deadline timer for the whole shutdown; cleared at the end so nothing is left behind.
    const deadline = Promise.withResolvers<"deadline">();
    const timer = Number.isFinite(timeout) ? setTimeout(() => deadline.resolve("deadline"), timeout) : undefined;
    let deadlineHit = false;
    const until = async (work: Promise<unknown>): Promise<void> => {
      if (deadlineHit) return;
      if ((await Promise.race([work.then(() => "done" as const), deadline.promise])) === "deadline") deadlineHit = true;
    };
    try {
      // Phase 2: drain, until quiescent.
      const quiet = Promise.withResolvers<void>();
      this.#onQuiescenceCheck = () => {
        if (this.#quiescent()) quiet.resolve();
      };
      // Channels close first: they still hand out what they buffer, so actors reading them
      // in a loop finish during the drain instead of holding it until the deadline.
      for (const owner of this.#directory.withKey(ChannelOwner.key)) loop.tellSystem(owner.address, address(0, 0), "close", []);
      loop.flushLinks();
      for (let w = 1; w <= this.#workers.length; w++) loop.links[w]!.postControl({ type: "drain" } satisfies ToWorker);
      await until(quiet.promise);
      this.#onQuiescenceCheck = null;
      // Phase 3: stop top-level actors; each stops its children first.
      await until(Promise.all([...this.#topLevel].map((addr) => loop.requestOp(loopOf(addr), "stop", localIdOf(addr)).catch(() => undefined))));
      // Phase 4: every worker stops what is left, reports and exits. Past the deadline the
      // workers stop without waiting, and get a short grace to send their reports.
      const force = deadlineHit;
      for (let w = 1; w <= this.#workers.length; w++) loop.links[w]!.postControl({ type: "exit", force } satisfies ToWorker);
      if (!force) await until(Promise.all(this.#workers.map((w) => w.exitedReport.promise)));
      if (deadlineHit) await this.#exitPastDeadline();
      const exits = await Promise.all(this.#workers.map((w) => {
        w.terminating = true;
        return w.handle.terminate();
      }));
      // What the workers sent before their reports (dead letters among it) is counted and
      // reported before shutdown resolves.
      loop.drainInbound();
      this.#accountUnreported();
      for (const link of loop.links) link?.close();
      loop.asks.rejectAll(() => new ActorStoppedError("the asked actor", "the system shut down before it replied"));
      return this.#report(deadlineHit, exits, started);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /**
   * The deadline has passed and the workers were told to exit. A worker that does not even
   * say it got the exit within the grace period is stuck in user code (a handler that never
   * yields): the others are told to stop waiting for its `halt`, and get a grace period of
   * their own to report (past the exit notice, a worker runs no user code).
   */
  async #exitPastDeadline(): Promise<void> {
    const within = async (work: Promise<unknown>): Promise<void> => {
      const { promise, resolve } = Promise.withResolvers<void>();
      const timer = setTimeout(resolve, EXIT_GRACE_MS);
      await Promise.race([work, promise]);
      clearTimeout(timer);
    };
    const live = this.#workers.filter((w) => !w.dead);
    await within(Promise.all(live.map((w) => Promise.race([w.exitStarted.promise, w.exitedReport.promise]))));
    const answered = (w: WorkerSlot): boolean => w.stats !== null || w.exitStartedSeen;
    const stuck = live.flatMap((w) => (answered(w) ? [] : [this.#workers.indexOf(w) + 1]));
    for (const w of live) {
      if (!answered(w) || w.stats !== null) continue;
      for (const peer of stuck) this.#loop.links[this.#workers.indexOf(w) + 1]!.postControl({ type: "peerStuck", peer } satisfies ToWorker);
    }
    await within(Promise.all(live.filter(answered).map((w) => w.exitedReport.promise)));
  }

  /**
   * Workers that sent no final report (stuck in a handler past the grace period): what the
   * other loops sent to their actors and they never took out of a mailbox is counted as
   * undelivered under `worker N (no report)` (their shared rows of taken counts say exactly
   * how much), and their actors' `onStop` hooks as skipped.
   */
  #accountUnreported(): void {
    const loop = this.#loop;
    this.#workers.forEach((slot, i) => {
      const w = i + 1;
      if (slot.stats !== null || slot.dead) return;
      const taken = new Float64Array(slot.taken);
      let lost = Math.max(0, loop.userSent[w]! - taken[0]!);
      this.#workers.forEach((other, j) => {
        if (j !== i && other.stats !== null) lost += Math.max(0, (other.stats.sentTo[w] ?? 0) - taken[j + 1]!);
      });
      if (lost > 0) loop.countUndelivered(`worker ${i} (no report)`, address(w, 0), lost);
      for (const r of this.#directory.removeLoop(w)) loop.hooksSkipped.push(r.label);
    });
  }

  #report(deadlineHit: boolean, exits: WorkerExit[], started: number): ShutdownReport {
    const all = [this.#loop.stats(), ...this.#workers.map((w) => w.stats).filter((s): s is LoopStats => s !== null)];
    const undelivered: Record<string, number> = {};
    for (const s of all) for (const [label, n] of Object.entries(s.undelivered)) undelivered[label] = (undelivered[label] ?? 0) + n;
    const sum = (f: (s: LoopStats) => number) => all.reduce((a, s) => a + f(s), 0);
    return {
      deadlineHit,
      undelivered,
      deadLetters: sum((s) => s.deadLetters),
      lateReplies: sum((s) => s.lateReplies),
      processed: sum((s) => s.processed),
      failures: sum((s) => s.failures),
      exits,
      hooksSkipped: all.flatMap((s) => s.hooksSkipped),
      unreported: this.#workers.flatMap((w, i) => (w.stats === null ? [i] : [])),
      // Deno cannot terminate a worker stuck in synchronous code (a bare Worker#terminate
      // does not end it either): such a worker keeps the process alive.
      unterminated: runtimeName === "deno" ? this.#workers.flatMap((w, i) => (w.stats === null && !w.dead ? [i] : [])) : [],
      crashes: [...this.#workerExits],
      durationMs: performance.now() - started,
    };
  }
}

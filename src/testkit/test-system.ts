/**
 * `TestSystem`: the deterministic mode. The same API as `ActorSystem` (spawn, stop,
 * lookup, dead letters, shutdown; refs tell, ask, flush, watch; channels, `select` and
 * barriers open on it as on a system), but every "worker" is a
 * simulated loop in the test's own thread — the real `Loop`, with the user's real actor
 * definitions and the real codec (so an encode error is caught as in production) — and
 * every delivery from one loop to another is decided by a scheduler the test controls:
 * seeded (`seed`), or fast-check's `fc.scheduler()` (then fast-check shrinks a failing
 * schedule and prints it with its seed).
 *
 * What still holds whatever the scheduler picks: FIFO per sender–receiver pair, one
 * message at a time per actor. What the scheduler decides: which pair delivers next, and
 * so when an async handler waiting for a reply resumes. Time is virtual ({@link VirtualClock}):
 * ask timeouts, restart backoff and `ctx.timers` fire only when the test moves `clock`.
 *
 * Limits: handlers must not wait for real I/O or real timers (`setTimeout`): the system
 * runs until nothing is left to deliver and does not wait for them. Crash recovery (a
 * worker dying) is not simulated.
 *
 * @example
 * ```ts
 * await using system = await TestSystem.start({ workers: 2, seed: 1 });
 * const counter = await system.spawn(Counter, 0);
 * counter.tell("inc", 1);
 * console.log(await counter.ask("get")); // 1
 * console.log(system.schedule); // seed 1; 4 deliveries: 1. main→w0: ask "spawn" to w0 (loop) …
 * ```
 * @module
 */
import type { SpawnArgs, SpawnOptions } from "../actor/context.ts";
import type { AnyDefinition } from "../actor/definition.ts";
import { ActorRef } from "../actor/ref.ts";
import { checkInteger, checkOptions, checkTimeout } from "../actor/validate.ts";
import { InvalidArgumentError, SystemStoppedError } from "../errors.ts";
import { DeadLetters } from "../system/dead-letters.ts";
import { Directory } from "../system/directory.ts";
import { consoleLogger, type Logger } from "../system/log.ts";
import { Loop } from "../system/loop.ts";
import { Names } from "../system/names.ts";
import { macrotask } from "../util/macrotask.ts";
import { localIdOf, loopOf, SystemMessage } from "../wire/envelope.ts";
import { probeHostKey, registerProbeHost } from "./probe-host.ts";
import { type DeliveryScheduler, fastCheckScheduler, type FastCheckSchedulerLike, seededScheduler } from "./schedulers.ts";
import { SimNetwork } from "./sim-network.ts";
import { VirtualClock } from "./virtual-clock.ts";

/** Options of {@link TestSystem.start}. */
export interface TestSystemOptions {
  /** Simulated workers (default 2). Actors are placed round-robin, as in `ActorSystem`. */
  workers?: number;
  /** Who orders deliveries: a `DeliveryScheduler`, or fast-check's `fc.scheduler()` value. Default: `seededScheduler(seed)`. */
  scheduler?: DeliveryScheduler | FastCheckSchedulerLike;
  /** Seed of the default scheduler (default: a random one, shown in `schedule`). */
  seed?: number;
  /** Default ask timeout in virtual ms (default 30 000). */
  askTimeout?: number;
  /** Where log events go (default: `consoleLogger()`). */
  logger?: Logger;
}

/** What a deterministic run did (see `TestSystem.shutdown`). */
export interface TestShutdownReport {
  /** Messages processed over the system's life. */
  processed: number;
  /** Handler failures. */
  failures: number;
  /** Dead letters. */
  deadLetters: number;
  /** The schedule: seed and deliveries (see `TestSystem.schedule`). */
  schedule: string;
}

const isFastCheck = (s: unknown): s is FastCheckSchedulerLike =>
  typeof (s as FastCheckSchedulerLike).waitOne === "function" && typeof (s as FastCheckSchedulerLike).schedule === "function";

export class TestSystem implements AsyncDisposable {
  readonly [probeHostKey] = true as const;
  /** The virtual clock: `advance(ms)`, `runAll()`. */
  readonly clock: VirtualClock;
  /** Every message that could not be delivered (as `ActorSystem.deadLetters`). */
  readonly deadLetters: DeadLetters = new DeadLetters();
  readonly #scheduler: DeliveryScheduler;
  readonly #loops: Loop[] = [];
  readonly #net: SimNetwork;
  readonly #names = new Names();
  readonly #directory = new Directory();
  readonly #topLevel = new Set<number>();
  readonly #macrotasks: (() => void)[] = [];
  readonly #modules = new Map<string, Record<string, unknown>>();
  readonly #external = new Set<Promise<unknown>>();
  #nextWorker = 0;
  #stopping = false;
  #shutdown: Promise<TestShutdownReport> | null = null;
  #pumping: Promise<void> | null = null;
  #wanted = false;
  #failure: unknown = undefined;

  private constructor(workers: number, scheduler: DeliveryScheduler, askTimeout: number, logger: Logger) {
    this.#scheduler = scheduler;
    this.clock = new VirtualClock(() => this.run());
    this.#net = new SimNetwork(scheduler, () => this.#kick());
    const env = {
      clock: this.clock,
      macrotask: (fn: () => void) => {
        this.#macrotasks.push(fn);
        this.#kick();
      },
      flushBytes: 1, // one envelope per frame: the scheduler orders envelopes, not batches
      importModule: (url: string) => this.#import(url),
    };
    const base = { workers, askTimeout, initTimeout: Infinity, throughput: 64, sliceMs: Infinity, maxMessageBytes: 16 << 20 };
    for (let i = 0; i <= workers; i++) {
      const loop = new Loop({ ...base, index: i }, env);
      loop.log = logger;
      this.#loops.push(loop);
    }
    for (let a = 0; a <= workers; a++) {
      for (let b = a + 1; b <= workers; b++) {
        const [ea, eb] = this.#net.pair(a, b);
        this.#loops[a]!.connect(b, ea);
        this.#loops[b]!.connect(a, eb);
      }
    }
    this.#installOps();
    const main = this.#loops[0]!;
    registerProbeHost(this, {
      loop: main,
      quiescent: () => this.run(),
      labelOf: (address) => this.#directory.labelOf(address),
    });
  }

  /**
   * Starts a deterministic system (no threads: it is ready at once).
   *
   * @example
   * ```ts
   * const system = await TestSystem.start({ seed: 42 }); // replays exactly with the same seed
   * ```
   */
  static start(options: TestSystemOptions = {}): Promise<TestSystem> {
    try {
      checkOptions("TestSystem.start options", options);
      checkInteger("workers", options.workers, 1, 64);
      checkTimeout("askTimeout", options.askTimeout, true);
      if (options.seed !== undefined && !Number.isInteger(options.seed)) {
        throw new InvalidArgumentError(`seed must be an integer; got ${String(options.seed)}.`);
      }
      const s = options.scheduler;
      if (s !== undefined && options.seed !== undefined) throw new InvalidArgumentError("give either scheduler or seed, not both.");
      const scheduler = s === undefined
        ? seededScheduler(options.seed ?? Math.floor(Math.random() * 2 ** 31))
        : isFastCheck(s)
        ? fastCheckScheduler(s)
        : s;
      if (typeof scheduler.offer !== "function" || typeof scheduler.step !== "function") {
        throw new InvalidArgumentError("scheduler must be a DeliveryScheduler (seededScheduler(seed)) or fc.scheduler()'s value.");
      }
      return Promise.resolve(
        new TestSystem(options.workers ?? 2, scheduler, options.askTimeout ?? 30_000, options.logger ?? consoleLogger()),
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Number of simulated workers. */
  get workers(): number {
    return this.#loops.length - 1;
  }

  /** True once `shutdown()` has been called. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** The seed (for the default scheduler) and every delivery made so far: print it when a test fails. */
  get schedule(): string {
    return this.#scheduler.report();
  }

  // ---- running ---------------------------------------------------------------------------

  #kick(): void {
    this.#wanted = true;
    if (this.#pumping === null) this.#pumping = this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      while (this.#wanted) {
        this.#wanted = false;
        for (;;) {
          await this.#settle();
          if (!(await this.#scheduler.step())) break;
        }
      }
    } catch (e) {
      this.#failure = e;
    } finally {
      this.#pumping = null;
    }
  }

  /** Lets every loop do what it can without a delivery: microtasks, the loops' macrotasks, module imports. */
  async #settle(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => macrotask(resolve)); // every microtask has run
      if (this.#macrotasks.length > 0) {
        for (const fn of this.#macrotasks.splice(0)) fn();
        continue;
      }
      if (this.#external.size > 0) {
        await Promise.race(this.#external);
        continue;
      }
      return;
    }
  }

  /**
   * Runs until quiescent: every offered delivery made (in the scheduler's order), every
   * handler done or waiting for a timer. Does not move the clock.
   *
   * @example
   * ```ts
   * const sim = await TestSystem.start({ seed: 1 });
   * const c = await sim.spawn(Counter, 0);
   * c.tell("inc", 1);
   * await sim.run(); // processed, and everything it caused
   * ```
   */
  async run(): Promise<void> {
    do {
      this.#kick();
      await this.#pumping;
    } while (this.#net.waiting > 0 || this.#macrotasks.length > 0 || this.#wanted);
    if (this.#failure !== undefined) throw this.#failure;
  }

  #import(url: string): Promise<Record<string, unknown>> {
    const known = this.#modules.get(url);
    if (known !== undefined) return Promise.resolve(known);
    // Not imported by the test: imported now, and the run waits for it (nothing is delivered meanwhile).
    const loading = import(url).then((ns: Record<string, unknown>) => {
      this.#modules.set(url, ns);
      return ns;
    });
    const tracked = loading.finally(() => this.#external.delete(tracked)).catch(() => undefined);
    this.#external.add(tracked);
    return loading;
  }

  /**
   * Makes `definition` findable at once by the simulated loops (no `import()` on the
   * schedule's path; a test module with top-level await could not even be imported while
   * it runs). Its module's other exports are added when a background import settles.
   */
  #know(definition: AnyDefinition): void {
    let ns = this.#modules.get(definition.url);
    if (ns === undefined) {
      this.#modules.set(definition.url, ns = {});
      const known = ns;
      import(definition.url).then((real: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(real)) if (!(k in known)) known[k] = v;
      }, () => undefined);
    }
    if (!Object.values(ns).includes(definition)) ns[definition.name] = definition;
  }

  // ---- the ActorSystem API -----------------------------------------------------------------

  /**
   * Spawns an actor on a simulated worker (round-robin unless `worker` is given); resolves
   * once it has started, as `ActorSystem.spawn`.
   */
  async spawn<D extends AnyDefinition>(definition: D, ...args: SpawnArgs<D>): Promise<ActorRef<D>> {
    if (this.#stopping) throw new SystemStoppedError("spawn");
    const [arg, options] = args as [unknown, SpawnOptions | undefined];
    checkOptions("spawn options", options);
    const main = this.#loops[0]!;
    const loop = main.lifecycle.loopFor(options, (this.#nextWorker++ % this.workers) + 1);
    if (typeof definition?.url === "string") this.#know(definition);
    const ref = await main.lifecycle.spawnOn(loop, definition, arg, 0, options?.name ?? null);
    this.#topLevel.add(ref.address);
    return ref as ActorRef<D>;
  }

  /** Stops an actor from outside (as `ActorSystem.stop`). */
  async stop(ref: ActorRef, reason = "stopped"): Promise<void> {
    if (!(ref instanceof ActorRef)) throw new InvalidArgumentError(`stop expects an ActorRef; got ${typeof ref}.`);
    if (this.#stopping) throw new SystemStoppedError("stop an actor");
    if (loopOf(ref.address) < 1 || loopOf(ref.address) > this.workers || localIdOf(ref.address) === 0) {
      throw new InvalidArgumentError(`stop: ${ref.label} is not an actor of this system.`);
    }
    await this.#loops[0]!.requestOp(loopOf(ref.address), "stop", [localIdOf(ref.address), true, reason]);
  }

  /** The ref registered under `name` (`UnknownActorError` when none). */
  lookup<D extends AnyDefinition = AnyDefinition>(name: string): ActorRef<D> {
    return this.#names.lookup(name) as ActorRef<D>;
  }

  #installOps(): void {
    const main = this.#loops[0]!;
    const names: Names = this.#names;
    main.onDeadLetter = (d) => this.deadLetters.record(d);
    main.lifecycle.onTopLevelStopped = (child) => this.#topLevel.delete(child);
    main.ops.on("spawnNamed", async ([target, url, key, arg, parent, name]) => {
      if (this.#stopping) throw new SystemStoppedError("spawn");
      names.reserve(name);
      try {
        const reply = await main.requestOp(target, "spawn", [url, key, arg, parent, name], arg);
        names.commit(name, main.refTo(...reply));
        return reply;
      } catch (e) {
        names.release(name);
        throw e;
      }
    });
    main.ops.on(
      "deadLetter",
      ([address, target, name, reason, count, arg]) => this.deadLetters.record({ address, target, name, reason, count, arg }),
    );
    main.ops.on("spawned", ([address, url, key, parent, name, label, strategy, maxRestarts, withinMs]) => {
      this.#directory.spawned({ address, url, key, parent, name, label, strategy, restartArg: null }, maxRestarts, withinMs);
    });
    main.ops.on("gone", ([address, name]) => {
      this.#directory.gone(address);
      this.#names.forget(address, name);
      this.#topLevel.delete(address);
    });
  }

  /**
   * Shuts down as `ActorSystem.shutdown` does, in virtual time: refuse, drain (`onDrain`
   * first), stop the top-level actors (children first), and reject what still waits.
   */
  shutdown(): Promise<TestShutdownReport> {
    this.#shutdown ??= this.#runShutdown();
    return this.#shutdown;
  }

  async #runShutdown(): Promise<TestShutdownReport> {
    this.#stopping = true;
    const main = this.#loops[0]!;
    main.guard = () => {
      throw new SystemStoppedError();
    };
    for (const loop of this.#loops) {
      for (const cell of loop.cells.values()) {
        if (cell.definition.spec.onDrain !== undefined) loop.tellSystem(cell.address, cell.address, SystemMessage.Drain, undefined);
      }
    }
    await this.run();
    const stops = [...this.#topLevel].map((addr) => main.requestOp(loopOf(addr), "stop", localIdOf(addr)).catch(() => undefined));
    await this.run();
    await Promise.all(stops);
    const { processed, failures } = this.#loops.reduce(
      (a, l) => ({ processed: a.processed + l.processed, failures: a.failures + l.failures }),
      {
        processed: 0,
        failures: 0,
      },
    );
    for (const loop of this.#loops) loop.asks.rejectAll(() => new SystemStoppedError("wait for a reply"));
    return { processed, failures, deadLetters: this.deadLetters.count, schedule: this.schedule };
  }

  /** `await using system = await TestSystem.start()` shuts down at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}

/**
 * Pools: a router that spawns its own routees from one definition and can be resized
 * (Akka typed's pool router). Growing spawns new routees; shrinking takes the newest out of
 * routing first, waits until each has processed what the pool sent it (`flush`), then
 * retires it — `system.stop` with an `ActorSystem`, or your `retire` function (inside an
 * actor, whose `ctx` cannot stop other actors).
 *
 * @example
 * ```ts
 * const pool = await Pool.spawn(system, Counter, { size: 4, arg: 0 }); // spread over the workers
 * pool.tell("inc", 1);
 * await pool.resize(2);  // the two newest finish their mail, then stop
 * await pool.close();    // every routee stops
 * ```
 * @module
 */
import { type ActorRef, ActorSystem, type AnyDefinition, type InitArgOf, InvalidArgumentError, type Spawner } from "../mod.ts";
import { checkInt, checkObject } from "./errors.ts";
import { Router } from "./router.ts";
import { roundRobin, type RoutingLogic } from "./routing.ts";

/**
 * Options of {@link Pool.spawn}.
 *
 * @example
 * ```ts
 * const options: PoolOptions<typeof Counter> = { size: 4, arg: 0, logic: leastLoaded(), worker: 1 };
 * ```
 */
export interface PoolOptions<D extends AnyDefinition> {
  /** Routees to start with (an integer ≥ 0). */
  size: number;
  /** The spawn argument of every routee. */
  arg?: InitArgOf<D>;
  /** How routees are picked (default `roundRobin()`). */
  logic?: RoutingLogic;
  /** Put every routee on this worker (default: the spawner's placement — round-robin over workers for a system). */
  worker?: number;
  /** How a routee leaves when the pool shrinks or closes (default: `system.stop(ref)`; required with an actor's `ctx`). */
  retire?: (ref: ActorRef<D>) => void | Promise<void>;
}

/**
 * A resizable pool of routees. Everything a {@link Router} does, plus `resize` and `close`.
 *
 * @example
 * ```ts
 * const pool = await Pool.spawn(system, Counter, { size: 2, arg: 0, logic: leastLoaded() });
 * await pool.refreshLoad(); // mailbox depths from system.metrics()
 * pool.tell("inc", 1);      // to the least loaded
 * ```
 */
// deno-lint-ignore no-explicit-any
export class Pool<D extends AnyDefinition = any> extends Router<D> implements AsyncDisposable {
  readonly #spawner: Spawner;
  readonly #definition: D;
  readonly #options: PoolOptions<D>;
  #resizing: Promise<void> = Promise.resolve();
  #target: number;

  private constructor(spawner: Spawner, definition: D, options: PoolOptions<D>) {
    super([], options.logic ?? roundRobin());
    this.#spawner = spawner;
    this.#definition = definition;
    this.#options = options;
    this.#target = 0;
  }

  /**
   * Spawns a pool of `size` routees of `definition` with `spawner` (an `ActorSystem`, or an
   * actor's `ctx`: the routees are then its children, on its worker). Throws
   * `InvalidArgumentError` for a size that is not an integer ≥ 0.
   *
   * @example
   * ```ts
   * const pool = await Pool.spawn(system, Counter, { size: 3, arg: 0 });
   * ```
   */
  static async spawn<D extends AnyDefinition>(spawner: Spawner, definition: D, options: PoolOptions<D>): Promise<Pool<D>> {
    checkObject("Pool.spawn options", options);
    if (options === undefined) throw new InvalidArgumentError("Pool.spawn needs options: { size, arg? }.");
    checkInt("Pool option size", options.size, 0);
    if (options.worker !== undefined) checkInt("Pool option worker", options.worker, 0);
    if (options.retire !== undefined && typeof options.retire !== "function") {
      throw new InvalidArgumentError("Pool option retire must be a function (ref) => void | Promise<void>.");
    }
    const pool = new Pool(spawner, definition, options);
    await pool.resize(options.size);
    return pool;
  }

  /** The size the pool is at, or is being resized to. */
  get targetSize(): number {
    return this.#target;
  }

  /**
   * Grows or shrinks the pool to `size` routees (resizes run one after another). Shrinking
   * takes the newest routees out of routing at once, then flushes and retires them.
   *
   * @example
   * ```ts
   * await counters.resize(counters.size * 2);
   * ```
   */
  resize(size: number): Promise<void> {
    try {
      checkInt("Pool.resize size", size, 0);
      if (size < this.#target && this.#options.retire === undefined && !(this.#spawner instanceof ActorSystem)) {
        throw new InvalidArgumentError("Pool.resize: shrinking a pool spawned with an actor's ctx needs the `retire` option.");
      }
    } catch (e) {
      return Promise.reject(e);
    }
    this.#target = size;
    // Out of routing at once; retired in turn (after the resizes before this one).
    const leaving = this.routees.slice(size);
    for (const ref of leaving) this.remove(ref);
    const run = this.#resizing.then(async () => {
      await Promise.all(leaving.map((ref) => this.#retire(ref)));
      await this.#resizeTo(size);
    });
    this.#resizing = run.catch(() => undefined);
    return run;
  }

  async #resizeTo(size: number): Promise<void> {
    if (size > this.size) {
      const { worker, arg } = this.#options;
      const spawn = this.#spawner.spawn.bind(this.#spawner) as (d: D, arg: unknown, o: object) => Promise<ActorRef<D>>;
      const added = await Promise.all(
        Array.from({ length: size - this.size }, () => spawn(this.#definition, arg, worker === undefined ? {} : { worker })),
      );
      for (const ref of added) this.add(ref);
    } else if (size < this.size) {
      const leaving = this.routees.slice(size);
      for (const ref of leaving) this.remove(ref);
      await Promise.all(leaving.map((ref) => this.#retire(ref)));
    }
  }

  async #retire(ref: ActorRef<D>): Promise<void> {
    await ref.flush().catch(() => undefined); // gone already: nothing to wait for
    if (this.#options.retire) await this.#options.retire(ref);
    else await (this.#spawner as ActorSystem).stop(ref);
  }

  /**
   * Reads `system.metrics()` and gives the routees' mailbox depths to the logic (for
   * `leastLoaded()`). Needs a pool spawned with an `ActorSystem`.
   *
   * @example
   * ```ts
   * await counters.refreshLoad();
   * ```
   */
  async refreshLoad(): Promise<void> {
    if (!(this.#spawner instanceof ActorSystem)) {
      throw new InvalidArgumentError("Pool.refreshLoad needs a pool spawned with an ActorSystem (metrics are read on the main loop).");
    }
    this.updateLoad(await this.#spawner.metrics());
  }

  /**
   * Retires every routee (as `resize(0)`).
   *
   * @example
   * ```ts
   * await counters.close();
   * ```
   */
  close(): Promise<void> {
    return this.resize(0);
  }

  /**
   * `await using` closes the pool at the end of the scope.
   *
   * @example
   * ```ts
   * { await using pool = await Pool.spawn(system, Counter, { size: 2, arg: 0 }); } // retired here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  override toString(): string {
    return `pool of ${this.#definition.name} (${this.size} routees, ${this.logic.name})`;
  }
}

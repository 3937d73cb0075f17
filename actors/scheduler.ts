/**
 * `Scheduler`: a small owner actor with a handle that travels, so the main loop or any
 * actor can schedule messages to any ref, once or periodically, by key (the shape of
 * Akka's classic `system.scheduler`). Its timers live with the owner: `close()` (or the
 * owner stopping) cancels them, and a restart starts with none. For timers an actor sets
 * for itself, use `TimerScheduler` (actors/timers.ts).
 *
 * @example
 * ```ts
 * const scheduler = await Scheduler.open(system);
 * await scheduler.once("reminder", 1_000, counter, "inc", 1);
 * ```
 * @module
 */
import {
  type ActorContext,
  type ActorDefinition,
  type ActorRef,
  type AnyDefinition,
  defineActor,
  type MessageName,
  type PlacementOptions,
  registerHandleCodec,
  type Spawner,
  type TellArgs,
} from "../mod.ts";
import { checkInt, checkObject, checkPositive } from "./errors.ts";
import { checkDelay, checkKey, Timers } from "./timers.ts";

/** One scheduled message (the `Scheduler` owner's request). */
interface Scheduled {
  key: string;
  target: ActorRef;
  name: string;
  arg: unknown;
  ms: number;
  periodic: boolean;
}

/**
 * The scheduler owner's protocol.
 *
 * @example
 * ```ts
 * const keys = await scheduler.owner.ask("keys");
 * ```
 */
export interface SchedulerHandlers {
  schedule(state: Timers, s: Scheduled): null;
  cancel(state: Timers, key: string): boolean;
  keys(state: Timers): string[];
  close(state: Timers, _: void, ctx: ActorContext): null;
}

/**
 * The owner actor of a `Scheduler` (exported so workers find it). Its timers go with it:
 * `onStop` cancels them, and a restart starts with none.
 *
 * @example
 * ```ts
 * const owner = await system.spawn(SchedulerOwner);
 * ```
 */
export const SchedulerOwner: ActorDefinition<void, Timers, SchedulerHandlers> = defineActor(import.meta.url, {
  name: "SchedulerOwner",
  init: () => new Timers(),
  handlers: {
    schedule(timers, s: Scheduled) {
      timers.start(s.key, s.target, s.name, s.arg, s.ms, s.periodic);
      return null;
    },
    cancel(timers, key: string) {
      return timers.cancel(key);
    },
    keys(timers) {
      return timers.keys;
    },
    close(_timers, _: void, ctx) {
      ctx.stop();
      return null;
    },
  },
  onRestart(timers) {
    timers.cancelAll();
  },
  onStop(timers) {
    timers.cancelAll();
  },
});

/**
 * A scheduler any holder uses to send messages to any ref later.
 *
 * @example
 * ```ts
 * const scheduler = await Scheduler.open(system);
 * await scheduler.once("reminder", 1_000, counter, "inc", 1);
 * await scheduler.every("tick", 100, counter, "inc", 1);
 * await scheduler.cancel("tick");
 * ```
 */
export class Scheduler implements AsyncDisposable {
  /** The owner actor's ref. */
  readonly owner: ActorRef<typeof SchedulerOwner>;

  /** @internal made by {@link Scheduler.open} and the wire. */
  constructor(owner: ActorRef<typeof SchedulerOwner>) {
    this.owner = owner;
  }

  /**
   * Spawns a scheduler's owner with `spawner` (an `ActorSystem`, or an actor's `ctx`).
   *
   * @example
   * ```ts
   * const scheduler = await Scheduler.open(system, { worker: 0 });
   * ```
   */
  static async open(spawner: Spawner, options?: PlacementOptions): Promise<Scheduler> {
    checkObject("Scheduler.open options", options);
    if (options?.worker !== undefined) checkInt("Scheduler.open option worker", options.worker, 0);
    return new Scheduler(await spawner.spawn(SchedulerOwner, undefined, options?.worker === undefined ? {} : { worker: options.worker }));
  }

  /**
   * Tells `target` `name(arg)` once after `delayMs` (replacing a timer under `key`).
   * Resolves once the timer is set.
   *
   * @example
   * ```ts
   * await scheduler.once("wake", 250, counter, "inc", 1);
   * ```
   */
  async once<D extends AnyDefinition, K extends MessageName<D>>(
    key: string,
    delayMs: number,
    target: ActorRef<D>,
    name: K,
    ...args: TellArgs<D, K>
  ): Promise<void> {
    checkKey(key);
    checkDelay("Scheduler.once delayMs", delayMs);
    await this.owner.ask("schedule", { key, target: target as ActorRef, name, arg: args[0], ms: delayMs, periodic: false });
  }

  /**
   * Tells `target` `name(arg)` every `intervalMs` until cancelled (replacing a timer under `key`).
   *
   * @example
   * ```ts
   * await scheduler.every("poll", 1_000, counter, "inc", 1);
   * ```
   */
  async every<D extends AnyDefinition, K extends MessageName<D>>(
    key: string,
    intervalMs: number,
    target: ActorRef<D>,
    name: K,
    ...args: TellArgs<D, K>
  ): Promise<void> {
    checkKey(key);
    checkPositive("Scheduler.every intervalMs", intervalMs);
    await this.owner.ask("schedule", { key, target: target as ActorRef, name, arg: args[0], ms: intervalMs, periodic: true });
  }

  /**
   * Cancels the timer under `key`; resolves with whether one was active.
   *
   * @example
   * ```ts
   * await scheduler.cancel("poll");
   * ```
   */
  async cancel(key: string): Promise<boolean> {
    checkKey(key);
    return await this.owner.ask("cancel", key);
  }

  /**
   * The keys of the active timers.
   *
   * @example
   * ```ts
   * const active = await scheduler.keys();
   * ```
   */
  keys(): Promise<string[]> {
    return this.owner.ask("keys");
  }

  /**
   * Stops the owner; its timers are cancelled.
   *
   * @example
   * ```ts
   * await scheduler.close();
   * ```
   */
  async close(): Promise<void> {
    await this.owner.ask("close").catch(() => undefined); // closed already
  }

  /** `await using` closes the scheduler at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return `Scheduler(${this.owner.label})`;
  }
}

registerHandleCodec<Scheduler>("missive.actors.scheduler", {
  is: (v) => v instanceof Scheduler,
  toWire: (s) => [s.owner],
  fromWire: (data) => new Scheduler((data as [ActorRef<typeof SchedulerOwner>])[0]),
}, import.meta.url);

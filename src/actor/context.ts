/**
 * What a handler can do besides changing its state: know itself and the sender, spawn
 * children, and stop.
 *
 * @example
 * ```ts
 * export const Parent = defineActor(import.meta.url, {
 *   init: () => ({ child: null as ActorRef<typeof Counter> | null }),
 *   handlers: {
 *     async start(state, _: void, ctx) {
 *       state.child = await ctx.spawn(Counter, 10); // on this worker; stops before its parent
 *       ctx.sender?.tell("started", ctx.self);       // the sender, when an actor sent this
 *     },
 *     done(_state, _: void, ctx) { ctx.stop(); },    // after this message
 *   },
 * });
 * ```
 * @module
 */
import type { AnyDefinition, InitArgOf } from "./definition.ts";
import type { ActorRef } from "./ref.ts";

/** Where and under which name to spawn an actor. */
export interface SpawnOptions {
  /** Worker index (0-based). Default: round-robin for `system.spawn`, the parent's worker for `ctx.spawn`. */
  worker?: number;
  /** A unique name, for `system.lookup(name)` and readable errors. */
  name?: string;
  /**
   * The cluster node to spawn on (a system started with `cluster`; default: this node). From `ctx.spawn`,
   * a child on another node is stopped with its parent but not supervised by it.
   */
  node?: string;
}

/** The arguments of `spawn` after the definition: the init argument (optional when `init` takes none), then options. */
export type SpawnArgs<D extends AnyDefinition> = unknown extends InitArgOf<D> ? [arg?: InitArgOf<D>, options?: SpawnOptions]
  : [InitArgOf<D>] extends [void | undefined] ? [arg?: InitArgOf<D>, options?: SpawnOptions]
  : [arg: InitArgOf<D>, options?: SpawnOptions];

/**
 * A reply promised for later (`ctx.deferReply()`): the handler returns at once and the
 * actor goes on with its next messages; the ask settles when this is resolved or
 * rejected (the first call wins). For a tell, both are no-ops.
 */
export interface DeferredReply<T = unknown> {
  /** True when the message being answered is an ask. */
  readonly isAsk: boolean;
  /** True once resolved or rejected. */
  readonly settled: boolean;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * An actor's keyed timers (`ctx.timers`, as Akka's `TimerScheduler`): a timer sends the
 * actor message `name` with `arg` from itself. Starting a key again replaces its timer;
 * timers are cancelled when the actor stops or restarts. In the testkit's deterministic
 * mode they run on the virtual clock.
 */
export interface TimerScheduler {
  /** Sends `name`(`arg`) to this actor once, after `delayMs`. */
  startSingle(key: string, name: string, arg: unknown, delayMs: number): void;
  /** Sends `name`(`arg`) to this actor every `intervalMs` (> 0) until cancelled. */
  startPeriodic(key: string, name: string, arg: unknown, intervalMs: number): void;
  /** Cancels the timer `key` (nothing if there is none). */
  cancel(key: string): void;
  /** True while timer `key` is set. */
  isActive(key: string): boolean;
  /** Cancels every timer of this actor. */
  cancelAll(): void;
}

/**
 * The context passed to `init`, handlers, `onStart` and `onStop`. It is one small object
 * per actor with its methods on its class: call them on the context (`ctx.stop()`,
 * `ctx.spawn(…)`), not detached (`const { stop } = ctx` has no context).
 */
export interface ActorContext {
  /** This actor's own ref. */
  readonly self: ActorRef;
  /**
   * The actor that sent the current message, when it was sent by an actor (from the
   * synchronous part of its handler); `undefined` for messages from the main loop.
   * For replies that must reach a specific actor, pass its ref in the message.
   */
  readonly sender: ActorRef | undefined;
  /** Index of the worker this actor runs on (0-based). */
  readonly worker: number;
  /** This actor's label. */
  readonly label: string;
  /** Spawns a child actor (default: on this worker). Children stop before their parent. */
  spawn<D extends AnyDefinition>(definition: D, ...args: SpawnArgs<D>): Promise<ActorRef<D>>;
  /** Stops this actor after the current message; later messages go to dead letters. */
  stop(): void;
  /** This actor's keyed timers (see {@link TimerScheduler}). */
  readonly timers: TimerScheduler;
  /**
   * Answers the current ask later (as `gen_server`'s `noreply` + `gen_server:reply`): call
   * it in the synchronous part of a handler; the handler's return value is then ignored.
   */
  deferReply<T = unknown>(): DeferredReply<T>;
  /**
   * Delivers a `Terminated` signal to `onTerminated` when `ref` stops (at once if it
   * already has). Resolves once the watch is registered with `ref`'s worker.
   */
  watch(ref: ActorRef): Promise<void>;
  /** Stops watching `ref`. */
  unwatch(ref: ActorRef): void;
  /**
   * Links this actor and `ref` both ways: an abnormal stop of either fails the other
   * (`LinkedActorError`), also when `ref` had already failed. Resolves once registered.
   */
  link(ref: ActorRef): Promise<void>;
}

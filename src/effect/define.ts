/**
 * Effect actors: `defineEffectActor` takes handlers written as Effects
 * (`(state, arg, ctx) => Effect<Reply, E, R>`), the Layer that provides their
 * requirements `R` on the actor's worker, and optional Schemas for each message, each
 * reply and the declared failure `E`. It makes a plain definition (spawn it like any
 * other) whose handlers run the Effects:
 *
 * - the message is decoded with its Schema first (a mismatch fails the ask with
 *   `InvalidMessage`; the handler does not run);
 * - success replies `[0, reply]` (encoded with the reply's Schema), a failure with the
 *   declared `E` replies `[1, failure]` (encoded with the `error` Schema) — an answer,
 *   not a crash: supervision is not involved, and a client re-creates the failure typed;
 * - a defect (a throw, `Effect.die`, an interruption, a failure with no `error` Schema)
 *   is thrown, so it is a supervision failure as for any handler.
 *
 * Each actor builds its own runtime from `layer` in `init` (a layer that fails fails the
 * spawn with `SpawnFailed`) and disposes it when it stops or restarts. The plain
 * `ActorRef` of an Effect actor gets the `[0 | 1, value]` replies as they are: talk to it
 * through an `ActorClient`.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect";
 * import { defineEffectActor } from "missive-actors/effect";
 * class Overdrawn extends Schema.TaggedError<Overdrawn>()("Overdrawn", { missing: Schema.Number }) {}
 * export const Account = defineEffectActor(import.meta.url, {
 *   init: (balance: number) => ({ balance }),
 *   error: Overdrawn,
 *   messages: { withdraw: Schema.Number.check(Schema.isGreaterThan(0)) },
 *   handlers: {
 *     withdraw: (state, amount: number) =>
 *       amount > state.balance
 *         ? Effect.fail(new Overdrawn({ missing: amount - state.balance }))
 *         : Effect.sync(() => (state.balance -= amount)),
 *     balance: (state) => Effect.succeed(state.balance),
 *   },
 * });
 * ```
 * @module
 */
import { Cause, Effect, Exit, type Layer, ManagedRuntime, Result, Schema as S } from "effect";
import type { ActorContext } from "../actor/context.ts";
import { type ActorDefinition, type ActorSpec, type ArgOf, defineActor, type Handlers } from "../actor/definition.ts";
import { InvalidMessageError } from "./errors.ts";
import { decodeOrThrow, type EffectMeta, type Outcome, type PayloadSchema, registerProtocol } from "./protocol.ts";

/**
 * A handler written as an Effect.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * const get: EffectHandler<{ n: number }, never, never> = (state) => Effect.succeed(state.n);
 * ```
 */
// deno-lint-ignore no-explicit-any
export type EffectHandler<S, E, R> = (state: S, arg: any, ctx: ActorContext) => Effect.Effect<any, E, R>;

/** The reply type of an Effect handler. */
// deno-lint-ignore no-explicit-any
type SuccessOf<F> = F extends (...args: any[]) => Effect.Effect<infer A, any, any> ? A : never;

/**
 * What `defineEffectActor` takes: `defineActor`'s spec with Effect handlers, plus the
 * Layer and the Schemas.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * const spec: Pick<EffectActorSpec<void, { n: number }, { get: (s: { n: number }) => Effect.Effect<number> }, never, never>, "init"> = {
 *   init: () => ({ n: 0 }),
 * };
 * ```
 */
export interface EffectActorSpec<A, S, H, E, R> extends Omit<ActorSpec<A, S, Handlers<S>>, "init" | "handlers"> {
  /** The state from the spawn argument: a value, a promise, or an Effect (run with `layer`). */
  init: (arg: A, ctx: ActorContext) => S | PromiseLike<S> | Effect.Effect<S, unknown, R>;
  /** One Effect per message name. */
  handlers: H & Record<string, EffectHandler<S, NoInfer<E>, NoInfer<R>>>;
  /** What a handler may fail with, as a Schema: such failures travel back typed. */
  error?: PayloadSchema<E>;
  /** Schemas of message arguments: checked at the sender, decoded at the receiver. */
  messages?: { readonly [K in keyof NoInfer<H>]?: PayloadSchema<ArgOf<NoInfer<H>[K]>> };
  /** Schemas of replies: encoded at the actor, decoded at the caller. */
  replies?: { readonly [K in keyof NoInfer<H>]?: PayloadSchema<SuccessOf<NoInfer<H>[K]>> };
  /** Provides what the handlers require, on the actor's worker (one runtime per actor). */
  layer?: Layer.Layer<R, unknown>;
}

/**
 * What the plain handler made of an Effect handler looks like to a plain `ActorRef` (it
 * answers `[0 | 1, value]`), with the Effect handler and the failure as a phantom type.
 */
type WireHandlers<H, E> = {
  // deno-lint-ignore no-explicit-any
  [K in keyof H]: H[K] extends (state: infer S, ...rest: infer P) => any
    ? ((state: S, ...rest: P) => Promise<Outcome>) & { readonly "~missive/effect": EffectMeta<H[K], E> }
    : never;
};

/**
 * The definition `defineEffectActor` returns: a plain definition that also carries its
 * Effect protocol as a type (for `ActorClient`).
 *
 * @example
 * ```ts
 * import type { Effect } from "effect";
 * type Doubling = EffectActorDefinition<void, object, { double: (s: object, n: number) => Effect.Effect<number> }, never>;
 * ```
 */
export type EffectActorDefinition<A, S, H, E> = ActorDefinition<A, S, WireHandlers<H, E>>;

/** An actor's state as its plain handlers see it: the user's state and its runtime. */
interface Held<S> {
  state: S;
  // deno-lint-ignore no-explicit-any
  run: (effect: Effect.Effect<any, any, any>) => Promise<Exit.Exit<any, any>>;
  dispose: () => Promise<void>;
}

/**
 * Defines an actor whose handlers are Effects (see the module doc). Call it at the top
 * level of a module and export the result, as with `defineActor`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { defineEffectActor } from "missive-actors/effect";
 * export const Doubler = defineEffectActor(import.meta.url, {
 *   init: () => ({}),
 *   handlers: { double: (_state, n: number) => Effect.succeed(n * 2) },
 * });
 * ```
 */
export function defineEffectActor<A, S, H, E = never, R = never>(
  url: string,
  spec: EffectActorSpec<A, S, H, E, R>,
): EffectActorDefinition<A, S, H, E> {
  const { init, handlers, error, messages = {}, replies = {}, layer, onStart, onDrain, onStop, onRestart, onTerminated, ...rest } = spec;
  const schemas = {
    messages: messages as Record<string, PayloadSchema | undefined>,
    replies: replies as Record<string, PayloadSchema | undefined>,
    error: error as PayloadSchema | undefined,
  };
  const plain: Record<string, (held: Held<S>, arg: unknown, ctx: ActorContext) => Promise<Outcome>> = {};
  for (const [name, handler] of Object.entries(handlers as Record<string, EffectHandler<S, E, R>>)) {
    plain[name] = async (held, wireArg, ctx) => {
      const arg = decodeOrThrow(schemas.messages[name], wireArg, ctx.label, name, "arg");
      const exit = await held.run(Effect.suspend(() => handler(held.state, arg, ctx)));
      if (Exit.isSuccess(exit)) return [0, encodeOrThrow(schemas.replies[name], exit.value, ctx.label, `${name} → reply`)];
      const failure = Cause.findError(exit.cause);
      if (schemas.error !== undefined && Result.isSuccess(failure)) {
        return [1, encodeOrThrow(schemas.error, failure.success, ctx.label, `${name} → failure`)];
      }
      throw Cause.squash(exit.cause); // a defect: supervision decides, the ask fails with it
    };
  }
  // The user's hooks see the user's state.
  const hook = <T extends unknown[]>(f: ((state: S, ...args: T) => void | PromiseLike<void>) | undefined) =>
    f && ((held: Held<S>, ...args: T) => f(held.state, ...args));
  const definition = defineActor(url, {
    ...rest,
    init: async (arg: A, ctx: ActorContext): Promise<Held<S>> => {
      const runtime = layer === undefined ? undefined : ManagedRuntime.make(layer);
      const run: Held<S>["run"] = (effect) =>
        runtime === undefined ? Effect.runPromiseExit(effect as Effect.Effect<unknown, unknown>) : runtime.runPromiseExit(effect);
      const dispose = async () => await runtime?.dispose();
      try {
        await runtime?.context(); // a layer that fails fails the spawn
        const made = init(arg, ctx);
        if (!Effect.isEffect(made)) return { state: await made, run, dispose };
        const exit = await run(made);
        if (Exit.isFailure(exit)) throw Cause.squash(exit.cause);
        return { state: exit.value as S, run, dispose };
      } catch (e) {
        await dispose();
        throw e;
      }
    },
    handlers: plain,
    onStart: hook(onStart),
    onDrain: hook(onDrain),
    onTerminated: hook(onTerminated),
    onStop: async (held: Held<S>, ctx: ActorContext) => {
      try {
        await onStop?.(held.state, ctx);
      } finally {
        await held.dispose();
      }
    },
    onRestart: async (held: Held<S>, e: unknown, ctx: ActorContext) => {
      try {
        await onRestart?.(held.state, e, ctx);
      } finally {
        await held.dispose();
      }
    },
  });
  registerProtocol(definition, schemas);
  return definition as unknown as EffectActorDefinition<A, S, H, E>;
}

function encodeOrThrow(schema: PayloadSchema | undefined, value: unknown, actor: string, what: string): unknown {
  if (schema === undefined) return value;
  const exit = S.encodeUnknownExit(schema)(value);
  if (Exit.isSuccess(exit)) return exit.value;
  throw new InvalidMessageError(actor, what, "reply", String(Cause.squash(exit.cause)));
}

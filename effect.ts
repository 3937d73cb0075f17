/**
 * Missive for Effect: the actor system as a scoped service (`layer`), `spawn`, and
 * clients whose `tell`/`send`/`ask`/`flush` are Effects with typed errors and
 * interruption that cancels; actors whose handlers are Effects (`defineEffectActor`),
 * with Schemas on their messages, replies and failures; channels as Streams and Sinks.
 * Needs `effect` (an optional peer dependency of `missive-actors`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { layer, spawn } from "missive-actors/effect";
 * const program = Effect.gen(function* () {
 *   const counter = yield* spawn(Counter, 5);
 *   yield* counter.tell("inc", 2);
 *   return yield* counter.ask("get", undefined, { timeout: 1_000 }); // 7
 * });
 * // In the main module only (workers import actor modules): await Effect.runPromise(Effect.provide(program, layer()));
 * ```
 * @module
 */
export * from "./src/effect/mod.ts";

/**
 * The actor system as an Effect service: `layer(options)` starts an `ActorSystem` when
 * the layer is built and shuts it down when its scope closes — on success, failure or
 * interruption alike — and hands the shutdown report to `onShutdown` (by default it is
 * logged: at debug level, or as a warning when the drain hit its deadline or a worker
 * crashed). `spawn` and `stop` need the `MissiveSystem` service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { layer, spawn } from "missive-actors/effect";
 * const main = Effect.gen(function* () {
 *   const counter = yield* spawn(Counter, 1);
 *   return yield* counter.ask("get");
 * }).pipe(Effect.provide(layer({ workers: 2 })));
 * ```
 * @module
 */
import { Context, Effect, Layer, type Scope } from "effect";
import type { SpawnArgs, SpawnOptions } from "../actor/context.ts";
import type { AnyDefinition } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { ActorSystem, type ShutdownOptions, type ShutdownReport, type SystemOptions } from "../system/actor-system.ts";
import { ActorClient, failWith } from "./client.ts";
import type { SpawnError, SystemStart, SystemStopped } from "./errors.ts";

const MissiveSystemKey: Context.ServiceClass<MissiveSystem, "missive-actors/MissiveSystem", ActorSystem> = Context.Service<
  MissiveSystem,
  ActorSystem
>()("missive-actors/MissiveSystem");

/**
 * The running `ActorSystem`, as a service. Provide it with {@link layer}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { MissiveSystem } from "missive-actors/effect";
 * const workers = Effect.map(Effect.service(MissiveSystem), (system) => system.workers);
 * ```
 */
export class MissiveSystem extends MissiveSystemKey {}

/**
 * Options of {@link layer}: the system's options, and what happens at the end.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * const options: LayerOptions = { workers: 2, shutdown: { timeout: 5_000 }, onShutdown: (r) => Effect.log(r.processed) };
 * ```
 */
export interface LayerOptions extends SystemOptions {
  /** Options of the shutdown that runs when the layer's scope closes. */
  shutdown?: ShutdownOptions;
  /** Receives the shutdown report (default: logged, see the module doc). */
  onShutdown?: (report: ShutdownReport) => Effect.Effect<void>;
}

const SHUTDOWN_TAGS = new Set(["SystemStart"]);

/** The default `onShutdown`: one log line, a warning when something was lost or crashed. */
function logReport(report: ShutdownReport): Effect.Effect<void> {
  const summary = `missive: shut down in ${Math.round(report.durationMs)} ms; processed ${report.processed}, ` +
    `dead letters ${report.deadLetters}, late replies ${report.lateReplies}`;
  const bad = report.deadlineHit || report.crashes.length > 0 || report.unterminated.length > 0;
  return (bad ? Effect.logWarning(summary) : Effect.logDebug(summary)).pipe(Effect.annotateLogs({ report }));
}

/**
 * A layer that starts an actor system and shuts it down when its scope closes. Fails
 * with `SystemStart` where no system may start (inside a Missive worker, an old runtime);
 * a bad option is a defect (`InvalidArgumentError`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { layer } from "missive-actors/effect";
 * const reports: unknown[] = [];
 * const Live = layer({ workers: 2, onShutdown: (report) => Effect.sync(() => reports.push(report)) });
 * ```
 */
export function layer(options: LayerOptions = {}): Layer.Layer<MissiveSystem, SystemStart> {
  const { shutdown, onShutdown = logReport, ...systemOptions } = options;
  return Layer.effect(
    MissiveSystem,
    Effect.acquireRelease(
      Effect.callback<ActorSystem, SystemStart>((resume) => {
        ActorSystem.start(systemOptions).then((system) => resume(Effect.succeed(system)), (e) => resume(failWith(e, SHUTDOWN_TAGS)));
      }),
      (system) => Effect.flatMap(Effect.promise(() => system.shutdown(shutdown)), onShutdown),
    ),
  );
}

const STOP_TAGS = new Set(["SystemStopped"]);
const SPAWN_TAGS = new Set(["SpawnFailed", "MessageEncode", "MessageTooLarge", "SystemStopped"]);

/**
 * Spawns an actor and succeeds with its client once `init` and `onStart` have run.
 * Interrupted before that, the actor is stopped as soon as it is up.
 *
 * @example
 * ```ts
 * import { spawn } from "missive-actors/effect";
 * const counter = spawn(Counter, 5, { worker: 0 }); // Effect<ActorClient<typeof Counter>, SpawnError, MissiveSystem>
 * ```
 */
export function spawn<D extends AnyDefinition>(
  definition: D,
  ...args: SpawnArgs<D>
): Effect.Effect<ActorClient<D>, SpawnError, MissiveSystem> {
  return Effect.flatMap(Effect.service(MissiveSystem), (system) =>
    Effect.callback<ActorClient<D>, SpawnError>((resume, signal) => {
      system.spawn(definition, ...(args as [unknown, SpawnOptions | undefined]) as SpawnArgs<D>).then(
        (ref) => {
          if (signal.aborted) system.stop(ref, "spawn interrupted").catch(() => {}); // nobody holds it
          else resume(Effect.succeed(new ActorClient(definition, ref)));
        },
        (e) => resume(failWith(e, SPAWN_TAGS)),
      );
    }));
}

/**
 * Spawns an actor that stops when the current scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { spawnScoped } from "missive-actors/effect";
 * const scoped = Effect.scoped(Effect.flatMap(spawnScoped(Counter, 0), (c) => c.ask("get")));
 * ```
 */
export function spawnScoped<D extends AnyDefinition>(
  definition: D,
  ...args: SpawnArgs<D>
): Effect.Effect<ActorClient<D>, SpawnError, MissiveSystem | Scope.Scope> {
  return Effect.acquireRelease(spawn(definition, ...args), (c) => Effect.ignore(stopActor(c, "scope closed")));
}

/**
 * Stops an actor after its current message (children first, then `onStop`; what is left
 * in its mailbox becomes dead letters). Succeeds once it has stopped.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { spawn, stopActor } from "missive-actors/effect";
 * const once = Effect.flatMap(spawn(Counter, 0), (c) => stopActor(c));
 * ```
 */
// deno-lint-ignore no-explicit-any
export function stopActor(actor: ActorClient<any> | ActorRef, reason?: string): Effect.Effect<void, SystemStopped, MissiveSystem> {
  const ref = actor instanceof ActorClient ? actor.ref : actor;
  return Effect.flatMap(Effect.service(MissiveSystem), (system) =>
    Effect.callback<void, SystemStopped>((resume) => {
      system.stop(ref, reason).then(() => resume(Effect.void), (e: unknown) => resume(failWith(e, STOP_TAGS)));
    }));
}

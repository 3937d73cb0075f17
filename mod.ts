/**
 * Missive: typed actors in per-core workers for Node.js, Deno and Bun.
 *
 * @example
 * ```ts
 * import { ActorSystem, defineActor, isMissiveWorker } from "missive-actors";
 * export const Counter = defineActor(import.meta.url, {
 *   init: (start: number) => ({ n: start }),
 *   handlers: { inc(s, by: number) { s.n += by; }, get(s) { return s.n; } },
 * });
 * // Each worker imports this file to find Counter: start the system on the main thread only.
 * if (!isMissiveWorker()) {
 *   await using system = await ActorSystem.start();
 *   const c = await system.spawn(Counter, 5);
 *   c.tell("inc", 2);
 *   console.log(await c.ask("get")); // 7
 * }
 * ```
 * @module
 */
export { defineActor, isDefinition } from "./src/actor/definition.ts";
export type {
  ActorDefinition,
  ActorSpec,
  AnyDefinition,
  ArgOf,
  Handler,
  Handlers,
  HandlersOf,
  InitArgOf,
  IsAny,
  MailboxOptions,
  MessageName,
  OverflowPolicy,
  ReplyOf,
  TellArgs,
  Terminated,
} from "./src/actor/definition.ts";
export { ActorRef } from "./src/actor/ref.ts";
export type { AskArgs, AskOptions, AskReply, SendArgs, SendOptions } from "./src/actor/ref.ts";
export type { ActorContext, DeferredReply, SpawnArgs, SpawnOptions } from "./src/actor/context.ts";
export { registerHandleCodec } from "./src/wire/handles.ts";
export type { HandleCodec } from "./src/wire/handles.ts";
export { ActorSystem } from "./src/system/actor-system.ts";
export type { ShutdownOptions, ShutdownReport, SystemOptions } from "./src/system/actor-system.ts";
export type { ClusterEvent, ClusterOptions, ClusterStats, ClusterView } from "./src/system/cluster-seam.ts";
export type { LinkOptions } from "./src/system/link-options.ts";
export type { DeadLetter, DeadLetterReason, DeadLetters } from "./src/system/dead-letters.ts";
export { consoleLogger } from "./src/system/log.ts";
export type { ConsoleLoggerOptions, LogEvent, Logger } from "./src/system/log.ts";
export type { ActorMetrics, LoopDelay, SystemMetrics, WorkerMetrics } from "./src/system/metrics.ts";
export type { BackoffOptions, SupervisionOptions, SupervisionStrategy } from "./src/actor/supervision.ts";
export * from "./src/errors.ts";
export { registerErrorClass } from "./src/error-registry.ts";
export type { ErrorClass } from "./src/error-registry.ts";
export { availableParallelism, isMissiveWorker, runtimeName, runtimeVersion } from "./src/runtime/adapters.ts";
export { MINIMUM_VERSIONS } from "./src/runtime/requirements.ts";
export type { RuntimeName, WorkerExit } from "./src/runtime/adapters.ts";

// ---- Channels, select, barriers and latches (src/channel/) ----------------------------
export { Barrier, Channel, ChannelClosedError, Latch, select, WaitTimeoutError } from "./src/channel/mod.ts";
export type {
  BarrierPassage,
  BarrierStats,
  CaseValue,
  ChannelOptions,
  ChannelStats,
  GetCase,
  PlacementOptions,
  PutCase,
  SelectCase,
  SelectOptions,
  SelectResult,
  Spawner,
  TryGetResult,
  WaitOptions,
} from "./src/channel/mod.ts";

// ---- The cluster (src/cluster/): loaded by ActorSystem.start({ cluster }) only; the NATS client is imported lazily there.
import { setClusterFactory } from "./src/system/actor-system.ts";
import { joinCluster } from "./src/cluster/cluster-node.ts";
setClusterFactory(joinCluster);

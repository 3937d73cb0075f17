/**
 * The public surface of `src/effect/`, re-exported by the package's `effect.ts`
 * (`missive-actors/effect`). Nothing below this folder imports it, and the core entry
 * point (`mod.ts`) imports nothing from `effect`.
 *
 * @example
 * ```ts
 * import { layer, spawn } from "missive-actors/effect";
 * ```
 * @module
 */
export { layer, MissiveSystem, spawn, spawnScoped, stopActor } from "./system.ts";
export type { LayerOptions } from "./system.ts";
export { ActorClient, client } from "./client.ts";
export type { ClientFailure, ClientReply } from "./client.ts";
export {
  ActorStopped,
  AskTimeout,
  ChannelClosed,
  fromMissive,
  InvalidMessage,
  InvalidMessageError,
  MailboxFull,
  MessageEncode,
  MessageTooLarge,
  SpawnFailed,
  SystemStart,
  SystemStopped,
} from "./errors.ts";
export type { AskError, FlushError, MissiveFailure, SendError, SpawnError } from "./errors.ts";
export type { EffectMeta, PayloadSchema } from "./protocol.ts";
export { defineEffectActor } from "./define.ts";
export type { EffectActorDefinition, EffectActorSpec, EffectHandler } from "./define.ts";
export { fromChannel, openChannel, pipeInto, ProducerInterrupted, put, take, toChannel } from "./stream.ts";

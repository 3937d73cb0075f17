/**
 * Channels, select, barriers and latches: the public surface of `src/channel/`, re-exported
 * by the package's `mod.ts`. A library over the core's public API: it needs only something
 * that can `spawn` (an `ActorSystem` or an actor's `ctx`) and the owners' `onDrain` hook,
 * and nothing in `src/actor/` or `src/system/` imports it. The owner actors (`ChannelOwner`,
 * `BarrierOwner`, `LatchOwner`) stay internal: their modules export them only so that
 * workers can find them.
 *
 * @example
 * ```ts
 * import { select } from "missive-actors"; // this module, re-exported by the package
 * const r = await select([{ get: a }, { get: b }], { timeout: 100 });
 * ```
 * @module
 */
export { Channel } from "./channel.ts";
export type { ChannelOptions, TryGetResult } from "./channel.ts";
export type { ChannelStats } from "./owner.ts";
export { select } from "./select.ts";
export type { CaseValue, GetCase, PutCase, SelectCase, SelectOptions, SelectResult } from "./select.ts";
export { Barrier } from "./barrier.ts";
export type { BarrierPassage, BarrierStats } from "./barrier.ts";
export { Latch } from "./latch.ts";
export { ChannelClosedError, WaitTimeoutError } from "./errors.ts";
export type { PlacementOptions, Spawner, WaitOptions } from "./waits.ts";

/**
 * Channels, select, barriers and latches: the public surface of `src/channel/`, re-exported
 * by the package's `mod.ts`.
 *
 * @example
 * ```ts
 * import { select, type Channel } from "./src/channel/mod.ts";
 * const r = await select([{ get: a }, { get: b }], { timeout: 100 });
 * ```
 * @module
 */
export { Channel, createChannel } from "./channel.ts";
export type { ChannelOptions, TryGetResult } from "./channel.ts";
export { ChannelOwner } from "./owner.ts";
export type { ChannelStats } from "./owner.ts";
export { select } from "./select.ts";
export type { CaseValue, GetCase, PutCase, SelectCase, SelectOptions, SelectResult } from "./select.ts";
export { Barrier, BarrierOwner, createBarrier } from "./barrier.ts";
export type { BarrierPassage, BarrierStats } from "./barrier.ts";
export { createLatch, Latch, LatchOwner } from "./latch.ts";
export { ChannelClosedError, WaitTimeoutError } from "./errors.ts";
export type { PlacementOptions, Spawner, WaitOptions } from "./waits.ts";

/**
 * A workload's children: spawned together before a run, stopped after it. Each actor has
 * a `quit` handler that calls `ctx.stop()`; the driver asks every actor `quit` and so
 * knows they are all stopping.
 * @module
 */
import type { ActorContext, ActorRef } from "../../../mod.ts";

/** A handler: stops the actor after this message and answers `true`. */
export function quit(_state: unknown, _arg: void, ctx: ActorContext): boolean {
  ctx.stop();
  return true;
}

/** Asks every actor in `refs` to quit; resolves once all answered. */
export async function quitAll(refs: readonly ActorRef[]): Promise<void> {
  await Promise.all(refs.map((r) => r.ask("quit")));
}

/** Spawns `count` children with `make(i)` concurrently. */
export function spawnMany<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => make(i)));
}

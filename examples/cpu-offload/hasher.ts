/**
 * The cpu-offload example's CPU job, and the actor that runs it on a worker.
 *
 * @example
 * ```ts
 * const hasher = await system.spawn(Hasher, undefined, { worker: 0 });
 * const digest = await hasher.ask("hash", { seed: 7, rounds: 3_000_000 });
 * ```
 * @module
 */
import { defineActor } from "../../mod.ts";
import { stretch } from "../stretch.ts";

/** The job: key stretching (about `rounds` × 3 ns of CPU), reduced to one 32-bit number. */
export function hashJob(seed: number, rounds: number): number {
  return new DataView(stretch(seed, rounds).buffer).getUint32(0, true);
}

/** Runs {@link hashJob} on its worker. */
export const Hasher = defineActor(import.meta.url, {
  init: () => ({}),
  handlers: {
    hash: (_state, { seed, rounds }: { seed: number; rounds: number }) => hashJob(seed, rounds),
  },
});

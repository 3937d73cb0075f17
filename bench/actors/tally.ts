/**
 * `Tally`: sums the numbers it is told (`add`) and answers the count and sum (`total`) —
 * the receiving side of the in-worker tell comparison with nact (`tell-local`).
 *
 * @example
 * ```ts
 * const tally = await ctx.spawn(Tally);
 * for (let i = 0; i < 1_000; i++) tally.tell("add", i);
 * const { count, sum } = await tally.ask("total"); // 1000, 499500
 * ```
 * @module
 */
import { defineActor } from "../../mod.ts";

/** Counts and sums `add` messages; `total` reads them back. */
export const Tally = defineActor(import.meta.url, {
  name: "Tally",
  init: () => ({ count: 0, sum: 0 }),
  handlers: {
    add(state, n: number): void {
      state.count++;
      state.sum += n;
    },
    total(state): { count: number; sum: number } {
      return { count: state.count, sum: state.sum };
    },
  },
});

/**
 * The barrier-phases example's worker side: a {@link Segment} holds one slice of a 1-D grid
 * and relaxes it (Jacobi: each point becomes the mean of its two neighbours), trading its
 * edge values with the neighbouring segments through channels, in phases separated by a
 * barrier.
 *
 * @example
 * ```ts
 * const seg = await system.spawn(Segment, [0, 1, 2, 3], { worker: 0 });
 * const values = await seg.ask("relax", { iterations: 10, barrier, left: null, right: null, fixed: [1, 0] });
 * ```
 * @module
 */
import { type Barrier, type Channel, defineActor } from "../../mod.ts";

/** The channels one side of a segment trades edges through: `out` to the neighbour, `in` from it. */
export interface Side {
  out: Channel<number>;
  in: Channel<number>;
}

/** One Jacobi step over `values` with the neighbours' edge values `left` and `right`. */
export function jacobiStep(values: number[], left: number, right: number): number[] {
  const next = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    next[i] = 0.5 * ((i === 0 ? left : values[i - 1]!) + (i === values.length - 1 ? right : values[i + 1]!));
  }
  return next;
}

/** A slice of the grid; `relax` runs the iterations and answers with the final values. */
export const Segment = defineActor(import.meta.url, {
  init: (values: number[]) => ({ values }),
  handlers: {
    async relax(
      state,
      { iterations, barrier, left, right, fixed }: {
        iterations: number;
        barrier: Barrier;
        /** The neighbour on each side, or null at the grid's end (where `fixed` holds the boundary value). */
        left: Side | null;
        right: Side | null;
        fixed: [number, number];
      },
    ): Promise<number[]> {
      for (let k = 0; k < iterations; k++) {
        // Phase 1: trade edges. A put resolves once the neighbour's channel has taken the value.
        await Promise.all([left?.out.put(state.values[0]!), right?.out.put(state.values.at(-1)!)]);
        const [l, r] = await Promise.all([left ? left.in.get() : fixed[0], right ? right.in.get() : fixed[1]]);
        await barrier.wait(); // every segment has its edges for step k
        // Phase 2: compute.
        state.values = jacobiStep(state.values, l, r);
        await barrier.wait(); // every segment has finished step k: no one starts step k + 1 early
      }
      return state.values;
    },
  },
});

/**
 * The pipeline example's CPU stage: a {@link Stage} actor reads jobs from a bounded input
 * channel, stretches each on the CPU (`stretch.ts`), puts the result into a bounded
 * output channel and marks the job done. Its `run` handler is one `for await` loop over
 * the input: it ends — and `run` answers with the count — when the input channel is
 * closed and drained. No sentinel values, no polling.
 *
 * @example
 * ```ts
 * const stage = await system.spawn(Stage, undefined, { worker: 0 });
 * const processed = await stage.ask("run", { input, output, rounds: 50_000 }, { timeout: Infinity });
 * ```
 * @module
 */
import { type Channel, defineActor } from "../mod.ts";
import { stretch } from "./stretch.ts";

/** One job: its number and the seed to stretch. */
export interface Job {
  id: number;
  seed: number;
}

/** One result: the job's number, the first 32 bits of its stretched block, and where it ran. */
export interface Result {
  id: number;
  value: number;
  worker: number;
}

/** The CPU work of one job (the consumer recomputes a sample to check the results). */
export function work(seed: number, rounds: number): number {
  return new DataView(stretch(seed, rounds).buffer).getUint32(0, true);
}

/** A CPU stage: takes jobs until the input channel is closed and drained. */
export const Stage = defineActor(import.meta.url, {
  init: () => ({ processed: 0 }),
  handlers: {
    async run(state, { input, output, rounds }: { input: Channel<Job>; output: Channel<Result>; rounds: number }, ctx) {
      for await (const job of input) {
        await output.put({ id: job.id, value: work(job.seed, rounds), worker: ctx.worker }); // waits while the output is full
        input.taskDone();
        state.processed++;
      }
      return state.processed;
    },
  },
});

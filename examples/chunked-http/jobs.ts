/**
 * The chunked-http example's worker side: a {@link Job} actor does one piece of CPU work
 * (key stretching, `../stretch.ts`) and answers with its number — the answer is the
 * acknowledgement the HTTP handler waits for.
 *
 * @example
 * ```ts
 * const job = await system.spawn(Job, undefined, { worker: 1 });
 * const text = await job.ask("run", { n: 3, rounds: 100_000 }); // "3"
 * ```
 * @module
 */
import { defineActor } from "../../mod.ts";
import { stretch } from "../stretch.ts";

/** Does job `n` (about `rounds` × 3 ns of CPU) and answers with `n` as text. */
export const Job = defineActor(import.meta.url, {
  init: () => ({ done: 0 }),
  handlers: {
    run(state, { n, rounds }: { n: number; rounds: number }): string {
      stretch(n, rounds); // the CPU work runs on this actor's worker, not on the server's loop
      state.done++;
      return String(n);
    },
  },
});

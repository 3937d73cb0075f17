/**
 * The select example's workers: a {@link Searcher} answers a query after some CPU work (its
 * cost differs per searcher, as replicas of a service differ in speed).
 *
 * @example
 * ```ts
 * const searcher = await system.spawn(Searcher, { name: "fast", rounds: 10_000 }, { worker: 0 });
 * const answer = await searcher.ask("search", "actors"); // "fast: actors#…"
 * ```
 * @module
 */
import { defineActor } from "../../mod.ts";
import { stretch } from "../stretch.ts";

/** Answers `search(query)` with `"<name>: <query>#<hash>"` after `rounds` of CPU work. */
export const Searcher = defineActor(import.meta.url, {
  init: (config: { name: string; rounds: number }) => config,
  handlers: {
    search(state, query: string): string {
      const hash = new DataView(stretch(query.length, state.rounds).buffer).getUint32(0, true);
      return `${state.name}: ${query}#${hash.toString(16)}`;
    },
  },
});

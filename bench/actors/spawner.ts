/**
 * `Spawner`: drives the in-worker spawn benchmark. In `lanes` concurrent lanes it
 * spawns an {@link Ephemeral} child on its own worker, asks it `hello`, asks it `stop`,
 * and repeats until `count` actors have lived and died; then it checks, on the last
 * child of every lane, that an ask now fails with `ActorStoppedError`.
 * @module
 */
import { ActorStoppedError, defineActor } from "../../mod.ts";
import { Ephemeral } from "./ephemeral.ts";

/** How many actors, in how many concurrent lanes. */
export interface SpawnRun {
  count: number;
  lanes: number;
}

/** What a spawn run did: actors that answered, the sum of their answers, stops confirmed. */
export interface SpawnOutcome {
  answered: number;
  sum: number;
  stopsConfirmed: number;
  lanes: number;
}

/** Answers `run` when every lane is done. */
export const Spawner = defineActor(import.meta.url, {
  name: "Spawner",
  init: () => ({}),
  handlers: {
    async run(_state, req: SpawnRun, ctx): Promise<SpawnOutcome> {
      let next = 0;
      let answered = 0;
      let sum = 0;
      const lane = async (): Promise<number> => {
        let last = null;
        while (next < req.count) {
          const id = next++;
          const child = await ctx.spawn(Ephemeral, id);
          const answer = await child.ask("hello"); // not `sum += await …`: lanes interleave
          sum += answer;
          await child.ask("stop");
          answered++;
          last = child;
        }
        if (last === null) return 0;
        try {
          await last.ask("hello");
          return 0;
        } catch (e) {
          return e instanceof ActorStoppedError ? 1 : 0;
        }
      };
      const confirmed = await Promise.all(Array.from({ length: req.lanes }, lane));
      return { answered, sum, stopsConfirmed: confirmed.reduce((a, b) => a + b, 0), lanes: req.lanes };
    },
  },
});

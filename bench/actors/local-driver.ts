/**
 * `LocalDriver`: the Missive side of the in-worker comparisons with nact, run with its
 * own children on its own worker.
 *
 * - `spawnBatches`: `batches` times, spawns `size` {@link Ephemeral} children at once,
 *   confirms each started (it answers `hello` with its id), stops each (it answers `stop`,
 *   then stops), and confirms the last of the batch is gone (an ask fails with
 *   `ActorStoppedError`).
 * - `askSequential`: `n` asks, one at a time, to one child on the same worker.
 * - `tellReadBack`: `rounds` times, `n` tells to a {@link Tally} child on the same worker,
 *   then one ask reads the count and sum back.
 *
 * @example
 * ```ts
 * const driver = await system.spawn(LocalDriver, undefined, { worker: 0 });
 * const out = await driver.ask("spawnBatches", { batches: 10, size: 100 });
 * ```
 * @module
 */
import { ActorStoppedError, defineActor } from "../../mod.ts";
import { Ephemeral } from "./ephemeral.ts";
import { Tally } from "./tally.ts";

/** What a run did, for the benchmark's checks. */
export interface LocalOutcome {
  ms: number;
  /** Sum of the answers (ids). */
  sum: number;
  /** Batches whose last actor was confirmed stopped (spawnBatches). */
  stopsConfirmed: number;
  /** Sum of the values the actor received, as it read them back (tellReadBack). */
  values?: number;
}

/** Drives the in-worker spawn and ask comparisons; each answer is a {@link LocalOutcome}. */
export const LocalDriver = defineActor(import.meta.url, {
  name: "LocalDriver",
  init: () => ({}),
  handlers: {
    async spawnBatches(_state, req: { batches: number; size: number }, ctx): Promise<LocalOutcome> {
      const started = performance.now();
      let sum = 0;
      let stopsConfirmed = 0;
      for (let b = 0; b < req.batches; b++) {
        const ids = Array.from({ length: req.size }, (_, i) => b * req.size + i);
        const children = await Promise.all(ids.map((id) => ctx.spawn(Ephemeral, id)));
        for (const id of await Promise.all(children.map((c) => c.ask("hello")))) sum += id;
        await Promise.all(children.map((c) => c.ask("stop")));
        try {
          await children[children.length - 1]!.ask("hello");
        } catch (e) {
          if (e instanceof ActorStoppedError) stopsConfirmed++;
        }
      }
      return { ms: performance.now() - started, sum, stopsConfirmed };
    },
    async tellReadBack(_state, req: { n: number; rounds: number }, ctx): Promise<LocalOutcome> {
      const tally = await ctx.spawn(Tally);
      const started = performance.now();
      let sum = 0;
      for (let r = 0; r < req.rounds; r++) {
        for (let i = 0; i < req.n; i++) tally.tell("add", i);
        sum += (await tally.ask("total")).count;
      }
      const ms = performance.now() - started;
      const { sum: values } = await tally.ask("total");
      return { ms, sum, stopsConfirmed: 0, values };
    },
    async askSequential(_state, req: { n: number }, ctx): Promise<LocalOutcome> {
      const child = await ctx.spawn(Ephemeral, 1);
      const started = performance.now();
      let sum = 0;
      for (let i = 0; i < req.n; i++) sum += await child.ask("hello");
      const ms = performance.now() - started;
      await child.ask("stop");
      return { ms, sum, stopsConfirmed: 0 };
    },
  },
});

/**
 * Property test (fast-check): random interleavings of put, get, cancel and close from the
 * main loop and from actors on both workers. For every run:
 * - the multiset of items received equals the multiset of items whose put was accepted
 *   (puts rejected as closed, or cancelled before acceptance, were told so and never arrive);
 * - each getter sees each putter's items in put order, except items returned to the
 *   channel by a cancelled get: at most `returned` (the owner's count) arrive late;
 * - no waiter is left pending after close, nothing is in doubt, the buffer is empty;
 * - `join()` is pending exactly while items are not marked done, and resolves when they are.
 * The seed is fixed (MISSIVE_SEED, default 20261121); fast-check prints the seed and
 * the counterexample path on failure, so a failure replays exactly.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, Channel, runtimeName } from "../mod.ts";
import { settledBy } from "./fixtures/channel.ts";
import { Agent, type AgentLog, type Cancel, type Item, runAgent, type Script } from "./fixtures/channel-agents.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 25);

type Place = "main" | 0 | 1;

const place = fc.constantFrom<Place>("main", 0, 1);
const cancel = fc.constantFrom<Cancel>("none", "none", "sync", "timeout0", "race");
const scenario = fc.record({
  capacity: fc.constantFrom(0, 1, 2, 3, 8),
  owner: fc.constantFrom(0, 1),
  putters: fc.array(
    fc.record({
      place,
      cancels: fc.array(cancel, { maxLength: 300, size: "max" }),
      // Where this putter closes the channel (often never: the main loop closes it at the end).
      closeAt: fc.option(fc.nat({ max: 300 }), { nil: null, freq: 3 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  // Each getter's cancellations repeat in a cycle that ends with a plain get, so it always progresses.
  getters: fc.array(fc.record({ place, cancels: fc.array(cancel, { maxLength: 6 }).map((c) => [...c, "none" as const]) }), {
    minLength: 1,
    maxLength: 4,
  }),
});

/** How many items arrived after a later item of the same putter, per getter. */
function lateItems(received: Item[]): number {
  const highest = new Map<number, number>();
  let late = 0;
  for (const [putter, seq] of received) {
    const top = highest.get(putter) ?? -1;
    if (seq < top) late++;
    else highest.set(putter, seq);
  }
  return late;
}

const key = ([p, s]: Item): string => `${p}:${s}`;

describe(`channel properties on ${runtimeName}`, () => {
  let system: ActorSystem;
  beforeAll(async () => {
    system = await ActorSystem.start({ workers: 2 });
  });
  afterAll(async () => {
    await system.shutdown();
  });

  it("put/get/cancel/close across workers: exactly-once, per-putter order, no waiter left, join exact", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ capacity, owner, putters, getters }) => {
        const ch = await Channel.open<Item>(system, { capacity, worker: owner });
        const run = async (where: Place, script: Script): Promise<AgentLog> => {
          if (where === "main") return await runAgent(ch, script);
          const agent = await system.spawn(Agent, undefined, { worker: where });
          return await agent.ask("run", { ch, script }, { timeout: Infinity });
        };
        // Getters on workers mark items done as they go; the main loop's keep theirs for the join check.
        const getting = getters.map((g) => run(g.place, { role: "get", cancels: g.cancels, markDone: g.place !== "main" }));
        const putting = putters.map((p, id) => run(p.place, { role: "put", id, cancels: p.cancels, closeAt: p.closeAt }));
        const putLogs = await Promise.all(putting);
        await ch.close();
        const getLogs = await Promise.all(getting);

        // Exactly once: received = accepted, as multisets.
        const accepted = putLogs.flatMap((log, id) => log.outcomes.flatMap((o, seq): Item[] => (o === "accepted" ? [[id, seq]] : [])));
        const received = getLogs.flatMap((log) => log.received);
        expect(received.map(key).sort()).toEqual(accepted.map(key).sort());

        // Nothing left waiting, in doubt or buffered.
        const s = await ch.stats();
        expect({
          getters: s.getters,
          putters: s.putters,
          inDoubt: s.inDoubt,
          tentative: s.tentative,
          buffered: s.buffered,
          closed: s.closed,
        })
          .toEqual({ getters: 0, putters: 0, inDoubt: 0, tentative: 0, buffered: 0, closed: true });
        expect(s.accepted).toBe(accepted.length);

        // Per-putter order, as each getter saw it; only returned items may come late.
        const late = getLogs.reduce((n, log) => n + lateItems(log.received), 0);
        expect(late).toBeLessThanOrEqual(s.returned);

        // join: pending exactly while items are not done (the main loop's getters held theirs back).
        const held = getters.reduce((n, g, i) => n + (g.place === "main" ? getLogs[i]!.received.length : 0), 0);
        expect(s.unfinished).toBe(held);
        const joined = ch.join();
        if (held > 0) {
          expect(await settledBy(joined, ch)).toBe(false);
          if (held > 1) {
            ch.taskDone(held - 1);
            expect(await settledBy(joined, ch)).toBe(false);
          }
          ch.taskDone();
        }
        await joined;
        expect((await ch.stats()).unfinished).toBe(0);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});

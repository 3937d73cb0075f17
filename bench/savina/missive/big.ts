/**
 * Savina Big on Missive: `actors` actors each send `pings` pings, one at a time, to
 * neighbours picked at random (xorshift, seeded per actor); each ping is answered with a
 * pong, and a pong triggers the next ping. After its last pong an actor tells the sink,
 * which releases the latch once every actor reported. Messages: 2 × actors × pings + actors.
 * @module
 */
import { type ActorContext, type ActorRef, defineActor } from "../../../mod.ts";
import { allOf, expectEqual } from "../../util/check.ts";
import { nextRandom, type SavinaParams, seedOf, type WorkloadRun } from "../common.ts";
import { openLatch, releaseLatch } from "../latch.ts";
import { quit, quitAll, spawnMany } from "./children.ts";

/** Counts the actors that finished. */
export const BigSink = defineActor(import.meta.url, {
  name: "SavinaBigSink",
  init: () => ({ expected: 0, exits: 0, pings: 0, bad: 0, latch: 0 }),
  handlers: {
    arm(state, req: { actors: number; latch: number }) {
      Object.assign(state, { expected: req.actors, exits: 0, pings: 0, bad: 0, latch: req.latch });
    },
    exit(state, r: { pings: number; bad: number }) {
      state.pings += r.pings;
      state.bad += r.bad;
      if (++state.exits === state.expected) releaseLatch(state.latch, { pings: state.pings, bad: state.bad });
    },
    quit,
  },
});

/** One of the Big actors; `bad` counts pongs from an actor it did not ping. */
export const BigActor = defineActor(import.meta.url, {
  name: "SavinaBigActor",
  init: (index: number) => ({
    index,
    rng: seedOf(index),
    neighbors: [] as ActorRef[],
    sink: null as ActorRef<typeof BigSink> | null,
    left: 0,
    sent: 0,
    expected: -1,
    bad: 0,
  }),
  handlers: {
    setup(state, req: { neighbors: ActorRef[]; sink: ActorRef<typeof BigSink>; pings: number }) {
      Object.assign(state, { neighbors: req.neighbors, sink: req.sink, left: req.pings, sent: 0, expected: -1, bad: 0 });
    },
    ping(state, from: number) {
      state.neighbors[from]!.tell("pong", state.index);
    },
    pong(state, from: number) {
      if (from !== state.expected) state.bad++;
      if (state.left === 0) {
        state.sink!.tell("exit", { pings: state.sent, bad: state.bad });
        return;
      }
      state.rng = nextRandom(state.rng);
      const target = state.rng % state.neighbors.length;
      state.expected = target;
      state.left--;
      state.sent++;
      state.neighbors[target]!.tell("ping", state.index);
    },
    quit,
  },
});

/** Runs Big among children of the driver. */
export async function runBig(ctx: ActorContext, { actors, pings }: SavinaParams["big"]): Promise<WorkloadRun> {
  const sink = await ctx.spawn(BigSink);
  const all = await spawnMany(actors, (i) => ctx.spawn(BigActor, i));
  const { id, done } = openLatch<{ pings: number; bad: number }>();
  await sink.ask("arm", { actors, latch: id });
  await Promise.all(all.map((a) => a.ask("setup", { neighbors: all, sink, pings })));
  const started = performance.now();
  // As in Savina, every actor starts with a pong from "nobody" (-1), which it expects.
  for (const a of all) a.tell("pong", -1);
  const result = await done;
  const elapsedMs = performance.now() - started;
  await quitAll([sink, ...all]);
  return {
    elapsedMs,
    messages: 2 * actors * pings + actors,
    check: allOf(expectEqual("pings sent", result.pings, actors * pings), expectEqual("pongs from an unexpected actor", result.bad, 0)),
  };
}

/**
 * Savina Chameneos on Missive: `chameneos` creatures ask a mall to meet; the mall pairs
 * two waiting creatures (forwarding the second's request to the first), the pair swap
 * complementary colours and ask again, until `meetings` meetings happened; then the mall
 * answers every request with `exit`, and each creature reports its meeting count. The
 * mall releases the latch with the sum, which must be 2 × meetings.
 * Creatures are named by their index in messages (the mall and every creature hold the
 * array of refs), as integers are what Missive's envelope carries best.
 * Messages: about 4 × meetings + 3 × chameneos.
 * @module
 */
import { type ActorContext, type ActorRef, defineActor } from "../../../mod.ts";
import { expectEqual } from "../../util/check.ts";
import { Color, complement, type SavinaParams, type WorkloadRun } from "../common.ts";
import { openLatch, releaseLatch } from "../latch.ts";
import { quit, quitAll, spawnMany } from "./children.ts";

/** `[index, colour]` of a creature that wants to meet. */
type MeetRequest = [index: number, color: number];

/** The meeting place. */
export const Mall = defineActor(import.meta.url, {
  name: "SavinaMall",
  init: () => ({ creatures: [] as ActorRef[], left: 0, waiting: -1, faded: 0, sum: 0, messages: 0, latch: 0 }),
  handlers: {
    open(state, req: { creatures: ActorRef[]; meetings: number; latch: number }) {
      Object.assign(state, { creatures: req.creatures, left: req.meetings, waiting: -1, faded: 0, sum: 0, messages: 0, latch: req.latch });
    },
    meet(state, req: MeetRequest) {
      state.messages++;
      if (state.left > 0) {
        if (state.waiting < 0) state.waiting = req[0];
        else {
          state.left--;
          state.creatures[state.waiting]!.tell("meet", req);
          state.waiting = -1;
        }
      } else state.creatures[req[0]]!.tell("exit");
    },
    count(state, meetings: number) {
      state.sum += meetings;
      if (++state.faded === state.creatures.length) releaseLatch(state.latch, { sum: state.sum, mallMessages: state.messages });
    },
    quit,
  },
});

/** A creature. */
export const Chameneo = defineActor(import.meta.url, {
  name: "SavinaChameneo",
  init: (index: number) => ({
    index,
    color: index % 3,
    meetings: 0,
    mall: null as ActorRef<typeof Mall> | null,
    creatures: [] as ActorRef[],
  }),
  handlers: {
    setup(state, req: { mall: ActorRef<typeof Mall>; creatures: ActorRef[] }) {
      Object.assign(state, { mall: req.mall, creatures: req.creatures, color: state.index % 3, meetings: 0 });
    },
    start(state) {
      state.mall!.tell("meet", [state.index, state.color]);
    },
    /** The mall paired us with creature `other`, which has colour `color`. */
    meet(state, [other, color]: MeetRequest) {
      state.color = complement(state.color, color);
      state.meetings++;
      state.creatures[other]!.tell("change", state.color);
      state.mall!.tell("meet", [state.index, state.color]);
    },
    change(state, color: number) {
      state.color = color;
      state.meetings++;
      state.mall!.tell("meet", [state.index, state.color]);
    },
    exit(state) {
      state.color = Color.Faded;
      state.mall!.tell("count", state.meetings);
    },
    quit,
  },
});

/** Runs Chameneos among children of the driver. */
export async function runChameneos(ctx: ActorContext, { chameneos, meetings }: SavinaParams["chameneos"]): Promise<WorkloadRun> {
  const mall = await ctx.spawn(Mall);
  const creatures = await spawnMany(chameneos, (i) => ctx.spawn(Chameneo, i));
  const { id, done } = openLatch<{ sum: number; mallMessages: number }>();
  await mall.ask("open", { creatures, meetings, latch: id });
  await Promise.all(creatures.map((c) => c.ask("setup", { mall, creatures })));
  const started = performance.now();
  for (const c of creatures) c.tell("start");
  const { sum, mallMessages } = await done;
  const elapsedMs = performance.now() - started;
  await quitAll([mall, ...creatures]);
  // start + meet requests + forwards + changes + exits + counts
  const messages = chameneos + mallMessages + 2 * meetings + 2 * chameneos;
  return { elapsedMs, messages, check: expectEqual("meetings counted by the creatures", sum, 2 * meetings) };
}

/**
 * Savina ThreadRing on Missive: `actors` actors in a ring pass a token `hops` times;
 * each decrements it, and the one that sees 0 releases the latch with its index.
 * Messages: hops + 1.
 * @module
 */
import { type ActorContext, type ActorRef, defineActor } from "../../../mod.ts";
import { expectEqual } from "../../util/check.ts";
import type { SavinaParams, WorkloadRun } from "../common.ts";
import { openLatch, releaseLatch } from "../latch.ts";
import { quit, quitAll, spawnMany } from "./children.ts";

/** One member of the ring. */
export const RingNode = defineActor(import.meta.url, {
  name: "SavinaRingNode",
  init: (index: number) => ({ index, next: null as ActorRef | null, latch: 0 }),
  handlers: {
    link(state, req: { next: ActorRef; latch: number }) {
      state.next = req.next;
      state.latch = req.latch;
    },
    token(state, hops: number) {
      if (hops === 0) releaseLatch(state.latch, state.index);
      else state.next!.tell("token", hops - 1);
    },
    quit,
  },
});

/** Runs ThreadRing among children of the driver. */
export async function runThreadRing(ctx: ActorContext, { actors, hops }: SavinaParams["threadring"]): Promise<WorkloadRun> {
  const ring = await spawnMany(actors, (i) => ctx.spawn(RingNode, i));
  const { id, done } = openLatch<number>();
  await Promise.all(ring.map((node, i) => node.ask("link", { next: ring[(i + 1) % actors]!, latch: id })));
  const started = performance.now();
  ring[0]!.tell("token", hops);
  const last = await done;
  const elapsedMs = performance.now() - started;
  await quitAll(ring);
  return { elapsedMs, messages: hops + 1, check: expectEqual("index of the actor that saw the last hop", last, hops % actors) };
}

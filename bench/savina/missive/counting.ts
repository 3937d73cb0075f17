/**
 * Savina Counting on Missive: a producer tells a counter `messages` increments, then
 * asks for the count with a `retrieve` message; the counter tells the result back.
 * Messages: messages + 2.
 * @module
 */
import { type ActorContext, type ActorRef, defineActor } from "../../../mod.ts";
import { expectEqual } from "../../util/check.ts";
import type { SavinaParams, WorkloadRun } from "../common.ts";
import { openLatch, releaseLatch } from "../latch.ts";
import { quit, quitAll } from "./children.ts";

/** Counts `inc`; `retrieve` tells the count to the sender. */
export const Counter = defineActor(import.meta.url, {
  name: "SavinaCounter",
  init: () => ({ count: 0 }),
  handlers: {
    inc(state) {
      state.count++;
    },
    retrieve(state, _: void, ctx) {
      ctx.sender!.tell("result", state.count);
    },
    quit,
  },
});

/** Sends the increments and `retrieve`; releases the latch with the result. */
export const Producer = defineActor(import.meta.url, {
  name: "SavinaProducer",
  init: (counter: ActorRef<typeof Counter>) => ({ counter, latch: 0 }),
  handlers: {
    start(state, req: { messages: number; latch: number }) {
      state.latch = req.latch;
      const counter = state.counter;
      for (let i = 0; i < req.messages; i++) counter.tell("inc");
      counter.tell("retrieve");
    },
    result(state, count: number) {
      releaseLatch(state.latch, count);
    },
    quit,
  },
});

/** Runs Counting among children of the driver. */
export async function runCounting(ctx: ActorContext, { messages }: SavinaParams["counting"]): Promise<WorkloadRun> {
  const counter = await ctx.spawn(Counter);
  const producer = await ctx.spawn(Producer, counter);
  const { id, done } = openLatch<number>();
  const started = performance.now();
  producer.tell("start", { messages, latch: id });
  const count = await done;
  const elapsedMs = performance.now() - started;
  await quitAll([producer, counter]);
  return { elapsedMs, messages: messages + 2, check: expectEqual("count", count, messages) };
}

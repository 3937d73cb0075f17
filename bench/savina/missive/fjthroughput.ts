/**
 * Savina Fork-Join throughput on Missive: the driver tells `messages` messages to each of
 * `actors` workers (round-robin); each does a tiny computation per message and, after
 * its last one, tells a collector; the collector releases the latch when all reported.
 * Messages: actors × messages + actors.
 * @module
 */
import { type ActorContext, type ActorRef, defineActor } from "../../../mod.ts";
import { allOf, expectEqual } from "../../util/check.ts";
import { fjCompute, type SavinaParams, type WorkloadRun } from "../common.ts";
import { openLatch, releaseLatch } from "../latch.ts";
import { quit, quitAll, spawnMany } from "./children.ts";

/** Counts the workers' reports. */
export const FjCollector = defineActor(import.meta.url, {
  name: "SavinaFjCollector",
  init: () => ({ expected: 0, reports: 0, total: 0, bad: 0, latch: 0 }),
  handlers: {
    arm(state, req: { workers: number; latch: number }) {
      Object.assign(state, { expected: req.workers, reports: 0, total: 0, bad: 0, latch: req.latch });
    },
    report(state, r: { processed: number; bad: number }) {
      state.total += r.processed;
      state.bad += r.bad;
      if (++state.reports === state.expected) releaseLatch(state.latch, { total: state.total, bad: state.bad });
    },
    quit,
  },
});

/** Does the computation per message; reports after `expected` of them. */
export const FjWorker = defineActor(import.meta.url, {
  name: "SavinaFjWorker",
  init: (collector: ActorRef<typeof FjCollector>) => ({ collector, expected: 0, processed: 0, bad: 0 }),
  handlers: {
    expect(state, messages: number) {
      Object.assign(state, { expected: messages, processed: 0, bad: 0 });
    },
    work(state) {
      if (!(fjCompute(37.2) > 0)) state.bad++;
      if (++state.processed === state.expected) state.collector.tell("report", { processed: state.processed, bad: state.bad });
    },
    quit,
  },
});

/** Runs Fork-Join throughput among children of the driver. */
export async function runFjThroughput(ctx: ActorContext, { actors, messages }: SavinaParams["fjthroughput"]): Promise<WorkloadRun> {
  const collector = await ctx.spawn(FjCollector);
  const workers = await spawnMany(actors, () => ctx.spawn(FjWorker, collector));
  const { id, done } = openLatch<{ total: number; bad: number }>();
  await collector.ask("arm", { workers: actors, latch: id });
  await Promise.all(workers.map((w) => w.ask("expect", messages)));
  const started = performance.now();
  for (let m = 0; m < messages; m++) for (const w of workers) w.tell("work");
  const { total, bad } = await done;
  const elapsedMs = performance.now() - started;
  await quitAll([collector, ...workers]);
  return {
    elapsedMs,
    messages: actors * messages + actors,
    check: allOf(expectEqual("messages processed", total, actors * messages), expectEqual("bad results", bad, 0)),
  };
}

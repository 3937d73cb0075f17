/**
 * Savina Fork-Join throughput on nact (same protocol as `../missive/fjthroughput.ts`).
 * @module
 */
import { dispatch, type Ref } from "nact";
import { allOf, expectEqual } from "../../util/check.ts";
import { fjCompute, type SavinaParams, type WorkloadRun } from "../common.ts";
import { spawnActor, stopAll, syncAll } from "./nact-util.ts";

type CollectorMsg = { type: "report"; processed: number; bad: number };
type WorkerMsg = { type: "work" };

/** Runs Fork-Join throughput under `system`. */
export async function runFjThroughputNact(system: Ref<never>, { actors, messages }: SavinaParams["fjthroughput"]): Promise<WorkloadRun> {
  const done = Promise.withResolvers<{ total: number; bad: number }>();
  const collector = spawnActor(system, { reports: 0, total: 0, bad: 0 }, (s, msg: CollectorMsg) => {
    s.total += msg.processed;
    s.bad += msg.bad;
    if (++s.reports === actors) done.resolve({ total: s.total, bad: s.bad });
  });
  const workers = Array.from({ length: actors }, () =>
    spawnActor(system, { processed: 0, bad: 0 }, (s, _msg: WorkerMsg) => {
      if (!(fjCompute(37.2) > 0)) s.bad++;
      if (++s.processed === messages) dispatch(collector, { type: "report", processed: s.processed, bad: s.bad });
    }));
  await syncAll([collector, ...workers]);
  const started = performance.now();
  for (let m = 0; m < messages; m++) for (const w of workers) dispatch(w, { type: "work" });
  const { total, bad } = await done.promise;
  const elapsedMs = performance.now() - started;
  stopAll([collector, ...workers]);
  return {
    elapsedMs,
    messages: actors * messages + actors,
    check: allOf(expectEqual("messages processed", total, actors * messages), expectEqual("bad results", bad, 0)),
  };
}

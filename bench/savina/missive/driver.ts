/**
 * `SavinaDriver`: runs one Savina workload among its children, on its own worker, and
 * answers the benchmark's ask when the workload has completed (see `../latch.ts`).
 * @module
 */
import { defineActor } from "../../../mod.ts";
import type { SavinaRequest, WorkloadRun } from "../common.ts";
import { runBig } from "./big.ts";
import { runChameneos } from "./chameneos.ts";
import { runCounting } from "./counting.ts";
import { runFjThroughput } from "./fjthroughput.ts";
import { runPingPong } from "./pingpong.ts";
import { runThreadRing } from "./threadring.ts";

/** `run({ workload, params })` answers with the run's time, message count and check. */
export const SavinaDriver = defineActor(import.meta.url, {
  name: "SavinaDriver",
  init: () => ({}),
  handlers: {
    run(_state, req: SavinaRequest, ctx): Promise<WorkloadRun> {
      switch (req.workload) {
        case "pingpong":
          return runPingPong(ctx, req.params);
        case "counting":
          return runCounting(ctx, req.params);
        case "threadring":
          return runThreadRing(ctx, req.params);
        case "fjthroughput":
          return runFjThroughput(ctx, req.params);
        case "big":
          return runBig(ctx, req.params);
        case "chameneos":
          return runChameneos(ctx, req.params);
      }
    },
  },
});

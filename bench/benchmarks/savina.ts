/**
 * In-loop dispatch: the Savina workloads with every actor on ONE worker, driven by an
 * ask to a `SavinaDriver` actor that answers when the workload has completed; and the
 * same workloads on nact (single-threaded, in this process's main thread).
 *
 * The time is measured where the actors run, from the start message to completion;
 * spawning and stopping the actors are not timed (they are the spawn benchmark's job).
 * @module
 */
import { type Ref, start, stop } from "nact";
import type { ActorRef } from "../../mod.ts";
import type { BenchmarkFactory, BenchmarkSpec, CaseRunner, CaseSpec, SizeMode } from "../harness/types.ts";
import type { SavinaParams, SavinaRequest, SavinaWorkload, WorkloadRun } from "../savina/common.ts";
import { SavinaDriver } from "../savina/missive/driver.ts";
import { runBigNact } from "../savina/nact/big.ts";
import { runChameneosNact } from "../savina/nact/chameneos.ts";
import { runCountingNact } from "../savina/nact/counting.ts";
import { runFjThroughputNact } from "../savina/nact/fjthroughput.ts";
import { runPingPongNact } from "../savina/nact/pingpong.ts";
import { runThreadRingNact } from "../savina/nact/threadring.ts";
import { rateMetric, startSystem, timeMetric } from "./common.ts";

interface WorkloadInfo<K extends SavinaWorkload> {
  title: string;
  /** Savina's size (what the issue asks for). */
  reference: SavinaParams[K];
  full: SavinaParams[K];
  quick: SavinaParams[K];
  nact: (system: Ref<never>, params: SavinaParams[K]) => Promise<WorkloadRun>;
}

const WORKLOADS: { [K in SavinaWorkload]: WorkloadInfo<K> } = {
  pingpong: {
    title: "Savina PingPong",
    reference: { pings: 40_000 },
    full: { pings: 40_000 },
    quick: { pings: 2_000 },
    nact: runPingPongNact,
  },
  counting: {
    title: "Savina Counting",
    reference: { messages: 1_000_000 },
    full: { messages: 1_000_000 },
    quick: { messages: 20_000 },
    nact: runCountingNact,
  },
  threadring: {
    title: "Savina ThreadRing",
    reference: { actors: 100, hops: 100_000 },
    full: { actors: 100, hops: 100_000 },
    quick: { actors: 100, hops: 5_000 },
    nact: runThreadRingNact,
  },
  fjthroughput: {
    title: "Savina Fork-Join throughput",
    reference: { actors: 60, messages: 10_000 },
    full: { actors: 60, messages: 10_000 },
    quick: { actors: 10, messages: 500 },
    nact: runFjThroughputNact,
  },
  big: {
    title: "Savina Big",
    reference: { actors: 120, pings: 20_000 },
    full: { actors: 120, pings: 20_000 },
    quick: { actors: 20, pings: 200 },
    nact: runBigNact,
  },
  chameneos: {
    title: "Savina Chameneos",
    reference: { chameneos: 100, meetings: 200_000 },
    full: { chameneos: 100, meetings: 200_000 },
    quick: { chameneos: 20, meetings: 2_000 },
    nact: runChameneosNact,
  },
};

function sample(run: WorkloadRun) {
  return { metrics: { ms: run.elapsedMs, rate: (run.messages / run.elapsedMs) * 1000 }, check: run.check };
}

function savina<K extends SavinaWorkload>(workload: K, size: SizeMode): BenchmarkSpec {
  const info = WORKLOADS[workload] as WorkloadInfo<K>;
  const params = info[size];
  const request = { workload, params } as SavinaRequest;
  const scaled = JSON.stringify(params) !== JSON.stringify(info.reference);
  const missive: CaseSpec = {
    name: "missive",
    role: "missive",
    async setup(): Promise<CaseRunner> {
      const { system, close } = await startSystem({ workers: 1 });
      const driver: ActorRef<typeof SavinaDriver> = await system.spawn(SavinaDriver, undefined, { worker: 0 });
      return { run: async () => sample(await driver.ask("run", request, { timeout: 170_000 })), close };
    },
  };
  const nact: CaseSpec = {
    name: "nact",
    role: "baseline",
    setup(): Promise<CaseRunner> {
      const system = start();
      return Promise.resolve({ run: async () => sample(await info.nact(system, params)), close: () => Promise.resolve(stop(system)) });
    },
  };
  return {
    name: `savina-${workload}`,
    title: `in-loop: ${info.title} (1 worker)`,
    metrics: [timeMetric, rateMetric()],
    params: { ...params },
    notes: scaled && size === "full"
      ? [
        `scaled down from Savina's ${JSON.stringify(info.reference)} to ${JSON.stringify(params)} to keep the suite within its time budget`,
      ]
      : [],
    cases: [missive, nact],
  };
}

/** One factory per Savina workload. */
export const savinaBenchmarks: BenchmarkFactory[] = (Object.keys(WORKLOADS) as SavinaWorkload[]).map((w) => (size: SizeMode) =>
  savina(w, size)
);

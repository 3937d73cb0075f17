/**
 * The shapes the harness works with: a benchmark is a workload with one Missive case and
 * its baselines, measured side by side in one process; each run of a case yields a
 * {@link Sample} (metrics plus the workload's own correctness check).
 * @module
 */

/** Which direction is better for a metric. */
export type Better = "higher" | "lower";

/** One number a benchmark reports per run. The first metric of a benchmark is its primary one. */
export interface MetricSpec {
  /** Key in {@link Sample.metrics}. */
  key: string;
  /** Column label, e.g. `msgs/s` or `p50`. */
  label: string;
  /** Unit, e.g. `msgs/s`, `µs`, `ms`, `MB`. */
  unit: string;
  better: Better;
}

/** A workload's verdict on its own result: a fast wrong answer must not win. */
export interface Check {
  ok: boolean;
  /** What was checked, or what was wrong. */
  detail: string;
}

/** What one run of a case measured. */
export interface Sample {
  metrics: Record<string, number>;
  check: Check;
}

/** A case that has been set up and can be run repeatedly. */
export interface CaseRunner {
  /** Runs the workload once and measures it. Never sleeps: completion is an acknowledgement. */
  run(): Promise<Sample>;
  /** Releases workers, pools, systems. */
  close(): Promise<void>;
}

/** Missive itself, or something it is compared with. */
export type CaseRole = "missive" | "baseline";

/** One contender of a benchmark. */
export interface CaseSpec {
  /** Short name, e.g. `missive`, `postMessage`, `comlink`. */
  name: string;
  role: CaseRole;
  /** Why the case cannot run on this runtime, or `undefined` when it can. */
  unavailable?: () => string | undefined;
  /** Starts whatever the case needs (not timed). */
  setup(): Promise<CaseRunner>;
}

/** A workload with its contenders. */
export interface BenchmarkSpec {
  /** Stable id used by `--only` and in the JSON, e.g. `tell-1to1`. */
  name: string;
  /** Human title for the table. */
  title: string;
  /** Metrics each run reports; the first is the primary one (ratios, targets). */
  metrics: MetricSpec[];
  /** Workload sizes and settings, recorded in the JSON. */
  params: Record<string, unknown>;
  /** Anything a reader must know, e.g. that a workload was scaled down. */
  notes: string[];
  cases: CaseSpec[];
  /**
   * Set when the benchmark needs something from outside the project (the cluster
   * benchmarks: a nats-server): its cases may then be n/a (with the reason), Missive's
   * included, without failing the run.
   */
  external?: string;
}

/** Sizes of a suite run. */
export type SizeMode = "full" | "quick";

/** Builds a benchmark for a size mode. */
export type BenchmarkFactory = (size: SizeMode) => BenchmarkSpec;

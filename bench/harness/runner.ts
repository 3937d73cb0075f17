/**
 * Runs benchmarks: every case of a benchmark is set up, warmed up, then measured in
 * interleaved rounds (Missive, baseline 1, baseline 2, Missive, …) so that drift of the
 * machine (frequency, other load, GC of earlier cases) hits every contender alike.
 *
 * A case that cannot run on this runtime is reported as `n/a` with the reason; a baseline
 * whose setup fails is `n/a` too (a missing baseline must not hide Missive's numbers). A
 * run whose own check fails makes its case `invalid`; a run that throws or exceeds the
 * watchdog makes it `error`.
 *
 * @example
 * ```ts
 * const results = await runSuite(allBenchmarks, { size: "quick", reps: 1, warmup: 0, timeoutMs: 60_000 });
 * ```
 * @module
 */
import { summarize, type Summary } from "./stats.ts";
import type { BenchmarkFactory, BenchmarkSpec, CaseRole, CaseRunner, MetricSpec, Sample, SizeMode } from "./types.ts";

/** How a suite runs. */
export interface SuiteOptions {
  size: SizeMode;
  /** Run only benchmarks whose name equals or starts with one of these. */
  only?: string[];
  /** Measured repetitions per case (after warm-up). */
  reps: number;
  /** Unmeasured runs per case before the measured ones. */
  warmup: number;
  /** A single run (or setup) taking longer than this fails its case. */
  timeoutMs: number;
  /** Told about every step, for a progress display. */
  onProgress?: (event: ProgressEvent) => void;
  /** Told about each benchmark's results as soon as it has finished. */
  onResult?: (result: BenchmarkResult) => void;
}

/** One step of the suite. */
export interface ProgressEvent {
  /** 1-based position of the benchmark among those selected. */
  index: number;
  count: number;
  benchmark: string;
  title: string;
  caseName: string;
  phase: "setup" | "warmup" | "rep" | "close";
  /** 1-based repetition (or warm-up run) number. */
  rep: number;
  reps: number;
}

/** What became of a case. */
export type CaseStatus = "ok" | "invalid" | "n/a" | "error";

/** Results of one case. */
export interface CaseResult {
  name: string;
  role: CaseRole;
  status: CaseStatus;
  /** Why it is `n/a`, `invalid` or `error`. */
  reason?: string;
  /** The measured runs (warm-up excluded). */
  samples: Sample[];
  /** Per metric key: median and spread over the measured runs. */
  stats: Record<string, Summary>;
}

/** How Missive compares with one baseline on one metric (medians). */
export interface Ratio {
  baseline: string;
  metric: string;
  missive: number;
  baselineValue: number;
  /** How many times better Missive is (> 1: Missive ahead), whatever the metric's direction. */
  speedup: number;
}

/** Results of one benchmark. */
export interface BenchmarkResult {
  name: string;
  title: string;
  params: Record<string, unknown>;
  notes: string[];
  metrics: MetricSpec[];
  cases: CaseResult[];
  ratios: Ratio[];
  /** What outside the project it needs (see `BenchmarkSpec.external`); its cases may be n/a for want of it. */
  external?: string;
  /** Wall-clock seconds the benchmark took, set-up included. */
  seconds: number;
}

/** True when `name` is selected by `only` (exact name or prefix). */
export function selected(name: string, only: readonly string[] | undefined): boolean {
  return only === undefined || only.length === 0 || only.some((o) => name === o || name.startsWith(o));
}

/** Runs the selected benchmarks one after the other. */
export async function runSuite(factories: readonly BenchmarkFactory[], options: SuiteOptions): Promise<BenchmarkResult[]> {
  const specs = factories.map((f) => f(options.size)).filter((b) => selected(b.name, options.only));
  const results: BenchmarkResult[] = [];
  for (const [i, spec] of specs.entries()) {
    const result = await runBenchmark(spec, i + 1, specs.length, options);
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

interface Live {
  result: CaseResult;
  runner: CaseRunner | null;
}

async function runBenchmark(spec: BenchmarkSpec, index: number, count: number, options: SuiteOptions): Promise<BenchmarkResult> {
  const started = performance.now();
  const progress = (caseName: string, phase: ProgressEvent["phase"], rep: number, reps: number): void =>
    options.onProgress?.({ index, count, benchmark: spec.name, title: spec.title, caseName, phase, rep, reps });
  const live: Live[] = [];
  for (const c of spec.cases) {
    const result: CaseResult = { name: c.name, role: c.role, status: "ok", samples: [], stats: {} };
    live.push({ result, runner: null });
    const why = c.unavailable?.();
    if (why !== undefined) {
      Object.assign(result, { status: "n/a", reason: why });
      continue;
    }
    progress(c.name, "setup", 0, 0);
    try {
      live[live.length - 1]!.runner = await withTimeout(c.setup(), options.timeoutMs, `${spec.name}/${c.name} setup`);
    } catch (e) {
      Object.assign(
        result,
        c.role === "baseline"
          ? { status: "n/a", reason: `cannot run here: ${message(e)}` }
          : { status: "error", reason: `setup failed: ${message(e)}` },
      );
    }
  }
  const runOnce = async (entry: Live, phase: "warmup" | "rep", rep: number, reps: number): Promise<void> => {
    if (entry.runner === null || entry.result.status === "error") return;
    progress(entry.result.name, phase, rep, reps);
    let sample: Sample;
    try {
      sample = await withTimeout(entry.runner.run(), options.timeoutMs, `${spec.name}/${entry.result.name}`);
    } catch (e) {
      Object.assign(entry.result, { status: "error", reason: message(e) });
      await closeQuietly(entry, spec.name);
      return;
    }
    if (!sample.check.ok && entry.result.status === "ok") Object.assign(entry.result, { status: "invalid", reason: sample.check.detail });
    if (phase === "rep") entry.result.samples.push(sample);
  };
  for (let w = 1; w <= options.warmup; w++) for (const entry of live) await runOnce(entry, "warmup", w, options.warmup);
  for (let r = 1; r <= options.reps; r++) for (const entry of live) await runOnce(entry, "rep", r, options.reps);
  for (const entry of live) {
    progress(entry.result.name, "close", 0, 0);
    await closeQuietly(entry, spec.name);
    if (entry.result.samples.length > 0) {
      for (const m of spec.metrics) {
        const values = entry.result.samples.map((s) => s.metrics[m.key]).filter((v): v is number =>
          typeof v === "number" && Number.isFinite(v)
        );
        if (values.length > 0) entry.result.stats[m.key] = summarize(values);
      }
    }
  }
  const cases = live.map((l) => l.result);
  return {
    name: spec.name,
    title: spec.title,
    params: spec.params,
    notes: spec.notes,
    ...(spec.external === undefined ? {} : { external: spec.external }),
    metrics: spec.metrics,
    cases,
    ratios: ratiosOf(spec.metrics, cases),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Missive's speedup over every baseline that ran validly, per metric. */
function ratiosOf(metrics: readonly MetricSpec[], cases: readonly CaseResult[]): Ratio[] {
  const missive = cases.find((c) => c.role === "missive" && c.status === "ok");
  if (missive === undefined) return [];
  const ratios: Ratio[] = [];
  for (const base of cases) {
    if (base.role !== "baseline" || base.status !== "ok") continue;
    for (const m of metrics) {
      const a = missive.stats[m.key]?.median;
      const b = base.stats[m.key]?.median;
      if (a === undefined || b === undefined || a === 0 || b === 0) continue;
      ratios.push({ baseline: base.name, metric: m.key, missive: a, baselineValue: b, speedup: m.better === "higher" ? a / b : b / a });
    }
  }
  return ratios;
}

async function closeQuietly(entry: Live, benchmark: string): Promise<void> {
  const runner = entry.runner;
  entry.runner = null;
  if (runner === null) return;
  try {
    await withTimeout(runner.close(), 30_000, `${benchmark}/${entry.result.name} close`);
  } catch (e) {
    console.error(`[bench] ${benchmark}/${entry.result.name}: close failed: ${message(e)}`);
  }
}

/** Rejects when `promise` has not settled after `ms` (a watchdog, not a wait for work). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${(ms / 1000).toFixed(0)} s`)), ms);
  });
  return Promise.race([promise, watchdog]).finally(() => clearTimeout(timer));
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name === "Error" ? "" : `${e.name}: `}${e.message}` : String(e);
}

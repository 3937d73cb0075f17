/**
 * The performance targets of issue 5, evaluated on one suite run: each compares the
 * medians of Missive and one baseline in the same run, as the ratio the target states.
 * Beside that verdict, each ratio is also taken round by round (the runner interleaves the
 * cases, so sample `i` of every case comes from round `i`): the median and range of those
 * ratios say how far the verdict stands from the machine's drift.
 * @module
 */
import type { BenchmarkResult, CaseResult } from "./runner.ts";
import { summarize } from "./stats.ts";

/** One target. */
export interface TargetSpec {
  /** Stable id, e.g. `tell-1to1-vs-postMessage`. */
  id: string;
  /** What the target says, in words. */
  text: string;
  benchmark: string;
  /** The case measured against the baseline; default: the benchmark's `missive` case. */
  subject?: string;
  baseline: string;
  metric: string;
  /** `missive / baseline` (the ratio is stated that way round, whatever the metric). */
  op: ">=" | "<=" | "<" | ">";
  threshold: number;
  /**
   * `ratio` is `missive/baseline`; `inverse` is `baseline/missive` (e.g. nact's time over
   * Missive's); `value` is Missive's own median (no baseline).
   */
  form: "ratio" | "inverse" | "value";
}

/** How a target fared. */
export interface TargetResult extends TargetSpec {
  /** The measured ratio (or value) in the target's form, or `null` when it could not be measured. */
  ratio: number | null;
  /**
   * The same ratio in each round (the two cases' samples of that round), summarized; `null`
   * for a `value` target or when no round measured both.
   */
  rounds: RoundRatios | null;
  status: "PASS" | "MISS" | "n/a";
  /** Why it is `n/a`. */
  reason?: string;
}

/** A target's ratio taken round by round. */
export interface RoundRatios {
  median: number;
  min: number;
  max: number;
  /** Rounds that measured both cases. */
  n: number;
}

const SAVINA = ["pingpong", "counting", "threadring", "fjthroughput", "big", "chameneos"];

/** The targets of issue 5 (see `../shared/DESIGN.md` §5). */
export const TARGETS: TargetSpec[] = [
  ...["tell-1to1", "tell-all"].flatMap((b): TargetSpec[] => [
    {
      id: `${b}-vs-postMessage`,
      text: `${b}: ≥ 4× per-message postMessage msgs/s`,
      benchmark: b,
      baseline: "postMessage/msg",
      metric: "rate",
      op: ">=",
      threshold: 4,
      form: "ratio",
    },
    {
      id: `${b}-vs-batch`,
      text: `${b}: ≥ 256-item structured-clone batches`,
      benchmark: b,
      baseline: "postMessage/256 batch",
      metric: "rate",
      op: ">=",
      threshold: 1,
      form: "ratio",
    },
  ]),
  {
    id: "tell-cold-vs-postMessage",
    text: "tell-cold: the first 200 000 tells of a fresh system ≥ 4× per-message postMessage msgs/s",
    benchmark: "tell-cold",
    baseline: "postMessage/msg",
    metric: "rate",
    op: ">=",
    threshold: 4,
    form: "ratio",
  },
  {
    id: "ask-seq-vs-pingpong",
    text: "ask-seq: p50 ≤ 1.2× bare postMessage ping-pong",
    benchmark: "ask-seq",
    baseline: "postMessage ping-pong",
    metric: "p50",
    op: "<=",
    threshold: 1.2,
    form: "ratio",
  },
  {
    id: "ask-seq-vs-comlink",
    text: "ask-seq: p50 below comlink's",
    benchmark: "ask-seq",
    baseline: "comlink",
    metric: "p50",
    op: "<",
    threshold: 1,
    form: "ratio",
  },
  {
    id: "ask-pipelined-vs-comlink",
    text: "ask-pipelined: ≥ 5× comlink's calls/s",
    benchmark: "ask-pipelined",
    baseline: "comlink",
    metric: "rate",
    op: ">=",
    threshold: 5,
    form: "ratio",
  },
  ...SAVINA.map((w): TargetSpec => ({
    id: `savina-${w}-vs-nact`,
    text: `savina-${w}: ahead of nact (nact time / Missive time)`,
    benchmark: `savina-${w}`,
    baseline: "nact",
    metric: "ms",
    op: ">",
    threshold: 1,
    form: "inverse",
  })),
  {
    id: "pingpong-refs-vs-sender",
    text: "pingpong-refs: a reply ref in every message ≥ 0.7× the ctx.sender variant's msgs/s",
    benchmark: "pingpong-refs",
    baseline: "ctx.sender",
    metric: "rate",
    op: ">=",
    threshold: 0.7,
    form: "ratio",
  },
  ...["pingpong-refs-object", "pingpong-refs-across"].map((b): TargetSpec => ({
    id: `${b}-vs-sender`,
    text: `${b}: a { replyTo, n } request ≥ 0.7× the ctx.sender variant's msgs/s`,
    benchmark: b,
    baseline: "ctx.sender",
    metric: "rate",
    op: ">=",
    threshold: 0.7,
    form: "ratio",
  })),
  // Issue 13 goal 3: the shared-memory link (opt-in, `link: { transport: "ring" }`).
  {
    id: "tell-all-ring-vs-batch",
    text: "tell-all over shared-memory rings: ≥ 1.5× 256-item structured-clone batches",
    benchmark: "tell-all",
    subject: "missive ring",
    baseline: "postMessage/256 batch",
    metric: "rate",
    op: ">=",
    threshold: 1.5,
    form: "ratio",
  },
  {
    id: "ask-seq-ring-vs-pingpong",
    text: "ask-seq over shared-memory rings: p50 ≤ 1.0× bare postMessage ping-pong",
    benchmark: "ask-seq",
    subject: "missive ring",
    baseline: "postMessage ping-pong",
    metric: "p50",
    op: "<=",
    threshold: 1,
    form: "ratio",
  },
  {
    id: "ask-seq-spin-vs-pingpong",
    text: "ask-seq over rings with a 50 µs spin: p50 ≤ 0.3× bare postMessage ping-pong",
    benchmark: "ask-seq",
    subject: "missive ring spin50",
    baseline: "postMessage ping-pong",
    metric: "p50",
    op: "<=",
    threshold: 0.3,
    form: "ratio",
  },
  {
    id: "spawn-batch-vs-nact",
    text: "spawn-batch: spawn + confirmed start and stop, batches of 100 on one worker, ≥ 2× nact's actors/s",
    benchmark: "spawn-batch",
    baseline: "nact",
    metric: "rate",
    op: ">=",
    threshold: 2,
    form: "ratio",
  },
  {
    id: "idle-actor-worker-bytes",
    text: "idle-actors: ≤ 1 KiB of worker heap per idle actor (bytes, not a ratio)",
    benchmark: "idle-actors",
    baseline: "",
    metric: "worker",
    op: "<=",
    threshold: 1024,
    form: "value",
  },
  {
    id: "idle-actor-main-bytes",
    text: "idle-actors: ≤ 48 bytes of main-thread heap per idle actor (bytes, not a ratio)",
    benchmark: "idle-actors",
    baseline: "",
    metric: "main",
    op: "<=",
    threshold: 48,
    form: "value",
  },
  {
    id: "memory-bounded-flat",
    text: "memory-bounded: rss growth during the flood ≤ 32 MB (MB, not a ratio)",
    benchmark: "memory-bounded",
    baseline: "",
    metric: "growth",
    op: "<=",
    threshold: 32,
    form: "value",
  },
  {
    id: "offload-vs-piscina",
    text: "offload: ≥ 2× piscina's tasks/s",
    benchmark: "offload",
    baseline: "piscina",
    metric: "rate",
    op: ">=",
    threshold: 2,
    form: "ratio",
  },
  {
    id: "channel-cancel-storm-vs-no-aborts",
    text: "channel-cancel-storm: items/s with the abort storm ≥ 0.5× the same run without aborts (within 2×)",
    benchmark: "channel-cancel-storm",
    baseline: "no aborts",
    metric: "rate",
    op: ">=",
    threshold: 0.5,
    form: "ratio",
  },
  {
    id: "cluster-tell-vs-request-reply",
    text: "cluster-tell: msgs/s ≥ one NATS request-reply per message (same client, loopback)",
    benchmark: "cluster-tell",
    baseline: "NATS request-reply",
    metric: "rate",
    op: ">=",
    threshold: 1,
    form: "ratio",
  },
  {
    id: "cluster-ask-vs-request-reply",
    text: "cluster-ask: p50 ≤ 1.5× a bare NATS request-reply (same client, loopback)",
    benchmark: "cluster-ask",
    baseline: "NATS request-reply",
    metric: "p50",
    op: "<=",
    threshold: 1.5,
    form: "ratio",
  },
];

function holds(ratio: number, op: TargetSpec["op"], threshold: number): boolean {
  switch (op) {
    case ">=":
      return ratio >= threshold;
    case "<=":
      return ratio <= threshold;
    case "<":
      return ratio < threshold;
    case ">":
      return ratio > threshold;
  }
}

/**
 * The target's ratio in each round where both cases measured `metric` (samples paired by
 * position: the runner runs every case once per round, in order), or `null` if none did.
 */
export function roundRatios(
  subject: CaseResult,
  base: CaseResult,
  metric: string,
  form: "ratio" | "inverse",
): RoundRatios | null {
  const ratios: number[] = [];
  const n = Math.min(subject.samples.length, base.samples.length);
  for (let i = 0; i < n; i++) {
    const m = subject.samples[i]!.metrics[metric];
    const b = base.samples[i]!.metrics[metric];
    if (m === undefined || b === undefined || !(m > 0) || !(b > 0) || !Number.isFinite(m) || !Number.isFinite(b)) continue;
    ratios.push(form === "ratio" ? m / b : b / m);
  }
  if (ratios.length === 0) return null;
  const { median, min, max, n: count } = summarize(ratios);
  return { median, min, max, n: count };
}

/** Evaluates every target whose benchmark ran. */
export function evaluateTargets(results: readonly BenchmarkResult[]): TargetResult[] {
  const out: TargetResult[] = [];
  for (const t of TARGETS) {
    const bench = results.find((r) => r.name === t.benchmark);
    if (bench === undefined) continue;
    const missive = bench.cases.find((c) => t.subject === undefined ? c.role === "missive" : c.name === t.subject);
    const base = t.form === "value" ? missive : bench.cases.find((c) => c.name === t.baseline);
    const missiveBad = missive === undefined || missive.status !== "ok";
    if (missiveBad || base === undefined || base.status !== "ok") {
      const bad = missiveBad ? missive : base;
      const name = missiveBad ? t.subject ?? "missive" : t.baseline;
      const reason = bad === undefined ? `${name} did not run` : `${name} is ${bad.status}${bad.reason ? `: ${bad.reason}` : ""}`;
      out.push({ ...t, ratio: null, rounds: null, status: "n/a", reason });
      continue;
    }
    const m = missive.stats[t.metric]?.median;
    const b = base.stats[t.metric]?.median;
    if (m === undefined || b === undefined || (t.form !== "value" && (m === 0 || b === 0))) {
      out.push({ ...t, ratio: null, rounds: null, status: "n/a", reason: "no measurement" });
      continue;
    }
    const ratio = t.form === "value" ? m : t.form === "ratio" ? m / b : b / m;
    const rounds = t.form === "value" ? null : roundRatios(missive, base, t.metric, t.form);
    out.push({ ...t, ratio, rounds, status: holds(ratio, t.op, t.threshold) ? "PASS" : "MISS" });
  }
  return out;
}

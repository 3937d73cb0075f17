/**
 * Markdown rendering of saved suite results (`bench/results/<runtime>.json`) for the README:
 * a table of every benchmark on one runtime, and a table of the targets on every runtime
 * given, with the round-by-round ratios of the rows near their line. Pure functions of the
 * JSON, so a test can check that the README's tables are the ones the saved runs produce.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { benchmarkTable, type SavedRun } from "./markdown.ts";
 * const node = JSON.parse(readFileSync("bench/results/node.json", "utf8")) as SavedRun;
 * console.log(benchmarkTable(node));
 * ```
 * @module
 */
import { formatValue, targetRatioText } from "./format.ts";
import type { SuiteReport } from "./cli.ts";
import type { BenchmarkResult, CaseResult } from "./runner.ts";
import type { TargetResult } from "./targets.ts";
import type { MetricSpec } from "./types.ts";

/** What `bench/main.ts` writes to `bench/results/<runtime>.json`: the parts rendered here. */
export type SavedRun = Pick<SuiteReport, "date" | "options" | "durationSeconds" | "environment" | "benchmarks" | "targets">;

/** A runtime's display name: `node` → `Node`. */
export function runtimeTitle(run: SavedRun): string {
  const name = run.environment.runtime.name;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `Node 22.23.3, tree a5a1042, 2026-12-01, 683 s`: where a run comes from. */
export function runSummary(run: SavedRun): string {
  const { runtime, git } = run.environment;
  const version = runtime.versions[runtime.name] ?? "?";
  const tree = git === null ? "tree unknown" : `tree ${git.commit.slice(0, 7)}${git.dirty ? " (dirty)" : ""}`;
  return `${runtimeTitle(run)} ${version}, ${tree}, ${run.date.slice(0, 10)}, ${Math.round(run.durationSeconds)} s`;
}

/** Metrics shown beside a case's primary one: CPU, p99 and a second figure of memory. */
const SHOWN_BESIDE = new Set(["cpu", "p99", "main"]);

function metricText(c: CaseResult, m: MetricSpec): string {
  const s = c.stats[m.key];
  if (s === undefined) return "—";
  const value = formatValue(s.median, m.unit);
  if (m.key === "cpu") return `${value} ${m.unit} CPU/msg`;
  if (m.label === m.unit) return `${value} ${m.unit}`;
  return `${m.label} ${value} ${m.unit}`;
}

function caseText(b: BenchmarkResult, c: CaseResult): string {
  if (c.status !== "ok") return `${c.status} (${c.reason ?? "unavailable"})`;
  const metrics = b.metrics.filter((m, i) => i === 0 || SHOWN_BESIDE.has(m.key));
  const failed = c.samples.some((s) => !s.check.ok) ? " — **a check failed**" : "";
  return metrics.map((m) => metricText(c, m)).join(", ") + failed;
}

/** How many times better `subject` is than `base` on the primary metric (medians); null if either is missing. */
function speedup(b: BenchmarkResult, subject: CaseResult, base: CaseResult): number | null {
  const m = b.metrics[0]!;
  const a = subject.stats[m.key]?.median;
  const z = base.stats[m.key]?.median;
  if (a === undefined || z === undefined || subject.status !== "ok" || base.status !== "ok" || a === 0 || z === 0) return null;
  return m.better === "higher" ? a / z : z / a;
}

/** A case that is Missive run another way (`missive ring`), shown as a row of its own. */
const isVariant = (c: CaseResult): boolean => c.role === "baseline" && c.name.startsWith("missive ");

function baselinesText(b: BenchmarkResult, subject: CaseResult, bases: readonly CaseResult[]): string {
  const m = b.metrics[0]!;
  return bases
    .map((base) => {
      const r = speedup(b, subject, base);
      const value = base.stats[m.key];
      const shown = value === undefined ? "" : ` (${formatValue(value.median, m.unit)} ${m.unit})`;
      return r === null ? `${base.name}: ${base.status}` : `${r.toFixed(2)}× ${base.name}${shown}`;
    })
    .join("; ");
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** A markdown table, its columns padded as `deno fmt` pads them. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows].map((r) => r.map(escapeCell));
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c + " ".repeat(widths[i]! - [...c].length)).join(" | ")} |`;
  return [line(all[0]!), line(widths.map((w) => "-".repeat(w))), ...all.slice(1).map(line)].join("\n");
}

/**
 * Every benchmark of one run: Missive's medians, then how many times better it is than each
 * baseline (×, > 1: Missive ahead, whatever the metric's direction) with the baseline's median.
 * Missive run another way (`missive ring`) gets a row of its own against the same baselines.
 */
export function benchmarkTable(run: SavedRun): string {
  const rows: string[][] = [];
  for (const b of run.benchmarks) {
    const missive = b.cases.find((c) => c.role === "missive");
    if (missive === undefined) continue;
    const variants = b.cases.filter(isVariant);
    const bases = b.cases.filter((c) => c.role === "baseline" && !isVariant(c));
    rows.push([`${b.title} \`${b.name}\``, caseText(b, missive), baselinesText(b, missive, bases)]);
    for (const v of variants) rows.push([`… ${v.name}`, caseText(b, v), baselinesText(b, v, bases)]);
  }
  return markdownTable(["benchmark", "Missive (medians)", "× each baseline (its median)"], rows);
}

function targetCell(t: TargetResult | undefined): string {
  if (t === undefined) return "—";
  if (t.ratio === null || t.status === "n/a") return `n/a${t.reason ? ` (${t.reason})` : ""}`;
  const text = targetRatioText(t);
  return t.status === "MISS" ? `**${text}**` : text;
}

/** The targets of every run given, a column per run (misses in bold), and a line counting them. */
export function targetTable(runs: readonly SavedRun[]): string {
  const ids = [...new Set(runs.flatMap((r) => r.targets.map((t) => t.id)))];
  const text = new Map(runs.flatMap((r) => r.targets.map((t) => [t.id, t.text] as const)));
  const rows = ids.map((id) => [text.get(id)!, ...runs.map((r) => targetCell(r.targets.find((t) => t.id === id)))]);
  const met = runs.map((r) => `${runtimeTitle(r)} ${r.targets.filter((t) => t.status === "PASS").length}`);
  return `${markdownTable(["target", ...runs.map(runtimeTitle)], rows)}\n\nMet, of ${ids.length}: ${met.join(", ")}.`;
}

/** True when a target missed, or met it by less than `margin` (0.1: within 10% of its line). */
function nearLine(t: TargetResult, margin: number): boolean {
  if (t.ratio === null || t.form === "value") return false;
  if (t.status === "MISS") return true;
  const higher = t.op === ">=" || t.op === ">";
  return higher ? t.ratio < t.threshold * (1 + margin) : t.ratio > t.threshold * (1 - margin);
}

/**
 * The targets that any run missed or met within 10%, their ratio taken round by round in each
 * run: the median and range of the per-round ratios (how far a verdict stands from the drift).
 */
export function nearLineTable(runs: readonly SavedRun[]): string {
  const ids = [...new Set(runs.flatMap((r) => r.targets.filter((t) => nearLine(t, 0.1)).map((t) => t.id)))];
  const rows = ids.map((id) => {
    const cells = runs.map((r) => {
      const t = r.targets.find((x) => x.id === id);
      if (t === undefined || t.rounds === null) return "—";
      const { median, min, max } = t.rounds;
      return `${median.toFixed(2)}× (${min.toFixed(2)}–${max.toFixed(2)})`;
    });
    return [runs.flatMap((r) => r.targets).find((x) => x.id === id)!.text, ...cells];
  });
  return markdownTable(["target (round by round: median, range)", ...runs.map(runtimeTitle)], rows);
}

/** The markers around the generated block in README.md. */
export const BLOCK_START = "<!-- bench-tables:start (generated by bench/tools/readme-tables.ts from bench/results/*.json; do not edit) -->";
export const BLOCK_END = "<!-- bench-tables:end -->";

/** The README's generated block, markers included: runs in the order Node, Deno, Bun. */
export function renderBlock(runs: readonly SavedRun[]): string {
  const node = runs[0]!;
  return [
    BLOCK_START,
    "",
    `Every benchmark, ${runSummary(node)} (medians of ${node.options.reps} after ${node.options.warmup} warm-ups):`,
    "",
    benchmarkTable(node),
    "",
    `The targets on all three runtimes (${runs.map(runSummary).join("; ")}; misses in bold):`,
    "",
    targetTable(runs),
    "",
    "The targets any run missed or met within 10%, their ratio taken round by round (one sample of each case per round):",
    "",
    nearLineTable(runs),
    "",
    BLOCK_END,
  ].join("\n");
}

/** `readme`'s generated block (markers included), or null when it has none. */
export function findBlock(readme: string): string | null {
  const start = readme.indexOf(BLOCK_START);
  const end = readme.indexOf(BLOCK_END);
  return start < 0 || end < start ? null : readme.slice(start, end + BLOCK_END.length);
}

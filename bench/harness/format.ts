/**
 * Plain-text rendering of results: one block per benchmark, then the targets.
 * @module
 */
import type { Summary } from "./stats.ts";
import type { BenchmarkResult, CaseResult } from "./runner.ts";
import type { TargetResult } from "./targets.ts";
import type { MetricSpec } from "./types.ts";

/** A number in a compact, readable form for its unit. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "—";
  if (unit.endsWith("/s")) {
    if (value >= 1e6) return `${(value / 1e6).toFixed(value >= 1e7 ? 1 : 2)}M`;
    if (value >= 1e4) return `${(value / 1e3).toFixed(value >= 1e5 ? 0 : 1)}k`;
    return value.toFixed(0);
  }
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  if (Math.abs(value) >= 100) return value.toFixed(1);
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}

function spread(s: Summary | undefined, unit: string, lo: keyof Summary, hi: keyof Summary): string {
  if (s === undefined || s.n < 2) return "";
  return `${formatValue(s[lo], unit)}…${formatValue(s[hi], unit)}`;
}

function statusText(c: CaseResult): string {
  if (c.status === "ok") return "ok";
  if (c.status === "n/a") return `n/a (${c.reason ?? "unavailable"})`;
  return `${c.status.toUpperCase()}: ${c.reason ?? ""}`;
}

function pad(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        if (i === row.length - 1) return cell;
        const fill = " ".repeat(Math.max(0, widths[i]! - [...cell].length));
        return rightAligned.has(i) ? fill + cell : cell + fill;
      })
      .join("  ")
      .trimEnd()
  );
}

/** The block of one benchmark: a heading, then a row per case and metric. */
export function formatBenchmark(r: BenchmarkResult): string {
  const params = Object.entries(r.params)
    .filter(([, v]) => typeof v === "number" || typeof v === "string")
    .map(([k, v]) => `${k} ${typeof v === "number" ? v.toLocaleString("en-US") : v}`)
    .join(", ");
  const lines = [`${r.title}  [${r.name}; ${params}; ${r.seconds.toFixed(1)} s]`];
  for (const note of r.notes) lines.push(`  note: ${note}`);
  const rows: string[][] = [["  case", "metric", "median", "p25…p75", "min…max", "n", "Missive ×", "check"]];
  for (const c of r.cases) {
    r.metrics.forEach((m: MetricSpec, k: number) => {
      const s = c.stats[m.key];
      const ratio = r.ratios.find((x) => x.baseline === c.name && x.metric === m.key);
      rows.push([
        k === 0 ? `  ${c.name}` : "",
        `${m.label}${m.unit !== m.label ? ` ${m.unit}` : ""}`,
        s ? formatValue(s.median, m.unit) : "—",
        spread(s, m.unit, "p25", "p75"),
        spread(s, m.unit, "min", "max"),
        s ? String(s.n) : "",
        ratio ? `${ratio.speedup.toFixed(2)}×` : "",
        k === 0 ? statusText(c) : "",
      ]);
    });
  }
  lines.push(...pad(rows, new Set([2, 3, 4, 5, 6])));
  return lines.join("\n");
}

/** A target's measured ratio as printed: `1.53×`, a value such as `683.3`, or `—` when not measured. */
export function targetRatioText(t: TargetResult): string {
  return t.ratio === null ? "—" : t.form === "value" ? t.ratio.toFixed(1) : `${t.ratio.toFixed(2)}×`;
}

/** The targets section. */
export function formatTargets(targets: readonly TargetResult[]): string {
  if (targets.length === 0) return "targets: none of the targeted benchmarks ran";
  const rows = targets.map((t) => [
    `  ${t.status}`,
    t.text,
    targetRatioText(t),
    `need ${t.op} ${t.threshold}`,
    t.rounds === null
      ? ""
      : `per round ${t.rounds.median.toFixed(2)}× (${t.rounds.min.toFixed(2)}–${t.rounds.max.toFixed(2)}, ${t.rounds.n})`,
    t.reason ?? "",
  ]);
  const pass = targets.filter((t) => t.status === "PASS").length;
  const miss = targets.filter((t) => t.status === "MISS").length;
  return [
    `targets (ratios of medians in this run): ${pass} PASS, ${miss} MISS, ${targets.length - pass - miss} n/a`,
    "  (per round: the median, range and count of the same ratio taken in each round)",
    ...pad(rows, new Set([2])),
  ].join("\n");
}

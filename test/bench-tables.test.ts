/**
 * The README's performance tables are generated from the saved full runs
 * (`bench/results/{node,deno,bun}.json`, by bench/tools/readme-tables.ts): the block in
 * the README must be what those runs produce, so a full run committed without
 * regenerating the README fails here. And the renderer itself, on a made-up run: a miss
 * is bold, a Missive variant gets its own row, the near-the-line table lists what missed.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  benchmarkTable,
  findBlock,
  markdownTable,
  nearLineTable,
  renderBlock,
  type SavedRun,
  targetTable,
} from "../bench/harness/markdown.ts";
import type { CaseResult } from "../bench/harness/runner.ts";
import type { TargetResult } from "../bench/harness/targets.ts";
import { summarize } from "../bench/harness/stats.ts";
import { root } from "./fixtures/example-process.ts";

/** Markdown as `deno fmt` may pad and wrap it: runs of table dashes and of whitespace (line breaks too) collapsed. */
const normalized = (s: string): string => s.replace(/-{3,}/g, "---").replace(/\s+/g, " ").trim();

function caseOf(name: string, role: CaseResult["role"], rates: number[]): CaseResult {
  return {
    name,
    role,
    status: "ok",
    samples: rates.map((rate) => ({ metrics: { rate }, check: { ok: true, detail: "" } })),
    stats: { rate: summarize(rates) },
  };
}

function target(id: string, ratio: number, status: TargetResult["status"]): TargetResult {
  return {
    id,
    text: `${id}: ≥ 1.5×`,
    benchmark: "tell-all",
    baseline: "batch",
    metric: "rate",
    op: ">=",
    threshold: 1.5,
    form: "ratio",
    ratio,
    rounds: { median: ratio, min: ratio - 0.1, max: ratio + 0.1, n: 3 },
    status,
  };
}

function run(name: string, targets: TargetResult[]): SavedRun {
  return {
    date: "2026-12-01T00:00:00.000Z",
    options: { reps: 3, warmup: 1, only: [] },
    durationSeconds: 60,
    environment: {
      runtime: { name, versions: { [name]: "1.0.0" } },
      machine: {
        cpuModel: "test",
        cpus: 2,
        availableParallelism: 2,
        totalMemoryMB: 1024,
        platform: "linux",
        release: "6",
        arch: "x64",
        loadavg: [0, 0, 0],
      },
      packages: {},
      git: null,
    },
    benchmarks: [{
      name: "tell-all",
      title: "tell, all → all",
      params: {},
      notes: [],
      metrics: [{ key: "rate", label: "msgs/s", unit: "msgs/s", better: "higher" }],
      cases: [
        caseOf("missive", "missive", [4e6, 4e6, 4e6]),
        caseOf("batch", "baseline", [2e6, 2e6, 2e6]),
        caseOf("missive ring", "baseline", [5e6, 5e6, 5e6]),
      ],
      ratios: [],
      seconds: 1,
    }],
    targets,
  };
}

describe("the README's performance tables", () => {
  it("are the ones the saved full runs produce (regenerate: npx tsx bench/tools/readme-tables.ts --write)", () => {
    const runs = ["node", "deno", "bun"].map((r) => JSON.parse(readFileSync(`${root}/bench/results/${r}.json`, "utf8")) as SavedRun);
    const block = findBlock(readFileSync(`${root}/README.md`, "utf8"));
    expect(block, "README.md has no bench-tables block").not.toBeNull();
    expect(normalized(block!)).toBe(normalized(renderBlock(runs)));
  });

  it("put Missive's variants on rows of their own, each against the same baselines", () => {
    const table = benchmarkTable(run("node", []));
    expect(table).toContain("4.00M msgs/s");
    expect(table).toContain("2.00× batch (2.00M msgs/s)");
    expect(table).toMatch(/\| … missive ring +\| 5\.00M msgs\/s +\| 2\.50× batch/);
  });

  it("bold a miss, count what was met, and list the rows near their line round by round", () => {
    const runs = [
      run("node", [target("a", 2, "PASS"), target("b", 1.2, "MISS")]),
      run("deno", [target("a", 1.6, "PASS"), target("b", 1.7, "PASS")]),
    ];
    const targets = targetTable(runs);
    expect(targets).toMatch(/\| b: ≥ 1\.5× +\| \*\*1\.20×\*\* +\| 1\.70× +\|/);
    expect(targets).toContain("Met, of 2: Node 1, Deno 2.");
    expect(renderBlock(runs)).toContain("Node 1.0.0, tree unknown, 2026-12-01, 60 s");
    const near = nearLineTable(runs);
    expect(near).toContain("| a: ≥ 1.5×"); // Deno's 1.6× is within 10% of 1.5
    expect(near).toContain("| b: ≥ 1.5×"); // Node missed it
    expect(near).toContain("1.20× (1.10–1.30)");
  });

  it("pad columns and escape a pipe inside a cell", () => {
    expect(markdownTable(["a", "b"], [["x|y", "z"]])).toBe(["| a    | b   |", "| ---- | --- |", "| x\\|y | z   |"].join("\n"));
  });
});

/**
 * The benchmark targets' verdicts (bench/harness/targets.ts): the ratio of the two cases'
 * medians, and beside it the same ratio taken round by round — samples paired by position,
 * as the runner interleaves the cases — so a reader can tell a verdict from the machine's
 * drift. Pure functions over made-up results: no timing is measured here.
 */
import { describe, expect, it } from "vitest";
import type { BenchmarkResult, CaseResult } from "../bench/harness/runner.ts";
import { evaluateTargets, roundRatios } from "../bench/harness/targets.ts";
import { summarize } from "../bench/harness/stats.ts";

/** A case whose samples measured `metric` as `values`, round by round (`undefined`: not measured that round). */
function caseOf(
  name: string,
  role: CaseResult["role"],
  metric: string,
  values: (number | undefined)[],
  status: CaseResult["status"] = "ok",
): CaseResult {
  const measured = values.filter((v): v is number => v !== undefined);
  return {
    name,
    role,
    status,
    samples: values.map((v) => ({ metrics: v === undefined ? {} : { [metric]: v }, check: { ok: true, detail: "" } })),
    stats: measured.length === 0 ? {} : { [metric]: summarize(measured) },
  };
}

function benchmark(name: string, cases: CaseResult[]): BenchmarkResult {
  return { name, title: name, params: {}, notes: [], metrics: [], cases, ratios: [], seconds: 0 };
}

describe("benchmark targets", () => {
  it("judge by the ratio of medians and report the ratio of each round beside it", () => {
    // Rounds: 2/1, 4/8, 9/3 → 2, 0.5, 3 (median 2); medians 4 and 3 → 1.33.
    const tell = benchmark("tell-1to1", [
      caseOf("missive", "missive", "rate", [2, 4, 9]),
      caseOf("postMessage/msg", "baseline", "rate", [1, 8, 3]),
    ]);
    const target = evaluateTargets([tell]).find((t) => t.id === "tell-1to1-vs-postMessage")!;
    expect(target.ratio).toBeCloseTo(4 / 3);
    expect(target.status).toBe("MISS"); // needs ≥ 4×
    expect(target.rounds).toEqual({ median: 2, min: 0.5, max: 3, n: 3 });
  });

  it("take an inverse target's rounds the same way round as its verdict", () => {
    // nact time / Missive time, per round: 30/10, 40/20, 10/10 → 3, 2, 1.
    const savina = benchmark("savina-pingpong", [
      caseOf("missive", "missive", "ms", [10, 20, 10]),
      caseOf("nact", "baseline", "ms", [30, 40, 10]),
    ]);
    const target = evaluateTargets([savina]).find((t) => t.id === "savina-pingpong-vs-nact")!;
    expect(target.ratio).toBeCloseTo(3); // medians: nact 30, Missive 10
    expect(target.rounds).toEqual({ median: 2, min: 1, max: 3, n: 3 });
  });

  it("pair only the rounds where both cases measured the metric", () => {
    const rounds = roundRatios(
      caseOf("missive", "missive", "rate", [6, undefined, 8, 0, 10]),
      caseOf("baseline", "baseline", "rate", [3, 5, undefined, 2, 5, 7]),
      "rate",
      "ratio",
    );
    // Round 1: 6/3; round 2: no Missive sample; round 3: no baseline sample; round 4: 0 is not a measurement;
    // round 5: 10/5; round 6: no Missive sample at all.
    expect(rounds).toEqual({ median: 2, min: 2, max: 2, n: 2 });
    expect(roundRatios(caseOf("m", "missive", "rate", [undefined]), caseOf("b", "baseline", "rate", [1]), "rate", "ratio")).toBeNull();
  });

  it("give no rounds for a target on Missive's own value, or one that could not be measured", () => {
    const idle = benchmark("idle-actors", [caseOf("missive", "missive", "worker", [700, 680, 690])]);
    const worker = evaluateTargets([idle]).find((t) => t.id === "idle-actor-worker-bytes")!;
    expect(worker).toMatchObject({ status: "PASS", ratio: 690, rounds: null });
    const broken = benchmark("tell-1to1", [
      caseOf("missive", "missive", "rate", [2, 4]),
      caseOf("postMessage/msg", "baseline", "rate", [1, 1], "error"),
    ]);
    const target = evaluateTargets([broken]).find((t) => t.id === "tell-1to1-vs-postMessage")!;
    expect(target).toMatchObject({ status: "n/a", ratio: null, rounds: null });
  });
});

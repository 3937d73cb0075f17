/**
 * The benchmarks must not rot: run the whole harness in `--quick` mode (each benchmark
 * once, small counts) as a subprocess on the current runtime, and check that every
 * benchmark produced a result whose own correctness check passed. Timing is not
 * asserted (tests never judge speed); `npm run bench` is where numbers come from.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import type { SuiteReport } from "../bench/harness/cli.ts";
import { benchmarks } from "../bench/suite.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "missive-bench-quick-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How this runtime runs a TypeScript entry point. */
function command(script: string): string[] {
  if (runtimeName === "deno") return ["run", "-A", script];
  if (runtimeName === "bun") return [script];
  return ["--import", "tsx", script];
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command("bench/main.ts"), ...args], {
      cwd: root,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe(`benchmarks in --quick mode on ${runtimeName}`, () => {
  // About 3–8 s; the generous timeout only matters on a machine busy with other work.
  it("every benchmark runs and passes its own correctness check", { timeout: 120_000 }, async () => {
    const out = join(dir, "quick.json");
    const { code, stdout, stderr } = await run(["--quick", "--out", out]);
    const context = `exit ${code}\n--- stdout\n${stdout}\n--- stderr (last 2000 chars)\n${stderr.slice(-2000)}`;
    expect(code, context).toBe(0);
    const report = JSON.parse(readFileSync(out, "utf8")) as SuiteReport;
    expect(report.mode).toBe("quick");
    expect(report.environment.runtime.name).toBe(runtimeName);
    expect(report.failures, context).toEqual([]);

    const expected = benchmarks.map((f) => f("quick").name);
    expect(report.benchmarks.map((b) => b.name)).toEqual(expected);
    for (const bench of report.benchmarks) {
      const primary = bench.metrics[0]!.key;
      // A rate must be positive; a "lower is better" measure (rss growth) may be exactly 0.
      const plausible = (v: number | undefined): boolean =>
        Number.isFinite(v) && (bench.metrics[0]!.better === "higher" ? v! > 0 : v! >= 0);
      expect(bench.cases.filter((c) => c.role === "missive"), bench.name).toHaveLength(1);
      for (const c of bench.cases) {
        const label = `${bench.name}/${c.name}: ${c.status} ${c.reason ?? ""}`;
        // A baseline may be unavailable on Deno or Bun (it says why); Missive never, Node never — except for want of
        // what a benchmark needs from outside the project (`external`: the cluster benchmarks' nats-server).
        if (c.status === "n/a") {
          expect((c.role === "baseline" && runtimeName !== "node") || bench.external !== undefined, label).toBe(true);
          expect(c.reason, label).toBeTruthy();
          continue;
        }
        expect(c.status, label).toBe("ok");
        expect(c.samples.length, label).toBeGreaterThanOrEqual(1);
        for (const s of c.samples) {
          expect(s.check.ok, `${label}: ${s.check.detail}`).toBe(true);
          expect(plausible(s.metrics[primary]), `${label}: ${primary} = ${s.metrics[primary]}`).toBe(true);
        }
      }
    }
    // The targets section is computed (PASS/MISS are measurements, not test outcomes).
    expect(report.targets.length).toBeGreaterThan(0);
    for (const t of report.targets) expect(["PASS", "MISS", "n/a"]).toContain(t.status);
    // A measured ratio is also taken round by round (one round in quick mode).
    for (const t of report.targets.filter((t) => t.form !== "value" && t.status !== "n/a")) expect(t.rounds?.n, t.id).toBe(1);
    expect(stdout).toContain("targets (ratios of medians in this run)");
  });

  it("--only filters, and rejects a name that matches nothing", { timeout: 60_000 }, async () => {
    const out = join(dir, "only.json");
    const { code, stderr } = await run(["--quick", "--only", "ask-seq", "--out", out]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, "utf8")) as SuiteReport;
    expect(report.benchmarks.map((b) => b.name)).toEqual(["ask-seq"]);
    const bad = await run(["--quick", "--only", "no-such-benchmark"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("matches no benchmark");
  });
});

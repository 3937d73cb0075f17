/**
 * The command line of `bench/main.ts`: parses flags, runs the suite with a progress
 * line, prints each benchmark's table as it finishes and the targets at the end, and
 * writes the JSON results.
 *
 * Flags: `--quick` (each benchmark once, small counts), `--only <name>[,<name>…]`
 * (repeatable; a name or a prefix such as `savina`), `--reps <n>`, `--warmup <n>`,
 * `--out <file>`, `--list`, `--help`.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import os from "node:os";
import { benchRuntime } from "../util/runtime.ts";
import { formatBenchmark, formatTargets } from "./format.ts";
import { environment } from "./machine.ts";
import { type BenchmarkResult, type ProgressEvent, runSuite, selected, type SuiteOptions } from "./runner.ts";
import { evaluateTargets, type TargetResult } from "./targets.ts";
import type { BenchmarkFactory, SizeMode } from "./types.ts";

/** Parsed command line. */
export interface CliOptions {
  size: SizeMode;
  only: string[];
  reps: number;
  warmup: number;
  out: string | null;
  list: boolean;
  help: boolean;
}

const USAGE = `usage: bench/main.ts [--quick] [--only <name>[,<name>…]] [--reps <n>] [--warmup <n>] [--out <file>] [--list]
  --quick     each benchmark once, with small counts (what the test suite runs)
  --only      run the benchmarks whose name is or starts with <name> (repeatable)
  --reps      measured repetitions per case (default 7; 1 with --quick)
  --warmup    unmeasured runs per case before them (default 2; 0 with --quick)
  --out       where to write the JSON (default bench/results/<runtime>.json for a full run of
              every benchmark, bench/results/<runtime>.<quick|partial>.tmp.json otherwise)
  --list      print the benchmark names and exit`;

/** Parses `argv` (without the runtime and script). Throws on a bad flag. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { size: "full", only: [], reps: NaN, warmup: NaN, out: null, list: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith("--") && a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const count = (): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} needs a whole number`);
      return v;
    };
    switch (flag) {
      case "--quick":
        o.size = "quick";
        break;
      case "--only":
        o.only.push(...value().split(",").map((s) => s.trim()).filter(Boolean));
        break;
      case "--reps":
        o.reps = count();
        break;
      case "--warmup":
        o.warmup = count();
        break;
      case "--out":
        o.out = value();
        break;
      case "--list":
        o.list = true;
        break;
      case "--help":
      case "-h":
        o.help = true;
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  if (Number.isNaN(o.reps)) o.reps = o.size === "quick" ? 1 : 7;
  if (Number.isNaN(o.warmup)) o.warmup = o.size === "quick" ? 0 : 2;
  if (o.reps < 1) throw new Error("--reps must be at least 1");
  return o;
}

/** The JSON written for a run. */
export interface SuiteReport {
  schema: 1;
  date: string;
  mode: SizeMode;
  options: { reps: number; warmup: number; only: string[] };
  environment: ReturnType<typeof environment>;
  durationSeconds: number;
  /** 1, 5 and 15-minute load averages when the suite ended (the start is in `environment.machine`). */
  loadavgEnd: number[];
  benchmarks: BenchmarkResult[];
  targets: TargetResult[];
  /** Cases that are `invalid` or `error` (or a Missive case that did not run): the run failed. */
  failures: string[];
}

function progressPrinter(): (e: ProgressEvent) => void {
  const tty = process.stderr.isTTY === true;
  return (e) => {
    if (e.phase === "close") return;
    const step = e.phase === "setup" ? "setting up" : `${e.phase === "warmup" ? "warm-up" : "rep"} ${e.rep}/${e.reps}`;
    const line = `[${e.index}/${e.count}] ${e.benchmark} · ${e.caseName} · ${step}`;
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
    else process.stderr.write(`${line}\n`);
  };
}

function defaultOut(o: CliOptions, all: boolean): string {
  const name = o.size === "full" && all ? `${benchRuntime}.json` : `${benchRuntime}.${o.size === "quick" ? "quick" : "partial"}.tmp.json`;
  return fileURLToPath(new URL(`../results/${name}`, import.meta.url));
}

/** Which cases make a run fail. */
export function failuresOf(results: readonly BenchmarkResult[]): string[] {
  const failures: string[] = [];
  for (const r of results) {
    for (const c of r.cases) {
      const skipped = c.status === "n/a" && r.external !== undefined; // e.g. no nats-server: said, not a failure
      if (c.status === "invalid" || c.status === "error" || (c.role === "missive" && c.status !== "ok" && !skipped)) {
        failures.push(`${r.name}/${c.name}: ${c.status}${c.reason ? ` (${c.reason})` : ""}`);
      }
    }
  }
  return failures;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[], factories: readonly BenchmarkFactory[]): Promise<number> {
  let o: CliOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    console.error(`bench: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  const names = factories.map((f) => f(o.size)).map((b) => ({ name: b.name, title: b.title }));
  if (o.list) {
    for (const b of names) console.log(`${b.name.padEnd(20)} ${b.title}`);
    return 0;
  }
  const unknown = o.only.filter((x) => !names.some((b) => selected(b.name, [x])));
  if (unknown.length > 0) {
    console.error(`bench: --only ${unknown.join(",")} matches no benchmark; see --list`);
    return 2;
  }
  const env = environment();
  const started = performance.now();
  const tty = process.stderr.isTTY === true;
  const v = env.runtime.versions;
  console.log(
    `Missive benchmarks on ${benchRuntime} ${v[benchRuntime] ?? ""} (${o.size}, ${o.reps} rep${
      o.reps === 1 ? "" : "s"
    } after ${o.warmup} warm-up) — ` +
      `${env.machine.cpuModel}, ${env.machine.availableParallelism} cores, ${Math.round(env.machine.totalMemoryMB / 1024)} GB\n`,
  );
  if (env.machine.loadavg[0]! > 0.5) {
    console.log(`note: load average ${env.machine.loadavg[0]} at the start: other work on this machine makes the numbers noisy\n`);
  }
  const options: SuiteOptions = {
    size: o.size,
    only: o.only,
    reps: o.reps,
    warmup: o.warmup,
    timeoutMs: o.size === "quick" ? 60_000 : 180_000,
    onProgress: progressPrinter(),
    onResult: (r) => {
      if (tty) process.stderr.write("\r\x1b[K");
      console.log(`${formatBenchmark(r)}\n`);
    },
  };
  const results = await runSuite(factories, options);
  const targets = evaluateTargets(results);
  console.log(formatTargets(targets));
  const failures = failuresOf(results);
  const report: SuiteReport = {
    schema: 1,
    date: new Date().toISOString(),
    mode: o.size,
    options: { reps: o.reps, warmup: o.warmup, only: o.only },
    environment: env,
    durationSeconds: (performance.now() - started) / 1000,
    loadavgEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    benchmarks: results,
    targets,
    failures,
  };
  const out = o.out ?? defaultOut(o, o.only.length === 0);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
  console.log(`\n${results.length} benchmarks in ${report.durationSeconds.toFixed(0)} s; results written to ${out}`);
  if (failures.length > 0) {
    console.error(`\nFAILED (${failures.length}):\n  ${failures.join("\n  ")}`);
    return 1;
  }
  return 0;
}

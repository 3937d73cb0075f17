#!/usr/bin/env node
// Runs the typecheck, the format and lint checks, and then the vitest suite on
// Node, Deno and Bun, using the runtimes pinned in devDependencies
// (node_modules/.bin), never whatever `node`/`deno`/`bun` happens to be on PATH.
//
// Usage:
//   npm test                                  # typecheck + fmt/lint + node, deno, bun
//   npm test -- test/codec.test.ts            # extra args go to every vitest run
//   npm test -- --skip-typecheck --skip-lint test/codec.test.ts   # iterate on one file
//   npm test -- --runtimes=node,deno -t ask   # pick runtimes (flag)
//   MISSIVE_RUNTIMES=bun npm test             # pick runtimes (env)
//
// Script options (everything else is forwarded to vitest; anything after a
// literal `--` is forwarded verbatim):
//   --runtimes=<list>   comma-separated subset of node,deno,bun
//                       (env: MISSIVE_RUNTIMES; default: all three)
//   --skip-typecheck    don't run `tsc --noEmit` (env: MISSIVE_SKIP_TYPECHECK=1)
//   --skip-lint         don't run `deno fmt --check` and `deno lint`, which
//                       check the whole tree with deno.json's fmt/lint config
//                       (env: MISSIVE_SKIP_LINT=1)
//   --skip-package      don't run the package checks (test/package/: pack, install into
//                       scratch projects, run on the three runtimes, the scaffold,
//                       publint, attw, deno publish --dry-run); they also do not run
//                       when vitest arguments (a file filter, -t) are given
//                       (env: MISSIVE_SKIP_PACKAGE=1)
//   --timeout=<secs>    kill a runtime's vitest run after this many seconds
//                       (env: MISSIVE_TEST_TIMEOUT; default 1200; 0 = never)
//
// Output: each run streams live, preceded by a `== vitest on <rt> <ver> ==`
// header. Results are also collected with vitest's JSON reporter; at the end a
// per-runtime table is printed, and the very last line is
// `N passed, N failed` (`, N skipped` appended only if anything was skipped).
//
// Exit code is non-zero if the typecheck, the format check or the lint failed
// (fix formatting with `npx deno fmt`), any runtime had a failed
// test, any runtime ran zero tests, or any vitest process exited non-zero
// (or could not be started / timed out).

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureNatsServer } from "./nats-server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const VITEST = "node_modules/vitest/vitest.mjs";
const ALL_RUNTIMES = ["node", "deno", "bun"];

// ---------------------------------------------------------------- arguments

function usageError(msg) {
  console.error(`test-all: ${msg}`);
  process.exit(2);
}

let runtimesSpec = process.env.MISSIVE_RUNTIMES ?? "";
let skipTypecheck = /^(1|true|yes)$/i.test(process.env.MISSIVE_SKIP_TYPECHECK ?? "");
let skipLint = /^(1|true|yes)$/i.test(process.env.MISSIVE_SKIP_LINT ?? "");
let skipPackage = /^(1|true|yes)$/i.test(process.env.MISSIVE_SKIP_PACKAGE ?? "");
let timeoutSecs = Number(process.env.MISSIVE_TEST_TIMEOUT ?? 1200);
const forwarded = [];
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      forwarded.push(...argv.slice(i + 1));
      break;
    }
    let m;
    if ((m = /^--runtimes?=(.*)$/.exec(a))) runtimesSpec = m[1];
    else if (a === "--runtimes" || a === "--runtime") runtimesSpec = argv[++i] ?? "";
    else if (a === "--skip-typecheck") skipTypecheck = true;
    else if (a === "--skip-lint") skipLint = true;
    else if (a === "--skip-package") skipPackage = true;
    else if ((m = /^--timeout=(.*)$/.exec(a))) timeoutSecs = Number(m[1]);
    else forwarded.push(a);
  }
}
if (!Number.isFinite(timeoutSecs) || timeoutSecs < 0) usageError(`bad timeout: ${timeoutSecs}`);

const runtimes = runtimesSpec.trim() === ""
  ? ALL_RUNTIMES
  : [...new Set(runtimesSpec.split(/[\s,]+/).filter(Boolean).map((s) => s.toLowerCase()))];
for (const rt of runtimes) {
  if (!ALL_RUNTIMES.includes(rt)) usageError(`unknown runtime "${rt}" (expected some of: ${ALL_RUNTIMES.join(",")})`);
}

// ------------------------------------------------------------------ helpers

const out = (line = "") => process.stdout.write(line + "\n");

function versionOf(cmd, args, pattern) {
  try {
    const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 30_000 });
    const m = pattern.exec(`${r.stdout ?? ""}`);
    return m ? m[1] : "?";
  } catch {
    return "?";
  }
}

const children = new Set();
let interrupted = null;
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    interrupted = sig;
    for (const child of children) killTree(child, sig);
  });
}

function killTree(child, sig) {
  try {
    process.kill(-child.pid, sig); // whole process group (spawned detached)
  } catch {
    try {
      child.kill(sig);
    } catch { /* already gone */ }
  }
}

/** Spawns a command with live output; resolves with {code, signal, seconds, error, timedOut}. */
function run(cmd, args, { timeout = 0, env = process.env } = {}) {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    let child;
    try {
      // Own process group so a hang can be killed including vitest's workers.
      child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"], detached: true });
    } catch (error) {
      resolvePromise({ code: null, signal: null, seconds: 0, error, timedOut: false });
      return;
    }
    children.add(child);
    let timedOut = false;
    let timer;
    if (timeout > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        out(`\ntest-all: ${cmd} still running after ${timeout}s; killing it`);
        killTree(child, "SIGTERM");
        setTimeout(() => killTree(child, "SIGKILL"), 10_000).unref();
      }, timeout * 1000);
    }
    let error = null;
    child.on("error", (e) => {
      error = e;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      // Reap anything the run left behind in its process group.
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch { /* none left */ }
      resolvePromise({ code, signal, seconds: (performance.now() - started) / 1000, error, timedOut });
    });
  });
}

/** Runs a short command to completion, collecting its output; resolves with {code, signal, output, seconds, error}. */
function capture(cmd, args, { env = process.env, timeout = 120_000 } = {}) {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    let child;
    try {
      child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    } catch (error) {
      resolvePromise({ code: null, signal: null, output: "", seconds: 0, error });
      return;
    }
    children.add(child);
    let output = "";
    let error = null;
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => killTree(child, "SIGKILL"), timeout);
    child.on("error", (e) => {
      error = e;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolvePromise({ code, signal, output, seconds: (performance.now() - started) / 1000, error });
    });
  });
}

/**
 * `deno fmt --check` and `deno lint` over the tree, with deno.json's config. Prints the
 * files that are not formatted (not the diffs: `npx deno fmt --check` shows those) and
 * the lint problems; returns one summary line per check.
 */
async function lintChecks(env) {
  const deno = bin("deno");
  if (!existsSync(deno)) {
    const summary = `FAILED: ${deno} not found (run npm install)`;
    return [{ name: "fmt", ok: false, summary }, { name: "lint", ok: false, summary }];
  }
  const quiet = { ...env, NO_COLOR: "1", RUST_BACKTRACE: "0" };
  const results = [];

  out("== deno fmt --check ==");
  const fmt = await capture(deno, ["fmt", "--check"], { env: quiet });
  const unformatted = [...fmt.output.matchAll(/^from (.+):$/gm)].map((m) => m[1].startsWith(root) ? m[1].slice(root.length + 1) : m[1])
    .sort();
  const checked = /in (\d+) files?/.exec(fmt.output)?.[1] ?? /Checked (\d+) files?/.exec(fmt.output)?.[1];
  if (fmt.code === 0) {
    results.push({ name: "fmt", ok: true, summary: `ok (${checked ?? "?"} files, ${fmt.seconds.toFixed(1)}s)` });
  } else if (unformatted.length > 0) {
    for (const file of unformatted) out(`not formatted: ${file}`);
    results.push({
      name: "fmt",
      ok: false,
      summary: `FAILED: ${unformatted.length} of ${checked ?? "?"} files not formatted (fix: npx deno fmt)`,
    });
  } else {
    out(fmt.output.trimEnd());
    results.push({ name: "fmt", ok: false, summary: `FAILED (${fmt.error?.message ?? `exit ${fmt.code ?? fmt.signal}`})` });
  }
  out(`fmt ${results.at(-1).summary}`);
  out();

  out("== deno lint ==");
  const lint = await capture(deno, ["lint"], { env: quiet });
  const problems = /Found (\d+) problems?/.exec(lint.output)?.[1];
  const linted = /Checked (\d+) files?/.exec(lint.output)?.[1] ?? "?";
  if (lint.code === 0) {
    results.push({ name: "lint", ok: true, summary: `ok (${linted} files, ${lint.seconds.toFixed(1)}s)` });
  } else {
    out(lint.output.trimEnd());
    results.push({
      name: "lint",
      ok: false,
      summary: problems
        ? `FAILED: ${problems} problem${problems === "1" ? "" : "s"} in ${linted} files`
        : `FAILED (${lint.error?.message ?? `exit ${lint.code ?? lint.signal}`})`,
    });
  }
  out(`lint ${results.at(-1).summary}`);
  out();
  return results;
}

/** Counts from vitest's JSON report. "pending" = never finished (e.g. crashed worker) -> failure. */
function countReport(file) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  let passed = 0, failed = 0, skipped = 0, fileErrors = 0;
  const failures = [];
  for (const tf of report.testResults ?? []) {
    let failedHere = 0;
    const file = relative(root, tf.name ?? "?");
    for (const t of tf.assertionResults ?? []) {
      switch (t.status) {
        case "passed":
          passed++;
          break;
        case "failed":
        case "pending":
          failed++;
          failedHere++;
          failures.push({ file, test: t.fullName ?? t.title, message: firstLines(t.failureMessages?.[0] ?? t.status) });
          break;
        default:
          skipped++; // skipped, todo, disabled
      }
    }
    // A test file that failed outside any test (import error, failing
    // beforeAll/afterAll, ...) counts as one failure so it can't vanish.
    if (tf.status === "failed" && failedHere === 0) {
      failed++;
      fileErrors++;
      failures.push({ file, test: "(outside any test)", message: firstLines(tf.message ?? "failed") });
    }
  }
  return { passed, failed, skipped, fileErrors, failures };
}

/** The first few lines of a failure message, for the summary (CI shows only the tail of the log). */
function firstLines(text, n = 6) {
  // deno-lint-ignore no-control-regex
  const lines = String(text).replace(/\x1b\[[0-9;]*m/g, "").split("\n").filter((l) => l.trim() !== "" && !l.includes("/node_modules/"));
  return lines.slice(0, n).map((l) => l.slice(0, 300)).join("\n      ");
}

// --------------------------------------------------------------------- main

const RUNTIMES = {
  node: {
    cmd: bin("node"),
    args: [VITEST, "run"],
    version: () => versionOf(bin("node"), ["-p", "process.versions.node"], /^(\S+)/),
  },
  deno: {
    cmd: bin("deno"),
    args: ["run", "-A", VITEST, "run"],
    version: () => versionOf(bin("deno"), ["--version"], /^deno (\S+)/),
  },
  bun: {
    cmd: bin("bun"),
    // vitest.config.ts also picks `threads` under Bun; be explicit anyway.
    args: ["--bun", VITEST, "run", "--pool=threads"],
    version: () => versionOf(bin("bun"), ["--version"], /^(\S+)/),
  },
};

// The package checks: their own vitest config, run once under Node (they start the other
// runtimes themselves). A row of the summary like a runtime's.
RUNTIMES.package = {
  cmd: bin("node"),
  args: [VITEST, "run", "--config", "vitest.package.config.ts"],
  version: () => `node ${versionOf(bin("node"), ["-p", "process.versions.node"], /^(\S+)/)}`,
  noForward: true,
};
const packageNote = skipPackage
  ? "package checks: skipped (--skip-package)"
  : forwarded.length > 0
  ? "package checks: skipped (vitest arguments given; run `npm test` without them for the package checks)"
  : null;
if (packageNote === null) runtimes.push("package");

// The cluster tests need a real nats-server: installed here when missing (Debian package,
// as root: CI's fresh clone gets it this way). Found or not, the outcome goes to the test
// processes in the environment (MISSIVE_NATS_SERVER or MISSIVE_NATS_UNAVAILABLE); the
// cluster tests are skipped only when it is unavailable, and the summary line says so.
const nats = ensureNatsServer({ log: (line) => out(line) });
if (nats.error) out(`test-all: WARNING: the cluster tests will be SKIPPED: ${nats.error}`);
const childEnv = { ...process.env, DENO_NO_UPDATE_CHECK: "1" };
const tmp = mkdtempSync(join(tmpdir(), "missive-test-"));
let typecheck = null;
let lint = null;
const rows = [];

try {
  if (!skipTypecheck) {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const tscVersion = versionOf(bin("node"), [tsc, "--version"], /Version (\S+)/);
    out(`== typecheck: tsc ${tscVersion} --noEmit -p . ==`);
    typecheck = await run(bin("node"), [tsc, "--noEmit", "-p", "."], { env: childEnv });
    const ok = typecheck.code === 0;
    out(ok ? `typecheck ok (${typecheck.seconds.toFixed(1)}s)` : `typecheck FAILED (exit ${typecheck.code ?? typecheck.signal})`);
    out();
  }

  if (!skipLint && !interrupted) lint = await lintChecks(childEnv);

  for (const name of runtimes) {
    if (interrupted) break;
    const rt = RUNTIMES[name];
    const row = { name, version: "?", passed: 0, failed: 0, skipped: 0, seconds: 0, problems: [] };
    rows.push(row);
    if (!existsSync(rt.cmd)) {
      out(`== vitest on ${name}: ${rt.cmd} not found (run npm install) ==`);
      row.problems.push("runtime missing");
      continue;
    }
    row.version = rt.version();
    const jsonFile = join(tmp, `${name}.json`);
    const args = [...rt.args, "--reporter=default", "--reporter=json", `--outputFile.json=${jsonFile}`, ...(rt.noForward ? [] : forwarded)];
    out(`== vitest on ${name} ${row.version} ==`);
    const res = await run(rt.cmd, args, { timeout: timeoutSecs, env: childEnv });
    row.seconds = res.seconds;
    if (res.error) row.problems.push(`spawn error: ${res.error.message}`);
    if (res.timedOut) row.problems.push(`timed out after ${timeoutSecs}s`);
    if (res.code !== 0) row.problems.push(res.signal ? `killed by ${res.signal}` : `exit ${res.code}`);
    if (existsSync(jsonFile)) {
      try {
        const c = countReport(jsonFile);
        Object.assign(row, { passed: c.passed, failed: c.failed, skipped: c.skipped, failures: c.failures });
        if (c.fileErrors) row.problems.push(`${c.fileErrors} file(s) failed outside tests`);
      } catch (e) {
        row.problems.push(`unreadable JSON report: ${e.message}`);
      }
    } else {
      row.problems.push("no JSON report");
    }
    if (row.failed > 0) row.problems.push(`${row.failed} failed`);
    if (row.passed + row.failed === 0) row.problems.push("ran zero tests");
    out();
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// ------------------------------------------------------------------ summary

const table = [
  ["runtime", "version", "passed", "failed", "skipped", "seconds", "status"],
  ...rows.map((r) => [
    r.name,
    r.version,
    String(r.passed),
    String(r.failed),
    String(r.skipped),
    r.seconds.toFixed(1),
    r.problems.length ? `FAIL: ${[...new Set(r.problems)].join("; ")}` : "ok",
  ]),
];
const numeric = new Set([2, 3, 4, 5]);
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
const fmt = (row) =>
  row.map((cell, i) => i === row.length - 1 ? cell : numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join("  ");
// The failed tests by name, just above the table: a CI log that keeps only its tail still says what failed.
const failedTests = rows.flatMap((r) => (r.failures ?? []).map((f) => ({ runtime: r.name, ...f })));
if (failedTests.length > 0) {
  out("== failed tests ==");
  for (const f of failedTests) {
    out(`[${f.runtime}] ${f.file} > ${f.test}`);
    out(`      ${f.message}`);
  }
}
out("== summary ==");
if (typecheck) {
  out(
    typecheck.code === 0
      ? `typecheck: ok (${typecheck.seconds.toFixed(1)}s)`
      : `typecheck: FAILED (exit ${typecheck.code ?? typecheck.signal})`,
  );
} else {
  out("typecheck: skipped");
}
if (lint) { for (const check of lint) out(`${check.name}: ${check.summary}`); }
else out("fmt, lint: skipped");
if (packageNote !== null) out(packageNote);
out(fmt(table[0]));
for (const row of table.slice(1)) out(fmt(row));
if (interrupted) out(`interrupted by ${interrupted}; not all runtimes ran`);

const total = rows.reduce((acc, r) => ({
  passed: acc.passed + r.passed,
  failed: acc.failed + r.failed,
  skipped: acc.skipped + r.skipped,
}), { passed: 0, failed: 0, skipped: 0 });

const failedOverall = (typecheck !== null && typecheck.code !== 0) ||
  (lint !== null && lint.some((check) => !check.ok)) ||
  rows.length === 0 ||
  rows.some((r) => r.problems.length > 0) ||
  interrupted !== null;

const clusterNote = nats.error ? ` — CLUSTER TESTS SKIPPED: nats-server unavailable (${nats.error})` : "";
out(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}${clusterNote}`);
process.exitCode = failedOverall ? 1 : 0;

/**
 * What the package checks share: the repo's pinned runtimes, a command runner that
 * reports everything it saw when a command fails, and scratch directories outside the repo.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const root = fileURLToPath(new URL("../..", import.meta.url));
/** The runtimes pinned in devDependencies. */
export const bin = (name: "node" | "deno" | "bun" | "tsc" | "publint" | "attw"): string => join(root, "node_modules", ".bin", name);

/** A new empty directory in the system's temp dir (outside the repo). */
export const scratch = (prefix: string): string => mkdtempSync(join(tmpdir(), `missive-${prefix}-`));

/**
 * The environment of a user's shell: no loader (`NODE_OPTIONS`), no vitest or test-runner
 * variables, the pinned runtimes first on PATH.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(NODE_OPTIONS|VITEST|TEST|MISSIVE_|npm_)/i.test(k)) continue;
    env[k] = v;
  }
  env.PATH = `${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}`;
  env.DENO_NO_UPDATE_CHECK = "1";
  env.NO_COLOR = "1";
  return env;
}

/** The result of {@link run}. */
export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The command and everything it printed, for failure messages. */
  transcript: string;
}

/** Runs `cmd args` in `cwd` to completion (killed after `timeoutMs`). */
export function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Ran {
  const r = spawnSync(cmd, args, { cwd, env: userEnv(), encoding: "utf8", timeout: timeoutMs, killSignal: "SIGKILL" });
  const stdout = r.stdout ?? "";
  const stderr = r.stderr ?? "";
  const status = r.error ? null : r.status;
  const transcript = `$ ${[cmd, ...args].join(" ")}  (in ${cwd}; exit ${status ?? r.signal ?? r.error?.message})\n` +
    `--- stdout\n${stdout}--- stderr\n${stderr}`;
  return { status, stdout, stderr, transcript };
}

/** Runs a command that must succeed; throws with its transcript otherwise. */
export function ok(cmd: string, args: string[], cwd: string, timeoutMs?: number): Ran {
  const r = run(cmd, args, cwd, timeoutMs);
  if (r.status !== 0) throw new Error(`command failed\n${r.transcript}`);
  return r;
}

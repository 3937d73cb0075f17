/**
 * Where and with what a suite ran: machine, runtime versions, package versions, commit.
 * @module
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { availableParallelism } from "../../mod.ts";
import { benchRuntime, runtimeVersions } from "../util/runtime.ts";

/** The machine a suite ran on. */
export interface MachineInfo {
  cpuModel: string;
  /** Logical CPUs the OS reports. */
  cpus: number;
  /** Cores this process may use (Missive's default worker count). */
  availableParallelism: number;
  totalMemoryMB: number;
  platform: string;
  release: string;
  arch: string;
  /** 1, 5 and 15-minute load averages when the suite started. */
  loadavg: number[];
}

/** The environment of a suite run. */
export interface Environment {
  runtime: { name: string; versions: Record<string, string> };
  machine: MachineInfo;
  /** Versions of Missive and of the compared packages, from `node_modules`. */
  packages: Record<string, string>;
  git: { commit: string; dirty: boolean } | null;
}

const ROOT = new URL("../../", import.meta.url);
const PACKAGES = ["@msgpack/msgpack", "comlink", "piscina", "tinypool", "nact"];

function packageVersion(dir: URL): string {
  try {
    return (JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

function gitInfo(): Environment["git"] {
  try {
    const cwd = ROOT.pathname;
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    // Dirty: anything changed but the saved results, which a run of the runtimes one after
    // the other writes into the tree before the next run starts.
    const status = execFileSync("git", ["status", "--porcelain", "--", ".", ":(exclude)bench/results"], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return { commit, dirty: status.trim() !== "" };
  } catch {
    return null;
  }
}

/** Collects the environment (reads files and asks git; call once per run). */
export function environment(): Environment {
  const cpus = os.cpus();
  const packages: Record<string, string> = { missive: packageVersion(ROOT) };
  for (const name of PACKAGES) packages[name] = packageVersion(new URL(`node_modules/${name}/`, ROOT));
  return {
    runtime: { name: benchRuntime, versions: runtimeVersions() },
    machine: {
      cpuModel: cpus[0]?.model ?? "?",
      cpus: cpus.length,
      availableParallelism: availableParallelism(),
      totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
      platform: os.platform(),
      release: os.release(),
      arch: os.arch(),
      loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    packages,
    git: gitInfo(),
  };
}

/**
 * Which runtime the benchmarks run on, and its versions. Kept apart from `src/runtime/` so
 * the harness depends only on Missive's public API.
 * @module
 */
import process from "node:process";

/** The runtimes the harness runs on. */
export type BenchRuntime = "node" | "deno" | "bun";

const g = globalThis as Record<string, unknown>;

/** The runtime this process runs on. */
export const benchRuntime: BenchRuntime = "Deno" in g ? "deno" : "Bun" in g ? "bun" : "node";

/** Versions of the runtime and its engine (`node`, `v8`, `deno`, `bun`, `typescript` where known). */
export function runtimeVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  if (benchRuntime === "deno") {
    const v = (g.Deno as { version: Record<string, string> }).version;
    Object.assign(versions, { deno: v.deno, v8: v.v8, typescript: v.typescript });
  }
  if (benchRuntime === "bun") versions.bun = (g.Bun as { version: string }).version;
  // Deno and Bun also report the Node version they are compatible with.
  versions.node = process.versions.node ?? "";
  if (process.versions.v8 && versions.v8 === undefined) versions.v8 = process.versions.v8;
  return versions;
}

/** Resident set size of the whole process (main thread and workers), in bytes. */
export function residentBytes(): number {
  return process.memoryUsage().rss;
}

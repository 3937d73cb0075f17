/**
 * The oldest runtime versions Missive runs on, checked once when a system starts so
 * that an old runtime gets one clear sentence instead of `Promise.withResolvers is not
 * a function` from deep inside.
 *
 * @example
 * ```ts
 * const problem = runtimeProblem();
 * if (problem !== undefined) console.error(problem);
 * ```
 * @module
 */
import { runtimeName, runtimeVersion } from "./adapters.ts";

/** The minimum version of each runtime (what the features Missive uses need). */
export const MINIMUM_VERSIONS = { node: "22.0.0", deno: "2.0.0", bun: "1.2.0" } as const;

const g = globalThis as Record<string, unknown>;

/** `[major, minor, patch]` of a `1.2.3`-like version (leading `v` and suffixes ignored). */
function parts(version: string): number[] {
  return (/(\d+)\.(\d+)\.(\d+)/.exec(version) ?? [, "0", "0", "0"]).slice(1, 4).map(Number);
}

/** True when version `a` is older than `b`. */
export function isOlder(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i]! !== y[i]!) return x[i]! < y[i]!;
  return false;
}

/**
 * What keeps this runtime from running Missive, in words, or `undefined` when it can:
 * a version below {@link MINIMUM_VERSIONS}, or a missing feature.
 */
export function runtimeProblem(): string | undefined {
  const version = runtimeVersion().split(" ")[1] ?? "0.0.0";
  const minimum = MINIMUM_VERSIONS[runtimeName];
  const needs = `Missive needs Node.js >= ${MINIMUM_VERSIONS.node}, Deno >= ${MINIMUM_VERSIONS.deno} or Bun >= ${MINIMUM_VERSIONS.bun}`;
  if (isOlder(version, minimum)) return `${needs}; this is ${runtimeVersion()}. Upgrade the runtime.`;
  const missing = [
    typeof (Promise as { withResolvers?: unknown }).withResolvers !== "function" && "Promise.withResolvers",
    typeof g.SharedArrayBuffer !== "function" && "SharedArrayBuffer",
    typeof g.MessageChannel !== "function" && "MessageChannel",
  ].filter((x): x is string => typeof x === "string");
  if (missing.length > 0) return `${needs}; this ${runtimeVersion()} lacks ${missing.join(", ")}. Upgrade the runtime.`;
  return undefined;
}

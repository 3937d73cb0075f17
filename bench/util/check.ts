/**
 * Building blocks for a workload's own correctness check.
 * @module
 */
import type { Check } from "../harness/types.ts";

/** A check: `ok`, described by `detail` (what was expected and found). */
export function check(ok: boolean, detail: string): Check {
  return { ok, detail };
}

/** Checks that `actual` equals `expected`, naming `what`. */
export function expectEqual(what: string, actual: unknown, expected: unknown): Check {
  const ok = Object.is(actual, expected);
  return { ok, detail: ok ? `${what} = ${String(expected)}` : `${what}: expected ${String(expected)}, got ${String(actual)}` };
}

/** All checks must pass; the detail is the first failure, or every detail joined. */
export function allOf(...checks: Check[]): Check {
  const failed = checks.find((c) => !c.ok);
  return failed ?? { ok: true, detail: checks.map((c) => c.detail).join("; ") };
}

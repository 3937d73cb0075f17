/**
 * `isThenable`: true for a promise-like; false for anything whose `then` cannot be read (a
 * revoked Proxy), which callers then treat as a plain value.
 *
 * @example
 * ```ts
 * isThenable(Promise.resolve(1)); // true
 * isThenable({ then: 1 }); // false
 * ```
 * @module
 */

/** True for a promise-like; false for anything whose `then` cannot be read (a revoked Proxy). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return false;
  try {
    return typeof (v as PromiseLike<unknown>).then === "function";
  } catch {
    return false;
  }
}

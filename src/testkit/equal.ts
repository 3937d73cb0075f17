/**
 * Structural equality of the values that cross the wire (what a model's predicted reply is
 * compared with): primitives (`NaN` equals `NaN`, `0` equals `-0`), arrays, plain objects
 * (own enumerable keys, `undefined`-valued keys count), `Map`, `Set` (by content, in
 * order), `Date`, byte arrays, errors (by name and message), refs (by address).
 *
 * @example
 * ```ts
 * deepEqual({ items: [1, 2], at: new Map([["a", 1n]]) }, { items: [1, 2], at: new Map([["a", 1n]]) }); // true
 * ```
 * @module
 */
import { ActorRef } from "../actor/ref.ts";

/** True when `a` and `b` are structurally equal (see the module doc). */
export function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || depth > 64) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const eq = (x: unknown, y: unknown): boolean => deepEqual(x, y, depth + 1);
  if (a instanceof ActorRef) return a.address === (b as ActorRef).address;
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof Error) return a.name === (b as Error).name && a.message === (b as Error).message;
  if (ArrayBuffer.isView(a)) {
    const [x, y] = [a as Uint8Array, b as Uint8Array];
    return x.byteLength === y.byteLength && x.every((v, i) => Object.is(v, y[i]));
  }
  if (a instanceof Map || a instanceof Set) {
    const [x, y] = [[...a], [...(b as Map<unknown, unknown> | Set<unknown>)]];
    return x.length === y.length && x.every((v, i) => eq(v, y[i]));
  }
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => eq(v, (b as unknown[])[i]));
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && eq((a as never)[k], (b as never)[k]));
}

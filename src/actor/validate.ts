/**
 * Checks of what callers pass to `tell`/`ask`/`send`/`flush`/`spawn`/`start`/`shutdown`,
 * made at the call, before anything is encoded or crosses a worker: a bad value throws
 * {@link InvalidArgumentError} naming the option, what it got, and what to pass instead.
 *
 * @example
 * ```ts
 * checkMessageName("inc");           // ok
 * checkMessageName("$terminated");   // InvalidArgumentError: reserved
 * checkTimeout("ask timeout", -1);   // InvalidArgumentError
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";

const show = (v: unknown): string => {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "symbol") return v.toString();
  if (typeof v === "bigint") return `${v}n`;
  if (v === null || typeof v !== "object") return String(v);
  return Array.isArray(v) ? "an array" : "an object";
};

/**
 * A message name from a caller: a non-empty string that does not start with `$` (names
 * starting with `$` are the framework's own signals, such as `$terminated`).
 *
 * @example
 * ```ts
 * checkMessageName(Symbol("inc")); // InvalidArgumentError
 * ```
 */
export function checkMessageName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0) {
    throw new InvalidArgumentError(`message name must be a non-empty string (a handler's name); got ${show(name)}.`);
  }
  if (name.charCodeAt(0) === 36) {
    throw new InvalidArgumentError(
      `message name ${
        JSON.stringify(name)
      } starts with "$": such names are reserved for the framework's own signals and cannot be sent; rename the handler.`,
    );
  }
}

/**
 * A duration in milliseconds: a number ≥ 0, or `Infinity` for none. `undefined` passes
 * (the default applies). With `positive`, 0 is refused too.
 *
 * @example
 * ```ts
 * checkTimeout("ask timeout", 0);              // ok: expires at once
 * checkTimeout("askTimeout", 0, true);         // InvalidArgumentError
 * ```
 */
export function checkTimeout(option: string, value: unknown, positive = false): void {
  if (value === undefined) return;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (positive && value === 0)) {
    throw new InvalidArgumentError(
      `${option} must be a number of milliseconds ${positive ? "> 0" : "≥ 0"} (or Infinity for none); got ${show(value)}.`,
    );
  }
}

/**
 * An `AbortSignal` option (`undefined` passes).
 *
 * @example
 * ```ts
 * checkSignal("ask signal", AbortSignal.timeout(100)); // ok
 * ```
 */
export function checkSignal(option: string, value: unknown): void {
  if (value === undefined) return;
  if (
    typeof value !== "object" || value === null || typeof (value as AbortSignal).aborted !== "boolean" ||
    typeof (value as AbortSignal).addEventListener !== "function"
  ) {
    throw new InvalidArgumentError(
      `${option} must be an AbortSignal (e.g. AbortSignal.timeout(ms) or an AbortController's signal); got ${show(value)}.`,
    );
  }
}

/**
 * An options object (`undefined` passes): anything else, such as a number passed where
 * the options go, is refused. With `known`, an own key that is not one of them (a typo
 * such as `worker` for `workers`) is refused too, naming the keys that are.
 *
 * @example
 * ```ts
 * checkOptions("ask options", { timeout: 10 }); // ok
 * checkOptions("spawn options", { wroker: 1 }, ["worker", "name"]); // InvalidArgumentError
 * ```
 */
export function checkOptions(what: string, value: unknown, known?: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${what} must be an object such as { timeout, signal }; got ${show(value)}.`);
  }
  if (known === undefined) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${what} has no option "${key}"; the options are ${known.join(", ")}.`);
    }
  }
}

/**
 * A whole number in `[min, max]` (`undefined` passes).
 *
 * @example
 * ```ts
 * checkInteger("throughput", 0, 1, 1e6); // InvalidArgumentError
 * ```
 */
export function checkInteger(option: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${option} must be a whole number from ${min} to ${max}; got ${show(value)}.`);
  }
}

/**
 * Errors as text and as plain data: a one-line description (`Name: message`), and the
 * `{ name, message, stack }` form an error takes to cross a thread boundary outside the
 * wire (a worker's exit notice, a log event) and the `Error` rebuilt from it.
 *
 * @example
 * ```ts
 * describeError(new RangeError("too big")); // "RangeError: too big"
 * const back = fromPlainError(toPlainError(new TypeError("no")));
 * back.name; // "TypeError"
 * ```
 * @module
 */

/** An error's name, message and stack, as plain data. */
export interface PlainError {
  name: string;
  message: string;
  stack?: string;
}

/** `Name: message` for an Error, else the value as a string. */
export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** `e` as plain data (a non-Error becomes an `Error` named "Error" with its string as the message). */
export function toPlainError(e: unknown): PlainError {
  if (!(e instanceof Error)) return { name: "Error", message: String(e) };
  const plain: PlainError = { name: String(e.name), message: String(e.message) };
  if (e.stack !== undefined) plain.stack = String(e.stack);
  return plain;
}

/** An `Error` with the name, message and stack of `plain`. */
export function fromPlainError(plain: PlainError): Error {
  const e = new Error(plain.message);
  e.name = plain.name;
  if (plain.stack !== undefined) e.stack = plain.stack;
  return e;
}

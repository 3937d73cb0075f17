/**
 * A pending timer, whatever the runtime's `setTimeout` returns (a number on Deno, an
 * object on Node and Bun), typed without host types so that declarations which mention
 * one compile for consumers without the DOM library or `@types/node`.
 *
 * @example
 * ```ts
 * let timer: TimerId | undefined = setTimeout(() => {}, 1000);
 * clearTimer(timer);
 * ```
 * @module
 */

/** The id of a pending timer. */
export type TimerId = number | object;

/** Cancels `timer` (nothing when it is `undefined`). */
export function clearTimer(timer: TimerId | undefined): void {
  if (timer !== undefined) clearTimeout(timer as number);
}

/**
 * How a `TestProbe` (probe.ts) waits: FIFO waiters on its unread messages, each taking the
 * first message it accepts, bounded by `within` and cancelled by a signal — and the checks
 * of the expectations' arguments.
 *
 * @example
 * ```ts
 * const unread: number[] = [];
 * const waiters = new Set<Waiter<number>>();
 * const next = waitOn(unread, waiters, (n) => n > 1, 1_000, undefined, () => new Error("none"));
 * handOver(waiters, 2); // next resolves with 2
 * ```
 * @module
 */
import { checkOptions, checkSignal, checkTimeout } from "../actor/validate.ts";
import { InvalidArgumentError } from "../errors.ts";
import type { ExpectOptions, MessageMatcher, ProbeMessage, ProbeProtocol } from "./probe-types.ts";

export const DEFAULT_WITHIN = 10_000;

export interface Waiter<T> {
  accept: (value: T) => boolean;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/** Waits on a queue of `T`: `accept` says which item a waiter takes. */
export function waitOn<T>(
  unread: T[],
  waiters: Set<Waiter<T>>,
  accept: (value: T) => boolean,
  within: number,
  signal: AbortSignal | undefined,
  onTimeout: () => unknown,
): Promise<T> {
  const i = unread.findIndex(accept);
  if (i >= 0) return Promise.resolve(unread.splice(i, 1)[0]!);
  if (signal?.aborted) return Promise.reject(signal.reason);
  const { promise, resolve, reject } = Promise.withResolvers<T>();
  const cancel = (error: unknown): void => {
    if (waiters.delete(waiter)) reject(error);
  };
  const waiter: Waiter<T> = { accept, resolve, reject };
  waiters.add(waiter);
  const timer = Number.isFinite(within) ? setTimeout(() => cancel(onTimeout()), within) : undefined;
  const onAbort = (): void => cancel(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  return promise.finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  });
}

/** Gives `value` to the first waiter that accepts it; false when none does. */
export function handOver<T>(waiters: Set<Waiter<T>>, value: T): boolean {
  for (const w of waiters) {
    if (!w.accept(value)) continue;
    waiters.delete(w);
    w.resolve(value);
    return true;
  }
  return false;
}

export function checkExpectOptions(what: string, options: ExpectOptions | undefined): { within: number; signal: AbortSignal | undefined } {
  checkOptions(`${what} options`, options);
  checkTimeout(`${what} option within`, options?.within, true);
  checkSignal(`${what} option signal`, options?.signal);
  return { within: options?.within ?? DEFAULT_WITHIN, signal: options?.signal };
}

export const describeMatcher = (m: MessageMatcher<never>): string =>
  typeof m === "string" ? `message "${m}"` : "a message matching the predicate";

export function matcherTest<P extends ProbeProtocol>(matcher: MessageMatcher<P>): (m: ProbeMessage<P>) => boolean {
  if (typeof matcher === "string") return (m) => m.name === matcher;
  if (typeof matcher === "function") return matcher;
  throw new InvalidArgumentError(`expected a message name or a predicate (message) => boolean; got ${typeof matcher}.`);
}

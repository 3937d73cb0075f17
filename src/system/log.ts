/**
 * What the system has to say that no caller is waiting to hear: a handler that failed on a
 * tell, an `onStop` or `onRestart` hook that threw, bytes that were not a frame, a worker
 * that was replaced. Every loop's events go to one {@link Logger} on the main thread
 * (workers forward theirs), set with `ActorSystem.start({ logger })`.
 *
 * @example
 * ```ts
 * const events: LogEvent[] = [];
 * await using system = await ActorSystem.start({ logger: (e) => events.push(e) });
 * ```
 * @module
 */
import { describeError, fromPlainError, type PlainError, toPlainError } from "../util/error-text.ts";

/** One event for the log. */
export interface LogEvent {
  /** `error`: something failed; `warn`: something was misused or recovered. */
  level: "error" | "warn";
  /** Where it happened: an actor's label, `worker 0`, `the main loop`, `channel`. */
  source: string;
  /** What happened, in one line. */
  message: string;
  /** The failure, when there is one (from a worker: an `Error` with its name, message and stack). */
  error?: unknown;
}

/**
 * Receives the system's log events (called on the main thread).
 *
 * @example
 * ```ts
 * const quiet: Logger = (e) => { if (e.level === "error") console.error(e.source, e.message); };
 * ```
 */
export type Logger = (event: LogEvent) => void;

/** Options of {@link consoleLogger}. */
export interface ConsoleLoggerOptions {
  /** Print each error's stack after its line (default false: one line per event). */
  stacks?: boolean;
}

/**
 * The default logger: one line per event on `console.error` / `console.warn`, the error's
 * name and message at its end; stacks only when asked.
 *
 * @example
 * ```ts
 * await using system = await ActorSystem.start({ logger: consoleLogger({ stacks: true }) });
 * ```
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  return (event) => {
    const e = event.error;
    const cause = e === undefined ? "" : `: ${describeError(e)}`;
    const line = `[missive] ${event.source}: ${event.message}${cause}`;
    const print = event.level === "warn" ? console.warn : console.error;
    if (options.stacks && e instanceof Error && e.stack) print(`${line}\n${e.stack}`);
    else print(line);
  };
}

/** A log event in a form that crosses a worker boundary as plain data. */
export interface WireLogEvent {
  level: "error" | "warn";
  source: string;
  message: string;
  error?: PlainError;
}

/** `event` as plain data (a worker forwards it to the main thread). */
export function logEventToWire(event: LogEvent): WireLogEvent {
  const wire: WireLogEvent = { level: event.level, source: event.source, message: event.message };
  const e = event.error;
  if (e !== undefined) wire.error = toPlainError(e);
  return wire;
}

/** The event a worker forwarded, its error an `Error` again. */
export function logEventFromWire(wire: WireLogEvent): LogEvent {
  const event: LogEvent = { level: wire.level, source: wire.source, message: wire.message };
  if (wire.error !== undefined) event.error = fromPlainError(wire.error);
  return event;
}

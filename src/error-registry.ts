/**
 * Error classes known by name, so that an error crossing a worker boundary is re-created
 * as its own class on the other side (an unknown name arrives as `RemoteError`, keeping the
 * name, message, stack and fields). Built-in and Missive errors are known; register your
 * own with {@link registerErrorClass}.
 *
 * @example
 * ```ts
 * class OutOfStock extends Error {
 *   override name = "OutOfStock";
 * }
 * registerErrorClass(OutOfStock);
 * ```
 * @module
 */
import {
  ActorInitError,
  ActorNameTakenError,
  ActorStoppedError,
  AskTimeoutError,
  DefinitionNotFoundError,
  InvalidArgumentError,
  LinkedActorError,
  MailboxFullError,
  MessageEncodeError,
  MessageTooLargeError,
  MissiveError,
  RemoteError,
  SystemStoppedError,
  UnknownActorError,
  UnknownMessageError,
  WireError,
} from "./errors.ts";

/** A class of errors (what `registerErrorClass` takes). */
export type ErrorClass = new (...args: never[]) => Error;

const classes = new Map<string, ErrorClass>();
for (
  const cls of [
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    URIError,
    MissiveError,
    MessageEncodeError,
    AskTimeoutError,
    ActorStoppedError,
    SystemStoppedError,
    WireError,
    UnknownActorError,
    ActorNameTakenError,
    ActorInitError,
    DefinitionNotFoundError,
    UnknownMessageError,
    InvalidArgumentError,
    RemoteError,
    MailboxFullError,
    MessageTooLargeError,
    LinkedActorError,
  ] as ErrorClass[]
) classes.set(cls.name, cls);

/**
 * Makes errors named `name` (default: the class's name) arrive as instances of `cls` on
 * this thread. Call it at the top level of a module that your actors' modules import, so
 * that every worker registers it too (workers import those modules). Throws
 * `InvalidArgumentError` for a name already taken by another class.
 *
 * @example
 * ```ts
 * class OutOfStock extends Error {
 *   override name = "OutOfStock";
 * }
 * registerErrorClass(OutOfStock);
 * // an actor's `throw new OutOfStock()` rejects the caller's ask with an OutOfStock
 * ```
 */
export function registerErrorClass(cls: ErrorClass, name: string = cls?.name): void {
  if (typeof cls !== "function" || !(cls.prototype instanceof Error || cls === Error)) {
    throw new InvalidArgumentError(`registerErrorClass expects a class that extends Error; got ${typeof cls}.`);
  }
  if (typeof name !== "string" || name === "" || name === "__proto__") {
    throw new InvalidArgumentError(`registerErrorClass: the name must be a non-empty string (the errors' \`name\`); got ${String(name)}.`);
  }
  const known = classes.get(name);
  if (known !== undefined && known !== cls) {
    throw new InvalidArgumentError(`registerErrorClass: "${name}" is already the name of another error class.`);
  }
  classes.set(name, cls);
}

/** The class registered as `name`, if any (the wire's reader). */
export function errorClassNamed(name: string): ErrorClass | undefined {
  return classes.get(name);
}

/**
 * The typed errors of `missive-actors/effect`: one tagged error per core error an
 * operation can fail with, so that `Effect.catchTag("AskTimeout", …)` works and the error
 * channel of each operation says exactly what can go wrong. Each keeps the core error as
 * its `cause` (and its `message`); `fromMissive` maps a core error to its tagged twin.
 *
 * What is not here is a defect (`Effect.die`): `InvalidArgumentError` (a bad option is a
 * bug, not a condition to handle), `UnknownMessageError` (a typed client cannot send one),
 * and anything a handler threw that its definition did not declare.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { AskTimeout } from "missive-actors/effect";
 * const orZero = (e: AskTimeout) => Effect.succeed(e.timeoutMs > 0 ? 0 : -1);
 * ```
 * @module
 */
import { Data } from "effect";

/** The class `Data.TaggedError(tag)` makes (spelled out: JSR's fast check needs a named superclass). */
type TaggedErrorClass<Tag extends string> = ReturnType<typeof Data.TaggedError<Tag>>;
import { ChannelClosedError } from "../channel/errors.ts";
import { registerErrorClass } from "../error-registry.ts";
import {
  ActorInitError,
  ActorNameTakenError,
  ActorStoppedError,
  AskTimeoutError,
  DefinitionNotFoundError,
  MailboxFullError,
  MessageEncodeError,
  MessageTooLargeError,
  SystemStartError,
  SystemStoppedError,
} from "../errors.ts";
import { MissiveError } from "../errors.ts";

/**
 * A payload that does not match its Schema, as a core error: what an Effect actor's
 * worker throws when a message fails to decode, so that it crosses the wire with its
 * fields (its tagged twin is {@link InvalidMessage}).
 *
 * @example
 * ```ts
 * import { InvalidMessageError } from "missive-actors/effect";
 * const e = new InvalidMessageError("Counter#1@w0", "inc", "arg", "Expected number, got \"x\"");
 * e.path; // "arg"
 * ```
 */
export class InvalidMessageError extends MissiveError {
  /** Label of the target actor. */ readonly actor: string;
  /** Message name (`name → reply` for a reply). */ readonly messageName: string;
  /** Where in the payload, e.g. `arg.items[1].name`. */ readonly path: string;
  /** What is wrong there, as the Schema says it. */ readonly issue: string;
  constructor(actor: string, messageName: string, path: string, issue: string) {
    super(`"${messageName}" to ${actor} does not match its Schema: at ${path}: ${issue}. Nothing was processed; fix the payload.`);
    this.actor = actor;
    this.messageName = messageName;
    this.path = path;
    this.issue = issue;
  }
}
registerErrorClass(InvalidMessageError);

const AskTimeoutBase: TaggedErrorClass<"AskTimeout"> = Data.TaggedError("AskTimeout");

/**
 * No reply within the ask's `timeout` (the core's `AskTimeoutError`). The late reply, if
 * any, is dropped and counted in `system.stats.lateReplies`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { AskTimeout } from "missive-actors/effect";
 * const log = (e: AskTimeout) => Effect.logWarning(`${e.actor} did not answer ${e.messageName} in ${e.timeoutMs} ms`);
 * ```
 */
export class AskTimeout extends AskTimeoutBase<{
  readonly actor: string;
  readonly messageName: string;
  readonly timeoutMs: number;
  readonly message: string;
  readonly cause: AskTimeoutError;
}> {}

const ActorStoppedBase: TaggedErrorClass<"ActorStopped"> = Data.TaggedError("ActorStopped");

/**
 * The target actor is gone: stopped, or stopped before taking the message, or its worker
 * died (the core's `ActorStoppedError`).
 *
 * @example
 * ```ts
 * import { ActorStopped } from "missive-actors/effect";
 * const who = (e: ActorStopped) => e.actor;
 * ```
 */
export class ActorStopped extends ActorStoppedBase<{
  readonly actor: string;
  readonly message: string;
  readonly cause: ActorStoppedError;
}> {}

const MailboxFullBase: TaggedErrorClass<"MailboxFull"> = Data.TaggedError("MailboxFull");

/**
 * A bounded mailbox has no room: `tell` to a full `wait` mailbox (use `send`), or any send
 * to a full `reject` mailbox (the core's `MailboxFullError`). Nothing was sent.
 *
 * @example
 * ```ts
 * import { MailboxFull } from "missive-actors/effect";
 * const room = (e: MailboxFull) => e.capacity;
 * ```
 */
export class MailboxFull extends MailboxFullBase<{
  readonly actor: string;
  readonly capacity: number;
  readonly message: string;
  readonly cause: MailboxFullError;
}> {}

const MessageEncodeBase: TaggedErrorClass<"MessageEncode"> = Data.TaggedError("MessageEncode");

/**
 * The message (or spawn argument, or reply) cannot be msgpack-encoded; `path` names the
 * value (the core's `MessageEncodeError`). Nothing was sent.
 *
 * @example
 * ```ts
 * import { MessageEncode } from "missive-actors/effect";
 * const where = (e: MessageEncode) => `${e.messageName}: ${e.path} is ${e.reason}`;
 * ```
 */
export class MessageEncode extends MessageEncodeBase<{
  readonly actor: string;
  readonly messageName: string;
  readonly path: string;
  readonly reason: string;
  readonly message: string;
  readonly cause: MessageEncodeError;
}> {}

const MessageTooLargeBase: TaggedErrorClass<"MessageTooLarge"> = Data.TaggedError("MessageTooLarge");

/**
 * The encoded message is over the system's `maxMessageBytes` (the core's
 * `MessageTooLargeError`). Nothing was sent.
 *
 * @example
 * ```ts
 * import { MessageTooLarge } from "missive-actors/effect";
 * const over = (e: MessageTooLarge) => e.bytes - e.limit;
 * ```
 */
export class MessageTooLarge extends MessageTooLargeBase<{
  readonly bytes: number;
  readonly limit: number;
  readonly message: string;
  readonly cause: MessageTooLargeError;
}> {}

const SystemStoppedBase: TaggedErrorClass<"SystemStopped"> = Data.TaggedError("SystemStopped");

/**
 * The system is shutting down or has shut down, and refuses new work (the core's
 * `SystemStoppedError`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import type { SystemStopped } from "missive-actors/effect";
 * const ignore = (_: SystemStopped) => Effect.void;
 * ```
 */
export class SystemStopped extends SystemStoppedBase<{
  readonly message: string;
  readonly cause: SystemStoppedError;
}> {}

const SystemStartBase: TaggedErrorClass<"SystemStart"> = Data.TaggedError("SystemStart");

/**
 * The system could not start here: inside a Missive worker, or on a runtime too old (the
 * core's `SystemStartError`; the message names the fix).
 *
 * @example
 * ```ts
 * import { SystemStart } from "missive-actors/effect";
 * const why = (e: SystemStart) => e.message;
 * ```
 */
export class SystemStart extends SystemStartBase<{
  readonly message: string;
  readonly cause: SystemStartError;
}> {}

const SpawnFailedBase: TaggedErrorClass<"SpawnFailed"> = Data.TaggedError("SpawnFailed");

/**
 * A spawn failed: `init` (or `onStart`, or an Effect actor's layer) failed, the definition
 * is not exported by its module, or the name is taken (the core's `ActorInitError`,
 * `DefinitionNotFoundError`, `ActorNameTakenError`: `cause`).
 *
 * @example
 * ```ts
 * import { SpawnFailed } from "missive-actors/effect";
 * const original = (e: SpawnFailed) => e.cause.cause;
 * ```
 */
export class SpawnFailed extends SpawnFailedBase<{
  readonly message: string;
  readonly cause: ActorInitError | DefinitionNotFoundError | ActorNameTakenError;
}> {}

const InvalidMessageBase: TaggedErrorClass<"InvalidMessage"> = Data.TaggedError("InvalidMessage");

/**
 * A payload did not match its message's (or reply's) Schema. At the sender it is refused
 * before anything is encoded or sent; at the receiver (a raw `ActorRef` bypassed the
 * sender's check) the handler does not run. `path` is where, e.g. `arg.items[1].name`.
 *
 * @example
 * ```ts
 * import { InvalidMessage } from "missive-actors/effect";
 * const where = (e: InvalidMessage) => `${e.messageName}: ${e.path}: ${e.issue}`;
 * ```
 */
export class InvalidMessage extends InvalidMessageBase<{
  readonly actor: string;
  readonly messageName: string;
  readonly path: string;
  readonly issue: string;
  readonly message: string;
}> {}

const ChannelClosedBase: TaggedErrorClass<"ChannelClosed"> = Data.TaggedError("ChannelClosed");

/**
 * The channel is closed (the core's `ChannelClosedError`): a stream read from it fails
 * with this when it was closed with a reason (`cause.cause`), or its owner is gone; a put
 * into it fails with this and the value that was not sent (`hasValue`, `value`).
 *
 * @example
 * ```ts
 * import { ChannelClosed } from "missive-actors/effect";
 * const unsent = (e: ChannelClosed) => (e.hasValue ? [e.value] : []);
 * ```
 */
export class ChannelClosed extends ChannelClosedBase<{
  readonly hasValue: boolean;
  readonly value: unknown;
  readonly message: string;
  readonly cause: ChannelClosedError;
}> {}

/**
 * What `tell` and `send` can fail with.
 *
 * @example
 * ```ts
 * import type { SendError } from "missive-actors/effect";
 * const tag = (e: SendError) => e._tag;
 * ```
 */
export type SendError = MessageEncode | MessageTooLarge | MailboxFull | SystemStopped | InvalidMessage;

/**
 * What `ask` can fail with, besides the failures its handler declares.
 *
 * @example
 * ```ts
 * import type { AskError } from "missive-actors/effect";
 * const retryable = (e: AskError) => e._tag === "AskTimeout" || e._tag === "MailboxFull";
 * ```
 */
export type AskError = SendError | AskTimeout | ActorStopped;

/**
 * What `flush` can fail with.
 *
 * @example
 * ```ts
 * import type { FlushError } from "missive-actors/effect";
 * const tag = (e: FlushError) => e._tag;
 * ```
 */
export type FlushError = AskTimeout | ActorStopped | SystemStopped;

/**
 * What `spawn` can fail with.
 *
 * @example
 * ```ts
 * import type { SpawnError } from "missive-actors/effect";
 * const tag = (e: SpawnError) => e._tag;
 * ```
 */
export type SpawnError = SpawnFailed | MessageEncode | MessageTooLarge | SystemStopped | InvalidMessage;

/**
 * Every tagged error of this module.
 *
 * @example
 * ```ts
 * import type { MissiveFailure } from "missive-actors/effect";
 * const tag = (e: MissiveFailure) => e._tag;
 * ```
 */
export type MissiveFailure = AskError | FlushError | SpawnError | SystemStart | ChannelClosed;

/**
 * The tagged twin of a core error, or `undefined` for anything else (a defect).
 *
 * @example
 * ```ts
 * import { fromMissive } from "missive-actors/effect";
 * import { SystemStoppedError } from "missive-actors";
 * fromMissive(new SystemStoppedError())?._tag; // "SystemStopped"
 * ```
 */
export function fromMissive(e: unknown): MissiveFailure | undefined {
  if (e instanceof AskTimeoutError) {
    return new AskTimeout({ actor: e.actor, messageName: e.messageName, timeoutMs: e.timeoutMs, message: e.message, cause: e });
  }
  if (e instanceof ActorStoppedError) return new ActorStopped({ actor: e.actor, message: e.message, cause: e });
  if (e instanceof MailboxFullError) return new MailboxFull({ actor: e.actor, capacity: e.capacity, message: e.message, cause: e });
  if (e instanceof MessageEncodeError) {
    return new MessageEncode({
      actor: e.actor,
      messageName: e.messageName,
      path: e.path,
      reason: e.reason,
      message: e.message,
      cause: e,
    });
  }
  if (e instanceof MessageTooLargeError) return new MessageTooLarge({ bytes: e.bytes, limit: e.limit, message: e.message, cause: e });
  if (e instanceof SystemStoppedError) return new SystemStopped({ message: e.message, cause: e });
  if (e instanceof SystemStartError) return new SystemStart({ message: e.message, cause: e });
  if (e instanceof ActorInitError || e instanceof DefinitionNotFoundError || e instanceof ActorNameTakenError) {
    return new SpawnFailed({ message: e.message, cause: e });
  }
  if (e instanceof ChannelClosedError) return new ChannelClosed({ hasValue: e.hasValue, value: e.value, message: e.message, cause: e });
  if (e instanceof InvalidMessageError) {
    return new InvalidMessage({ actor: e.actor, messageName: e.messageName, path: e.path, issue: e.issue, message: e.message });
  }
  return undefined;
}

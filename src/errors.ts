/**
 * Every error Missive throws or rejects with. Each names the problem and the
 * fix, carries the data it is about, and survives a trip across workers
 * (the wire re-creates these classes by `name`).
 *
 * @example
 * ```ts
 * try { await ref.ask("get", undefined, { timeout: 100 }); }
 * catch (e) { if (e instanceof AskTimeoutError) console.log(e.timeoutMs); }
 * ```
 * @module
 */

/** Base class of every Missive error; `instanceof MissiveError` catches them all. */
export class MissiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A message (or spawn argument, or reply) could not be msgpack-encoded. Thrown
 * synchronously by `tell`/`ask`; nothing was sent and the actor keeps running.
 *
 * @example
 * ```ts
 * try { ref.tell("put", { fn: () => 1 }); }
 * catch (e) { if (e instanceof MessageEncodeError) console.log(e.path); } // "arg.fn"
 * ```
 */
export class MessageEncodeError extends MissiveError {
  /** Label of the target actor. */ readonly actor: string;
  /** Message name. */ readonly messageName: string;
  /** Path to the offending value, e.g. `arg.items[3].cb`. */ readonly path: string;
  /** What is wrong with that value. */ readonly reason: string;
  /** @param cause what was thrown while reading the value (a getter, a Proxy trap), if that is the problem */
  constructor(actor: string, messageName: string, path: string, reason: string, cause?: unknown) {
    super(
      `Cannot send "${messageName}" to ${actor}: ${path} is ${reason}. Messages must be msgpack-encodable ` +
        `(plain objects, arrays, strings, numbers, booleans, null, undefined, Uint8Array, ArrayBuffer, Date, Map, Set, ` +
        `bigint, Error, ActorRef), nested at most 100 deep and without cycles; send plain data instead.`,
      cause === undefined ? undefined : { cause },
    );
    this.actor = actor;
    this.messageName = messageName;
    this.path = path;
    this.reason = reason;
  }
}

/** An ask got no reply within its timeout. The late reply, if any, is dropped and counted. */
export class AskTimeoutError extends MissiveError {
  /** Label of the target actor. */ readonly actor: string;
  /** Message name. */ readonly messageName: string;
  /** The timeout that passed, in milliseconds. */ readonly timeoutMs: number;
  constructor(actor: string, messageName: string, timeoutMs: number) {
    super(
      `ask "${messageName}" to ${actor} got no reply within ${timeoutMs} ms; raise { timeout } ` +
        `or check that the handler returns (a late reply is dropped and counted).`,
    );
    this.actor = actor;
    this.messageName = messageName;
    this.timeoutMs = timeoutMs;
  }
}

/** The target actor is gone (stopped, never existed on that worker, or its worker exited). */
export class ActorStoppedError extends MissiveError {
  /** Label of the target actor. */ readonly actor: string;
  constructor(actor: string, detail = "it has stopped", options?: { cause?: unknown }) {
    super(`${actor} cannot take the message: ${detail}. Spawn a new actor or watch it to learn when it stops.`, options);
    this.actor = actor;
  }
}

/** The system is shutting down (or has shut down) and refuses new work. */
export class SystemStoppedError extends MissiveError {
  constructor(what = "send") {
    super(`Cannot ${what}: the actor system is shutting down or has shut down. Start a new ActorSystem.`);
  }
}

/** Bytes on the wire could not be decoded as a Missive frame. */
export class WireError extends MissiveError {
  /** What is wrong with the bytes, without the sentence around it. */
  readonly detail: string;
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`Malformed frame: ${detail}. The frame was dropped; the link stays usable.`, options);
    this.detail = detail;
  }
}

/** `lookup(name)` found no actor registered under that name. */
export class UnknownActorError extends MissiveError {
  /** The name that was looked up. */ readonly actorName: string;
  constructor(actorName: string) {
    super(`No actor is registered as "${actorName}". Spawn it with { name: "${actorName}" } first.`);
    this.actorName = actorName;
  }
}

/** A name given to `spawn` is already taken by a live actor. */
export class ActorNameTakenError extends MissiveError {
  /** The name that is taken. */ readonly actorName: string;
  /** @param where who holds it, when known (e.g. "by an actor on node b, in the cluster's name registry") */
  constructor(actorName: string, where?: string) {
    super(
      `The actor name "${actorName}" is already taken${where === undefined ? "" : ` (${where})`}; ` +
        `choose another name or stop that actor first.`,
    );
    this.actorName = actorName;
  }
}

/** An actor's `init` threw or rejected; the actor was not created. The cause is the original error. */
export class ActorInitError extends MissiveError {
  constructor(definition: string, cause: unknown) {
    super(`init of ${definition} failed: ${(cause as Error)?.message ?? String(cause)}. Check the spawn argument.`, { cause });
  }
}

/** A definition could not be found in its module on the worker. */
export class DefinitionNotFoundError extends MissiveError {
  constructor(detail: string) {
    super(detail);
  }
}

/** A message name that the target's protocol does not have (reachable by untyped callers). */
export class UnknownMessageError extends MissiveError {
  constructor(actor: string, messageName: string, known: readonly string[]) {
    super(`${actor} has no handler "${messageName}"; its handlers are: ${known.join(", ") || "(none)"}.`);
  }
}

/**
 * A bounded mailbox has no room for the message. Nothing was sent (for `tell`/`send`)
 * or the message was refused on arrival (for `ask`).
 */
export class MailboxFullError extends MissiveError {
  /** Label of the target actor. */ readonly actor: string;
  /** The mailbox's capacity. */ readonly capacity: number;
  constructor(actor: string, capacity: number, hint = "use `await ref.send(name, arg)` to wait for room, or raise mailbox.capacity") {
    super(`The mailbox of ${actor} is full (capacity ${capacity}); ${hint}.`);
    this.actor = actor;
    this.capacity = capacity;
  }
}

/**
 * A message is larger than the system's `maxMessageBytes`. Nothing was sent. A message
 * certain to be over the limit (an array of more items than the limit has bytes, a string
 * of more chars) is refused before it is encoded, so `bytes` may be a lower bound.
 */
export class MessageTooLargeError extends MissiveError {
  /** Encoded size, bytes (at least this many when `atLeast`). */ readonly bytes: number;
  /** The limit, bytes. */ readonly limit: number;
  /** True when encoding stopped early and `bytes` is a lower bound. */ readonly atLeast: boolean;
  constructor(actor: string, messageName: string, bytes: number, limit: number, atLeast = false) {
    super(
      `"${messageName}" to ${actor} is ${atLeast ? "at least " : ""}${bytes} bytes encoded, over the limit of ${limit} bytes; ` +
        `send it in parts, or raise maxMessageBytes in ActorSystem.start().`,
    );
    this.atLeast = atLeast;
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** An actor failed because an actor it was linked to (`ctx.link`) failed. `cause` is that failure. */
export class LinkedActorError extends MissiveError {
  constructor(actor: string, reason: string, cause: unknown) {
    super(`linked actor ${actor} stopped abnormally (${reason}).`, { cause });
  }
}

/** Bad options or arguments given to a Missive API (names the option and the fix). */
export class InvalidArgumentError extends MissiveError {}

/**
 * `ActorSystem.start()` was called where no system may start: inside a Missive worker
 * (code at the top level of a module that defines actors runs again in every worker that
 * imports it), or on a runtime too old for Missive. The message says which and the fix.
 *
 * @example
 * ```ts
 * try { await ActorSystem.start(); }
 * catch (e) { if (e instanceof SystemStartError) console.error(e.message); }
 * ```
 */
export class SystemStartError extends MissiveError {}

/**
 * An error thrown by remote code whose class is not known on this side: it keeps the
 * original `name`, `message`, `stack` and custom fields.
 */
export class RemoteError extends MissiveError {}

/**
 * `ActorClient<D>`: an actor's ref seen from Effect code. `tell`, `send`, `ask` and
 * `flush` are Effects whose error channel says what can fail (see `errors.ts`), plus, for
 * an Effect actor, the failure its definition declares. A message with a Schema is
 * checked (encoded) here, before anything is sent; a reply with one is decoded here.
 *
 * Interruption cancels: an interrupted `ask` or `flush` is removed from the pending asks
 * at once (its reply, if it comes, is dropped and counted as late); an interrupted `send`
 * waiting for mailbox room gives up its place and sends nothing. The message an
 * interrupted `ask` already sent is still processed by the actor.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { spawn } from "missive-actors/effect";
 * const program = Effect.gen(function* () {
 *   const counter = yield* spawn(Counter, 0);
 *   yield* counter.tell("inc", 2);
 *   return yield* counter.ask("get"); // Effect<number, AskError, MissiveSystem>
 * });
 * ```
 * @module
 */
import { Effect, Exit, Schema as S } from "effect";
import type { AnyDefinition, HandlersOf, IsAny, MessageName, TellArgs } from "../actor/definition.ts";
import { ActorRef, type AskArgs, type AskOptions, type AskReply } from "../actor/ref.ts";
import { InvalidArgumentError } from "../errors.ts";
import { type AskError, type FlushError, fromMissive, InvalidMessageError, type MissiveFailure, type SendError } from "./errors.ts";
import { type EffectMeta, encodeChecked, type Outcome, protocolOf, type ProtocolSchemas } from "./protocol.ts";

/** The Effect meta of message `K` of `D` (see `defineEffectActor`), or `never` for a plain handler. */
type MetaOf<D, K> = HandlersOf<D>[K & keyof HandlersOf<D>] extends { readonly "~missive/effect": infer M } ? M : never;

/** The success type of an Effect handler. */
// deno-lint-ignore no-explicit-any
type SuccessOf<F> = F extends (...args: any[]) => Effect.Effect<infer A, any, any> ? A : never;

/**
 * What `client.ask(name)` succeeds with: the Effect handler's success type, or the plain
 * handler's (awaited) return type.
 *
 * @example
 * ```ts
 * type N = ClientReply<typeof Counter, "get">; // number
 * ```
 */
export type ClientReply<D, K extends MessageName<D>> = IsAny<D> extends true ? AskReply<D, K>
  : [MetaOf<D, K>] extends [never] ? AskReply<D, K>
  // deno-lint-ignore no-explicit-any
  : MetaOf<D, K> extends EffectMeta<infer F, any> ? SuccessOf<F>
  : never;

/**
 * The failure an Effect actor declares for message `K` (its `error` Schema's type);
 * `never` for a plain actor.
 *
 * @example
 * ```ts
 * type E = ClientFailure<typeof Counter, "get">; // never
 * ```
 */
export type ClientFailure<D, K extends MessageName<D>> = IsAny<D> extends true ? never
  : [MetaOf<D, K>] extends [never] ? never
  // deno-lint-ignore no-explicit-any
  : MetaOf<D, K> extends EffectMeta<any, infer E> ? E
  : never;

const SEND_TAGS = new Set(["MessageEncode", "MessageTooLarge", "MailboxFull", "SystemStopped", "InvalidMessage"]);
const ASK_TAGS = new Set([...SEND_TAGS, "AskTimeout", "ActorStopped"]);
const FLUSH_TAGS = new Set(["AskTimeout", "ActorStopped", "SystemStopped"]);

/** A core error as the tagged failure it maps to when that is one `tags` allows, else a defect. */
// deno-lint-ignore no-explicit-any
export function failWith(e: unknown, tags: ReadonlySet<string>): Effect.Effect<never, any> {
  const failure: MissiveFailure | undefined = fromMissive(e);
  return failure !== undefined && tags.has(failure._tag) ? Effect.fail(failure) : Effect.die(e);
}

/** The caller's signal and the fiber's, as one. */
function both(mine: AbortSignal | undefined, fiber: AbortSignal): AbortSignal {
  return mine === undefined ? fiber : AbortSignal.any([mine, fiber]);
}

/**
 * An actor's ref with Effect operations. Get one from `spawn`, or wrap a ref that came in
 * a message with `client(Definition, ref)`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { client } from "missive-actors/effect";
 * const get = client(Counter, counter).ask("get").pipe(Effect.timeout("1 second"));
 * ```
 */
export class ActorClient<D extends AnyDefinition> {
  /** The plain ref (put it in messages; its own methods skip the Schemas). */
  readonly ref: ActorRef<D>;
  /** The actor's definition. */
  readonly definition: D;
  readonly #schemas: ProtocolSchemas | undefined;

  /** @internal use `spawn` or `client(definition, ref)`. */
  constructor(definition: D, ref: ActorRef<D>) {
    if (!(ref instanceof ActorRef)) {
      throw new InvalidArgumentError(`client expects an ActorRef (from spawn or a message); got ${typeof ref}.`);
    }
    this.definition = definition;
    this.ref = ref;
    this.#schemas = protocolOf(definition);
  }

  /**
   * Sends a message without waiting for anything (FIFO per sender). Fails with
   * `InvalidMessage` (Schema), `MessageEncode`, `MessageTooLarge`, `MailboxFull` (a full
   * bounded mailbox: use `send` to wait) or `SystemStopped`; nothing was sent then.
   *
   * @example
   * ```ts
   * import { client } from "missive-actors/effect";
   * const inc = client(Counter, counter).tell("inc", 1); // Effect<void, SendError>
   * ```
   */
  tell<K extends MessageName<D>>(name: K, ...args: TellArgs<D, K>): Effect.Effect<void, SendError> {
    return Effect.suspend(() => {
      const encoded = encodeChecked(this.#schemas?.messages[name], args[0], this.ref.label, name, "arg");
      if (Exit.isFailure(encoded)) return Effect.failCause(encoded.cause);
      try {
        (this.ref as ActorRef).tell(name, encoded.value);
        return Effect.void;
      } catch (e) {
        return failWith(e, SEND_TAGS);
      }
    });
  }

  /**
   * Sends a message, waiting for room in a bounded (`wait`) mailbox first (FIFO among
   * waiting senders). Interrupting the wait gives up its place: the message is then not sent.
   *
   * @example
   * ```ts
   * import { client } from "missive-actors/effect";
   * const put = client(Counter, counter).send("inc", 1); // waits while the mailbox is full
   * ```
   */
  send<K extends MessageName<D>>(name: K, ...args: TellArgs<D, K>): Effect.Effect<void, SendError> {
    return Effect.suspend(() => {
      const encoded = encodeChecked(this.#schemas?.messages[name], args[0], this.ref.label, name, "arg");
      if (Exit.isFailure(encoded)) return Effect.failCause(encoded.cause);
      return Effect.callback<void, SendError>((resume, signal) => {
        (this.ref as ActorRef).send(name, encoded.value, { signal }).then(
          () => resume(Effect.void),
          (e) => resume(failWith(e, SEND_TAGS)),
        );
      });
    });
  }

  /**
   * Sends a message and succeeds with the handler's reply; fails with what sending can
   * fail with, `AskTimeout`, `ActorStopped`, or the failure the actor declares. A handler
   * that throws (or dies) without declaring it is a defect here. Interrupting removes the
   * ask at once; a late reply is dropped and counted.
   *
   * @example
   * ```ts
   * import { Effect } from "effect";
   * import { client } from "missive-actors/effect";
   * const n = client(Counter, counter).ask("get", undefined, { timeout: 500 }).pipe(
   *   Effect.retry({ times: 3, while: (e) => e._tag === "AskTimeout" }),
   * );
   * ```
   */
  ask<K extends MessageName<D>>(name: K, ...args: AskArgs<D, K>): Effect.Effect<ClientReply<D, K>, AskError | ClientFailure<D, K>> {
    const options: AskOptions = { ...(args[1] as AskOptions | undefined) };
    return Effect.suspend(() => {
      const encoded = encodeChecked(this.#schemas?.messages[name], args[0], this.ref.label, name, "arg");
      if (Exit.isFailure(encoded)) return Effect.failCause(encoded.cause);
      return Effect.callback<ClientReply<D, K>, AskError | ClientFailure<D, K>>((resume, signal) => {
        (this.ref as ActorRef).ask(name, encoded.value, { ...options, signal: both(options.signal, signal) }).then(
          (reply) => resume(this.#outcome(name, reply) as Effect.Effect<ClientReply<D, K>, ClientFailure<D, K>>),
          (e) => resume(failWith(e, ASK_TAGS)),
        );
      });
    });
  }

  /**
   * Succeeds once every message this sender sent to the actor before has been processed.
   * Interrupting removes it from the pending asks.
   *
   * @example
   * ```ts
   * import { client } from "missive-actors/effect";
   * const settled = client(Counter, counter).flush({ timeout: 1_000 }); // Effect<void, FlushError>
   * ```
   */
  flush(options?: { timeout?: number }): Effect.Effect<void, FlushError> {
    return Effect.callback<void, FlushError>((resume, signal) => {
      this.ref.flush({ ...options, signal }).then(
        () => resume(Effect.void),
        (e) => resume(failWith(e, FLUSH_TAGS)),
      );
    });
  }

  /**
   * The same actor, with default options for its asks and flushes (explicit ones win).
   *
   * @example
   * ```ts
   * import { client } from "missive-actors/effect";
   * const quick = client(Counter, counter).with({ timeout: 100 });
   * ```
   */
  with(options: { timeout?: number }): ActorClient<D> {
    return new ActorClient(this.definition, this.ref.with(options));
  }

  /** An Effect actor's reply (`[0, reply]` or `[1, failure]`), decoded; a plain actor's as it is. */
  #outcome(name: string, reply: unknown): Effect.Effect<unknown, unknown> {
    const schemas = this.#schemas;
    if (schemas === undefined) return Effect.succeed(reply);
    const [kind, value] = reply as Outcome;
    const schema = kind === 0 ? schemas.replies[name] : schemas.error;
    if (schema === undefined) return kind === 0 ? Effect.succeed(value) : Effect.die(value);
    const decoded = S.decodeUnknownExit(schema)(value);
    if (Exit.isFailure(decoded)) {
      return Effect.die(
        new InvalidMessageError(this.ref.label, `${name} → ${kind === 0 ? "reply" : "failure"}`, "reply", String(decoded.cause)),
      );
    }
    return kind === 0 ? Effect.succeed(decoded.value) : Effect.fail(decoded.value);
  }
}

/**
 * Wraps a ref (e.g. one that came in a message) as a client of `definition`.
 *
 * @example
 * ```ts
 * import { client } from "missive-actors/effect";
 * const c = client(Counter, counter);
 * ```
 */
export function client<D extends AnyDefinition>(definition: D, ref: ActorRef<D>): ActorClient<D> {
  return new ActorClient(definition, ref);
}

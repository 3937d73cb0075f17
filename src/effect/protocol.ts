/**
 * The protocol of an Effect actor: the Schemas of its messages, replies and declared
 * failure, kept beside its definition (by identity, on every thread that imports the
 * module), the reply format on the wire (`[0, reply]` or `[1, failure]`), and the checks
 * that run a payload through its Schema and name the path of what is wrong.
 *
 * @example
 * ```ts
 * import { Schema } from "effect";
 * const exit = encodeChecked(Schema.Number, "x", "Counter#1@w0", "inc", "arg");
 * // Exit.fail(InvalidMessage { path: "arg", issue: "Expected number, got \"x\"" })
 * ```
 * @module
 */
import { Cause, Exit, type Schema, Schema as S, SchemaIssue } from "effect";
import type { AnyDefinition } from "../actor/definition.ts";
import { InvalidMessage, InvalidMessageError } from "./errors.ts";

/**
 * A Schema a payload may have: anything that decodes and encodes without services.
 *
 * @example
 * ```ts
 * import { Schema } from "effect";
 * const amount: PayloadSchema<number> = Schema.Number;
 * ```
 */
export type PayloadSchema<T = unknown> = Schema.Codec<T, unknown, never, never>;

/** @internal The Schemas of one definition. */
export interface ProtocolSchemas {
  readonly messages: Readonly<Record<string, PayloadSchema | undefined>>;
  readonly replies: Readonly<Record<string, PayloadSchema | undefined>>;
  readonly error: PayloadSchema | undefined;
}

const protocols = new WeakMap<AnyDefinition, ProtocolSchemas>();

/** @internal Remembers the Schemas of `definition`. */
export function registerProtocol(definition: AnyDefinition, schemas: ProtocolSchemas): void {
  protocols.set(definition, schemas);
}

/** @internal The Schemas of `definition`, if it is an Effect actor. */
export function protocolOf(definition: AnyDefinition): ProtocolSchemas | undefined {
  return protocols.get(definition);
}

/**
 * What the plain handler made of an Effect handler carries as a type (nothing of it exists
 * at run time): the Effect handler and the declared failure, for `ActorClient`.
 *
 * @example
 * ```ts
 * import type { Effect } from "effect";
 * type M = EffectMeta<(state: unknown) => Effect.Effect<number>, never>;
 * ```
 */
export interface EffectMeta<F, E> {
  readonly handler: F;
  readonly error: E;
}

/** @internal What an Effect actor's handler replies on the wire: success, or a declared failure. */
export type Outcome = readonly [0, unknown] | readonly [1, unknown];

/** A Schema issue's path as Missive writes paths: `arg.items[1].name`. */
function pathText(root: string, path: ReadonlyArray<PropertyKey>): string {
  let out = root;
  for (const key of path) {
    out += typeof key === "number"
      ? `[${key}]`
      : typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)
      ? `.${key}`
      : `[${String(key)}]`;
  }
  return out;
}

const standard = SchemaIssue.makeFormatterStandardSchemaV1();

/** The first issue of a Schema failure, as a path and a sentence. */
function firstIssue(cause: Cause.Cause<Schema.SchemaError>, root: string): { path: string; issue: string } {
  const error = Cause.squash(cause);
  if (!S.isSchemaError(error)) return { path: root, issue: String(error) };
  const first = standard(error.issue).issues[0];
  const path = (first?.path ?? []).map((p) => (typeof p === "object" && p !== null && "key" in p ? p.key : p) as PropertyKey);
  return { path: pathText(root, path), issue: first?.message ?? error.message };
}

/**
 * Runs `value` through `schema`'s encoding (validating it) at the sender: its encoded
 * form, or `InvalidMessage` naming the actor, the message and the path.
 *
 * @example
 * ```ts
 * import { Schema } from "effect";
 * encodeChecked(Schema.Struct({ n: Schema.Number }), { n: 1 }, "Counter#1@w0", "inc", "arg"); // Exit.succeed({ n: 1 })
 * ```
 */
export function encodeChecked(
  schema: PayloadSchema | undefined,
  value: unknown,
  actor: string,
  messageName: string,
  root: string,
): Exit.Exit<unknown, InvalidMessage> {
  if (schema === undefined) return Exit.succeed(value);
  const exit = S.encodeUnknownExit(schema)(value);
  if (Exit.isSuccess(exit)) return Exit.succeed(exit.value);
  const { path, issue } = firstIssue(exit.cause, root);
  return Exit.fail(
    new InvalidMessage({ actor, messageName, path, issue, message: new InvalidMessageError(actor, messageName, path, issue).message }),
  );
}

/**
 * Decodes a payload with `schema` at the receiver; throws `InvalidMessageError` (which
 * crosses the wire with its fields) when it does not match.
 *
 * @example
 * ```ts
 * import { Schema } from "effect";
 * decodeOrThrow(Schema.Number, 1, "Counter#1@w0", "inc", "arg"); // 1
 * ```
 */
export function decodeOrThrow(
  schema: PayloadSchema | undefined,
  value: unknown,
  actor: string,
  messageName: string,
  root: string,
): unknown {
  if (schema === undefined) return value;
  const exit = S.decodeUnknownExit(schema)(value);
  if (Exit.isSuccess(exit)) return exit.value;
  const { path, issue } = firstIssue(exit.cause, root);
  throw new InvalidMessageError(actor, messageName, path, issue);
}

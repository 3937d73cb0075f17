/**
 * Actor definitions: a value exported from a module, carrying the module's URL so any
 * worker can `import()` the same module and find the same definition.
 *
 * Protocol types flow from the handlers: `ActorRef<typeof Counter>` only accepts the
 * handler names of `Counter`, with their argument types, and `ask` resolves to the
 * handler's (awaited) return type.
 *
 * @example
 * ```ts
 * export const Counter = defineActor(import.meta.url, {
 *   init: (start: number) => ({ n: start }),
 *   handlers: {
 *     inc(state, by: number) { state.n += by; },
 *     get(state) { return state.n; },
 *   },
 * });
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import type { ActorContext } from "./context.ts";
import type { ActorRef } from "./ref.ts";
import { type Supervision, supervisionOf, type SupervisionOptions } from "./supervision.ts";

/** What a bounded mailbox does when it is full. */
export type OverflowPolicy = "reject" | "drop-oldest" | "drop-newest" | "wait";

/** A bounded mailbox (see `src/system/flow-control.ts` for how senders are held back). */
export interface MailboxOptions {
  /** Messages the mailbox holds at most (a positive integer). */
  capacity: number;
  /**
   * When full: `wait` (default) — `await ref.send()` waits for room, `tell` throws
   * `MailboxFullError`; `reject` — `tell`, `send` and `ask` fail with `MailboxFullError`;
   * `drop-oldest` / `drop-newest` — the oldest queued / the arriving message becomes a dead
   * letter (senders are never held back).
   */
  overflow?: OverflowPolicy;
}

/** The signal a watcher gets when a watched (or linked) actor has stopped. */
export interface Terminated {
  /** The actor that stopped. */
  actor: ActorRef;
  /** Why, in words ("stopped", "failed: …", "worker 1 exited with code 3", …). */
  reason: string;
  /** False when it stopped because of a failure (this is what links propagate). */
  normal: boolean;
  /** The failure, when there was one. */
  error?: unknown;
}

/** A message handler: `(state, arg, ctx) => reply`. */
// deno-lint-ignore no-explicit-any
export type Handler<S> = (state: S, arg: any, ctx: ActorContext) => unknown;

/** The handlers of an actor whose state is `S`. */
export type Handlers<S> = Record<string, Handler<S>>;

/** What `defineActor` takes. */
export interface ActorSpec<A, S, H extends Handlers<S>> {
  /** Label used in errors and reports (default: the export's name). */
  name?: string;
  /** Creates the state from the spawn argument. May be async; a throw fails the spawn with `ActorInitError`. */
  init: (arg: A, ctx: ActorContext) => S | PromiseLike<S>;
  /** One handler per message name. A handler that returns a value (or a promise) answers asks. */
  handlers: H;
  /** Runs once after `init`, before the first message. */
  onStart?: (state: S, ctx: ActorContext) => void | PromiseLike<void>;
  /**
   * Runs once when shutdown's drain phase begins, as a message in mailbox order (after what
   * is already queued), before the mailboxes drain: e.g. a channel's owner closes it, so
   * that actors reading it in a loop finish instead of holding the drain until its deadline.
   */
  onDrain?: (state: S, ctx: ActorContext) => void | PromiseLike<void>;
  /** Runs once when the actor stops, after its children have stopped. */
  onStop?: (state: S, ctx: ActorContext) => void | PromiseLike<void>;
  /** Runs on the old state before a restart (after the children stopped), with the failure. */
  onRestart?: (state: S, error: unknown, ctx: ActorContext) => void | PromiseLike<void>;
  /** Receives the `Terminated` signal of actors this one watches (`ctx.watch`), in mailbox order. */
  onTerminated?: (state: S, terminated: Terminated, ctx: ActorContext) => void | PromiseLike<void>;
  /** What happens when a handler throws (default: `resume`). */
  supervision?: SupervisionOptions;
  /** Bound the mailbox (default: unbounded). */
  mailbox?: MailboxOptions;
}

const DEFINITION = Symbol.for("missive.definition");

/**
 * A defined actor. Export it from its module: workers find it there by `key`.
 * `H` is the exact type of the handlers object (names, argument and reply types).
 */
export interface ActorDefinition<A = unknown, S = unknown, H = Handlers<S>> {
  readonly [DEFINITION]: true;
  /** URL of the module that defines the actor. */
  readonly url: string;
  /** `url#name`, or `url#handler,names` when unnamed: how a worker finds it among the module's exports. */
  readonly key: string;
  /** Label for errors and reports. */
  readonly name: string;
  /** The spec passed to `defineActor`. */
  readonly spec: ActorSpec<A, S, Handlers<S>>;
  /** Handler names, for runtime checks and error messages. */
  readonly messageNames: readonly string[];
  /**
   * @internal The handlers by name: only the spec's own handlers, so that a message named
   * after an `Object.prototype` member (`constructor`, `toString`, `__proto__`, …) finds none.
   */
  readonly handlerMap: ReadonlyMap<string, Handler<S>>;
  /** @internal What every actor of this definition shares, read from the spec once (see {@link CellTraits}). */
  readonly cellTraits: CellTraits;
}

/**
 * The settings every actor of one definition shares, read from its spec once by
 * {@link defineActor} (its cells point here instead of keeping copies).
 *
 * @example
 * ```ts
 * const { capacity, overflow, counted } = definition.cellTraits; // 8, "wait", true
 * ```
 */
export interface CellTraits {
  readonly supervision: Supervision;
  /** Mailbox capacity (0 = unbounded). */
  readonly capacity: number;
  /** What to do when the mailbox is full. */
  readonly overflow: OverflowPolicy;
  /** True when senders hold credits for the actor (policies `reject` and `wait`). */
  readonly counted: boolean;
}

/** Any definition (use in generic constraints). */
// deno-lint-ignore no-explicit-any
export type AnyDefinition = ActorDefinition<any, any, any>;

/** The handlers of a definition. */
export type HandlersOf<D> = D extends ActorDefinition<infer _A, infer _S, infer H> ? H : never;
/** The spawn argument of a definition. */
export type InitArgOf<D> = D extends ActorDefinition<infer A, infer _S, infer _H> ? A : never;

/** The argument type of a handler (`void` when it takes none). */
export type ArgOf<F> = F extends (state: never, ...rest: infer R) => unknown ? R extends [] ? void
  : R extends [infer X, ...unknown[]] ? X
  : R extends [(infer X)?, ...unknown[]] ? X | undefined
  : void
  : never;

/** The reply type of a handler (its awaited return type). */
// deno-lint-ignore no-explicit-any
export type ReplyOf<F> = F extends (...args: any[]) => infer R ? Awaited<R> : never;

/** True when `T` is `any` (an untyped ref accepts any message). */
export type IsAny<T> = 0 extends 1 & T ? true : false;

/** Message names of a definition (any string for an untyped `ActorRef`). */
export type MessageName<D> = IsAny<D> extends true ? string : keyof HandlersOf<D> & string;

/** The argument list of `tell` for message `K`: empty when the handler takes no argument. */
export type TellArgs<D, K extends MessageName<D>> = IsAny<D> extends true ? [arg?: unknown]
  : [ArgOf<HandlersOf<D>[K & keyof HandlersOf<D>]>] extends [void] ? [arg?: undefined]
  : [arg: ArgOf<HandlersOf<D>[K & keyof HandlersOf<D>]>];

// How many definitions with the same fingerprint a module made so far. Module-level on
// purpose: a test runner that re-evaluates a fixture module also re-evaluates this file,
// so main and worker agree on the numbering.
const seen = new Map<string, number>();

/**
 * Defines an actor. Call it at the top level of a module and export the result.
 *
 * @param url the defining module's `import.meta.url`
 * @example
 * ```ts
 * export const Greeter = defineActor(import.meta.url, {
 *   init: () => ({ greeted: 0 }),
 *   handlers: { greet(state, who: string) { state.greeted++; return `hello ${who}`; } },
 * });
 * ```
 */
// An unconstrained `H` with `handlers: H & Handlers<S>` (rather than `H extends Handlers<S>`)
// lets TypeScript infer S from `init` even when `init` is context-sensitive (an
// unannotated `ctx`), and still type each handler's `state` as S.
export function defineActor<A, S, H>(
  url: string,
  spec: Omit<ActorSpec<A, S, Handlers<S>>, "handlers"> & { handlers: H & Handlers<S> },
): ActorDefinition<A, S, H> {
  if (typeof url !== "string" || !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    throw new InvalidArgumentError(`defineActor needs the module URL first: defineActor(import.meta.url, { … }); got ${String(url)}.`);
  }
  if (typeof spec?.init !== "function") {
    throw new InvalidArgumentError(`defineActor: spec.init must be a function (state from the spawn argument).`);
  }
  if (typeof spec.handlers !== "object" || spec.handlers === null) {
    throw new InvalidArgumentError(`defineActor: spec.handlers must be an object of functions.`);
  }
  const messageNames = Object.keys(spec.handlers);
  const supervision = Object.freeze(supervisionOf(spec.supervision)); // validates now, at definition time
  if (spec.mailbox !== undefined) {
    const { capacity, overflow = "wait" } = spec.mailbox;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidArgumentError(`defineActor: mailbox.capacity must be a positive integer; got ${capacity}.`);
    }
    if (!["reject", "drop-oldest", "drop-newest", "wait"].includes(overflow)) {
      throw new InvalidArgumentError(`defineActor: mailbox.overflow "${overflow}" is not one of reject, drop-oldest, drop-newest, wait.`);
    }
  }
  const capacity = spec.mailbox?.capacity ?? 0;
  const overflow = spec.mailbox?.overflow ?? "wait";
  const cellTraits: CellTraits = Object.freeze({
    supervision,
    capacity,
    overflow,
    counted: capacity > 0 && (overflow === "wait" || overflow === "reject"),
  });
  const handlerMap = new Map<string, Handler<S>>();
  for (const name of messageNames) {
    if (name.startsWith("$")) {
      throw new InvalidArgumentError(`defineActor: handler "${name}": names starting with "$" are reserved; rename it.`);
    }
    const handler = spec.handlers[name];
    if (typeof handler !== "function") throw new InvalidArgumentError(`defineActor: handler "${name}" is not a function.`);
    handlerMap.set(name, handler);
  }
  // The key must be computed identically wherever the module is evaluated: the name if
  // given, else the handler names (two definitions with the same handlers in one module
  // are told apart by their order).
  const fingerprint = `${url}#${spec.name ?? messageNames.join(",")}`;
  const n = seen.get(fingerprint) ?? 0;
  seen.set(fingerprint, n + 1);
  return Object.freeze({
    [DEFINITION]: true as const,
    url,
    key: n === 0 ? fingerprint : `${fingerprint}~${n}`,
    name: spec.name ?? url.slice(url.lastIndexOf("/") + 1).replace(/\.[cm]?[jt]s$/, ""),
    spec,
    messageNames,
    handlerMap,
    cellTraits,
  });
}

/** True for values made by {@link defineActor}. */
export function isDefinition(value: unknown): value is AnyDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[DEFINITION] === true;
}

/**
 * Finds the definition with `key` among a module's exports, and its export name.
 * Returns `undefined` when the module does not export it.
 */
export function findExported(
  moduleNamespace: Record<string, unknown>,
  key: string,
): { definition: AnyDefinition; exportName: string } | undefined {
  for (const exportName of Object.keys(moduleNamespace)) {
    const value = moduleNamespace[exportName];
    if (isDefinition(value) && value.key === key) return { definition: value, exportName };
  }
  return undefined;
}

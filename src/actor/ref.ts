/**
 * `ActorRef<D>`: the typed, serializable handle to an actor. Send it inside messages;
 * it works from any worker and from the main loop.
 *
 * @example
 * ```ts
 * const counter: ActorRef<typeof Counter> = await system.spawn(Counter, 0);
 * counter.tell("inc", 2);
 * const n = await counter.ask("get");           // number
 * await counter.flush();                        // every earlier tell was processed
 * ```
 * @module
 */
import type { AnyDefinition, HandlersOf, IsAny, MessageName, ReplyOf, TellArgs } from "./definition.ts";
import { LOOP_SPAN } from "../wire/envelope.ts";
import { checkMessageName, checkOptions, checkSignal, checkTimeout } from "./validate.ts";

/** Options of `ask` and `flush`. */
export interface AskOptions {
  /**
   * Milliseconds to wait for the reply before rejecting with `AskTimeoutError` (default: the
   * system's `askTimeout`; `Infinity` for none). `0` has already expired: the ask rejects
   * with `AskTimeoutError` and nothing is sent. Negative or `NaN` throws `InvalidArgumentError`.
   */
  timeout?: number;
  /** Aborting rejects the ask with the signal's reason; a reply that comes later is dropped and counted. */
  signal?: AbortSignal;
}

/** Options of `send`. */
export interface SendOptions {
  /** Aborting a wait for mailbox room rejects with the signal's reason; the message is then not sent. */
  signal?: AbortSignal;
}

/** The argument list of `send` for message `K`: the message argument, then options. */
export type SendArgs<D, K extends MessageName<D>> = [...TellArgs<D, K>, options?: SendOptions];

/** What `ask` resolves with for message `K` (`any` for an untyped ref). */
// deno-lint-ignore no-explicit-any
export type AskReply<D, K extends MessageName<D>> = IsAny<D> extends true ? any : ReplyOf<HandlersOf<D>[K & keyof HandlersOf<D>]>;

/** The argument list of `ask` for message `K`: the message argument, then options. */
export type AskArgs<D, K extends MessageName<D>> = [...TellArgs<D, K>, options?: AskOptions];

/** What a ref needs from the loop it lives in (implemented by the loop). */
export interface RefHost {
  tell(ref: ActorRef, name: string, arg: unknown): void;
  send(ref: ActorRef, name: string, arg: unknown, options: SendOptions | undefined): Promise<void>;
  ask(ref: ActorRef, name: string, arg: unknown, options: AskOptions | undefined): Promise<unknown>;
  flush(ref: ActorRef, options: AskOptions | undefined): Promise<void>;
}

/** A typed reference to an actor of definition `D`. */
// deno-lint-ignore no-explicit-any
export class ActorRef<D extends AnyDefinition = any> {
  readonly #host: RefHost;
  /** Options every ask, flush and send through this ref starts from (see {@link with}). */
  readonly #defaults: AskOptions | undefined;
  /** The actor's address: `localId * 1024 + loop` (see `src/wire/envelope.ts`). */
  readonly address: number;
  /** Id of the node (process) the actor lives on; 0 until a multi-node transport exists. */
  readonly node: number;
  /** Human-readable label used in errors and reports, e.g. `Counter#3@w1` or the actor's name. */
  readonly label: string;
  /** Capacity of the actor's mailbox when senders are held back by credits (`reject`/`wait`); 0 otherwise. */
  readonly capacity: number;
  /** The bounded mailbox's policy when senders are held back by credits, else `null`. */
  readonly overflow: "wait" | "reject" | null;

  /**
   * @internal refs are made by the system; use `spawn` or `lookup`. `flow` is the mailbox
   * bound as it travels on the wire: `capacity` for `wait`, `-capacity` for `reject`, 0 for none.
   */
  constructor(host: RefHost, node: number, address: number, label: string, flow = 0, defaults?: AskOptions) {
    this.#host = host;
    this.#defaults = defaults;
    this.node = node;
    this.address = address;
    this.label = label;
    this.capacity = Math.abs(flow);
    this.overflow = flow > 0 ? "wait" : flow < 0 ? "reject" : null;
    Object.freeze(this); // immutable: a ref may be shared as it is (see `shareableOn`)
  }

  /**
   * @internal True when `value` is a ref that a message to an actor on `host`'s own loop
   * may carry as it is, with no copy: refs are frozen, and a copy would be the same (it
   * sends through `host` and has no {@link with} defaults, which do not travel). A brand
   * check, so a revoked proxy is just not a ref here (the codec then says why it fails).
   */
  static shareableOn(value: unknown, host: RefHost): boolean {
    return typeof value === "object" && value !== null && #host in value && value.#host === host && value.#defaults === undefined;
  }

  /** @internal the mailbox bound in its wire form (see the constructor). */
  get flow(): number {
    return this.overflow === "reject" ? -this.capacity : this.capacity;
  }

  /** Index of the worker the actor runs on (0-based). */
  get worker(): number {
    return (this.address % LOOP_SPAN) - 1;
  }

  /**
   * Sends a message without waiting (FIFO per sender–receiver pair). Throws
   * `MessageEncodeError` for payloads that cannot cross a worker boundary and
   * `SystemStoppedError` once shutdown has begun.
   */
  tell<K extends MessageName<D>>(name: K, ...args: TellArgs<D, K>): void {
    checkMessageName(name);
    this.#host.tell(this, name, args[0]);
  }

  /**
   * Sends a message, waiting for room first when the actor has a bounded mailbox with the
   * `wait` policy (FIFO among waiting senders; cancel with `signal`). Resolves once the
   * message is sent — not processed (use `flush` or `ask` for that).
   */
  send<K extends MessageName<D>>(name: K, ...args: SendArgs<D, K>): Promise<void> {
    const options = this.#withDefaults(args[1] as SendOptions | undefined);
    try {
      checkMessageName(name);
      checkOptions("send options", options);
      checkSignal("send option signal", options?.signal);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#host.send(this, name, args[0], options);
  }

  /** Sends a message and resolves with the handler's return value (or rejects with its error). */
  ask<K extends MessageName<D>>(name: K, ...args: AskArgs<D, K>): Promise<AskReply<D, K>> {
    const options = this.#withDefaults(args[1] as AskOptions | undefined);
    try {
      checkMessageName(name);
      checkAskOptions("ask", options);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#host.ask(this, name, args[0], options) as Promise<AskReply<D, K>>;
  }

  /**
   * Resolves once every message this sender sent to the actor before the call has been
   * processed: the acknowledgement that replaces sleeps.
   */
  flush(options?: AskOptions): Promise<void> {
    options = this.#withDefaults(options);
    try {
      checkAskOptions("flush", options);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#host.flush(this, options);
  }

  /**
   * The same actor, through a ref whose asks, flushes and sends start from `options`
   * (explicit options still win): no `undefined` placeholder for messages without an argument.
   *
   * @example
   * ```ts
   * const quick = counter.with({ timeout: 100 });
   * const n = await quick.ask("get");   // AskTimeoutError after 100 ms
   * ```
   */
  with(options: AskOptions): ActorRef<D> {
    checkAskOptions("with", options);
    return new ActorRef<D>(this.#host, this.node, this.address, this.label, this.flow, { ...this.#defaults, ...options });
  }

  #withDefaults<O extends AskOptions | SendOptions>(options: O | undefined): O | undefined {
    if (this.#defaults === undefined || (options !== undefined && (typeof options !== "object" || options === null))) return options;
    return { ...this.#defaults, ...options } as O;
  }

  /** Same actor? */
  equals(other: ActorRef<AnyDefinition> | undefined): boolean {
    return other !== undefined && other.address === this.address && other.node === this.node;
  }

  toString(): string {
    return `ActorRef(${this.label})`;
  }
}

function checkAskOptions(what: string, options: AskOptions | undefined): void {
  checkOptions(`${what} options`, options);
  checkTimeout(`${what} option timeout`, options?.timeout);
  checkSignal(`${what} option signal`, options?.signal);
}

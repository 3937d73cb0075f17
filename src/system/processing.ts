/**
 * Running actors' handlers on one loop: the next message of an actor (its handler, or a
 * framework signal: `$flush`, `$terminated`, `$drain`), what the handler returns or throws
 * (the reply, the failure and its supervision), and the loop-level requests addressed to
 * the loop itself (actor number 0).
 *
 * @example
 * ```ts
 * const processor = new Processor(loop);
 * declare const others: Omit<DispatchHost, "processNext">; // inbound frames, slice ends, idling
 * // As the loop does: the dispatcher picks the actor and the moment; the processor runs the message.
 * const dispatcher = new Dispatcher({ ...others, processNext: (cell) => processor.processNext(cell) }, loop.options, setImmediate);
 * ```
 * @module
 */
import type { ActorCell } from "../actor/cell.ts";
import type { ActorContext } from "../actor/context.ts";
import type { Dispatcher } from "../actor/dispatcher.ts";
import { UnknownMessageError } from "../errors.ts";
import { isThenable } from "../util/thenable.ts";
import { type Envelope, Kind, SystemMessage } from "../wire/envelope.ts";
import type { Delivery } from "./delivery.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { LogEvent } from "./log.ts";
import type { LoopOps } from "./ops.ts";

/** What processing needs from its loop (`Loop` implements it). */
export interface ProcessorHost {
  readonly name: string;
  readonly ops: LoopOps;
  readonly delivery: Delivery;
  readonly dispatcher: Dispatcher;
  readonly lifecycle: Pick<Lifecycle, "terminatedSignal" | "failed" | "continueStop">;
  processed: number;
  failures: number;
  reply(env: Envelope, value: unknown): void;
  fail(env: Envelope, error: unknown): void;
  log(event: LogEvent): void;
  beginWork(): void;
  endWork(): void;
}

type Handler = (state: unknown, arg: unknown, ctx: ActorContext) => unknown;

export class Processor {
  readonly #host: ProcessorHost;
  #current: ActorCell | null = null;
  /**
   * The last handler found, with its definition's handler map and its name: mail comes in
   * runs of one name to one kind of actor, and comparing two strings (the reader hands out
   * the same string for a repeated name) costs less than a `Map` lookup per message. The
   * maps never change once defined; only handlers that exist are remembered.
   */
  #lastHandlers: ReadonlyMap<string, unknown> | null = null;
  #lastName = "";
  #lastHandler: Handler | undefined = undefined;

  constructor(host: ProcessorHost) {
    this.#host = host;
  }

  /** The actor whose handler is running right now (its synchronous part), if any. */
  get current(): ActorCell | null {
    return this.#current;
  }

  /** Runs the loop-level request `env` (addressed to actor 0 of this loop). */
  runOp(env: Envelope): void {
    const host = this.#host;
    const op = host.ops.get(env[4] ?? "");
    const isAsk = (env[0] & 7) === Kind.Ask;
    if (op === undefined) {
      if (isAsk) host.fail(env, new UnknownMessageError(host.name, env[4] ?? "", host.ops.names()));
      else host.delivery.record({ address: env[1], target: host.name, name: env[4], arg: env[5], reason: "no-handler", count: 1 });
      return;
    }
    let result: unknown;
    try {
      result = op(env[5], env);
    } catch (e) {
      if (isAsk) host.fail(env, e);
      else host.log({ level: "error", source: host.name, message: `request "${env[4]}" failed`, error: e });
      return;
    }
    if (!isAsk) return;
    if (isThenable(result)) {
      // Busy until the reply is written: an idle report sent in between would not count
      // the reply, and shutdown's quiescence check would wait for it until its deadline.
      host.beginWork();
      Promise.resolve(result).then((v) => host.reply(env, v), (e) => host.fail(env, e)).finally(() => host.endWork());
    } else host.reply(env, result);
  }

  processNext(cell: ActorCell): void {
    const host = this.#host;
    const delivery = host.delivery;
    const env = cell.mailbox.shift()!;
    delivery.creditBack(env);
    delivery.take(env); // the message being processed counts as processed if the worker dies now
    const name = env[4]!;
    let handler: Handler | undefined;
    let arg = env[5];
    if (name === SystemMessage.Flush) {
      if ((env[0] & 7) === Kind.Ask) host.reply(env, undefined);
      return;
    } else if (name === SystemMessage.Terminated) {
      const signal = host.lifecycle.terminatedSignal(cell, env);
      if (signal === undefined) {
        // Not the framework's signal (only loops send `$…` names; refs refuse them): never a crash.
        delivery.deadLetter(env, cell.label, "no-handler", new UnknownMessageError(cell.label, name, cell.definition.messageNames));
        return;
      }
      if (signal === null) return;
      handler = cell.definition.spec.onTerminated as typeof handler;
      if (handler === undefined) return;
      arg = signal;
    } else if (name === SystemMessage.Drain) {
      const onDrain = cell.definition.spec.onDrain;
      if (onDrain === undefined) return;
      handler = (state, _arg, ctx) => onDrain(state, ctx);
    } else {
      const handlers = cell.definition.handlerMap;
      if (name === this.#lastName && handlers === this.#lastHandlers) handler = this.#lastHandler;
      else {
        handler = handlers.get(name) as Handler | undefined;
        if (handler !== undefined) {
          this.#lastHandlers = handlers;
          this.#lastName = name;
          this.#lastHandler = handler;
        }
      }
      if (handler === undefined) {
        host.failures++;
        const error = new UnknownMessageError(cell.label, name, cell.definition.messageNames);
        delivery.deadLetter(env, cell.label, "no-handler", error);
        if ((env[0] & 7) !== Kind.Ask) {
          host.log({ level: "warn", source: cell.label, message: `no handler for "${name}" (a no-handler dead letter)`, error });
        }
        return;
      }
    }
    cell.sender = env[2];
    cell.currentEnv = env;
    this.#current = cell;
    let result: unknown;
    try {
      result = handler(cell.state, arg, cell.ctx);
    } catch (e) {
      this.#current = null;
      cell.currentEnv = null;
      this.#finish(cell, env, false, e);
      return;
    }
    this.#current = null;
    // Only the handler's synchronous part reads it (ctx.deferReply): an idle actor keeps
    // no message alive.
    cell.currentEnv = null;
    if (isThenable(result)) {
      this.#awaitResult(cell, env, result);
      return;
    }
    this.#finish(cell, env, true, result);
  }

  /**
   * An async handler's result: the actor is busy until it settles. Its own method, so that
   * the callbacks capture `cell` and `env` here: captured by closures in {@link processNext},
   * they made V8 allocate a context there for every message (56 bytes, a fifth of what a
   * received tell allocated on the worker).
   */
  #awaitResult(cell: ActorCell, env: Envelope, result: PromiseLike<unknown>): void {
    cell.busy = true;
    this.#host.beginWork();
    Promise.resolve(result).then(
      (v) => this.#settleAsync(cell, env, true, v),
      (e) => this.#settleAsync(cell, env, false, e),
    );
  }

  #settleAsync(cell: ActorCell, env: Envelope, ok: boolean, value: unknown): void {
    const host = this.#host;
    cell.busy = false;
    this.#finish(cell, env, ok, value);
    host.dispatcher.enqueue(cell);
    host.endWork();
  }

  #finish(cell: ActorCell, env: Envelope, ok: boolean, value: unknown): void {
    const host = this.#host;
    cell.processed++;
    host.processed++;
    const deferred = cell.deferredEnv === env;
    if (deferred) cell.deferredEnv = null;
    const isAsk = (env[0] & 7) === Kind.Ask && !deferred;
    if (ok) {
      if (isAsk) host.reply(env, value);
    } else {
      host.failures++;
      if (isAsk) host.fail(env, value);
      host.lifecycle.failed(cell, value, isAsk ? null : env[4]);
    }
    host.lifecycle.continueStop(cell);
  }
}

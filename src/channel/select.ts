/**
 * `select`: wait on several channel gets and puts (and actors' replies) and complete
 * exactly one — Go's `select`, Erlang's `receive … after`, Calispel's `pri-alt` /
 * `fair-alt`.
 *
 * ## How exactly one case completes across several owners
 * Owners live on different workers, so there is no lock to take over all of them (as Go
 * takes the channels' locks). Instead every case can be **undone until the select
 * commits**:
 * - a get case is a cancellable get with a key: a losing get that already received an
 *   item is cancelled, and its owner returns the item to the front of its buffer (the
 *   same protocol as a cancelled `get`, see `channel.ts`);
 * - a put case is an **offer**: its owner only *tentatively* accepts it (reserving a
 *   buffer slot or a waiting getter) and answers `Tentative`; the value enters the
 *   channel only when the select sends `confirm`. A losing offer is declined with
 *   `cancel`, so a value is never put by a select that chose another case.
 * - an ask case (a pending promise, e.g. `ref.ask(…)`) cannot be undone: when another
 *   case wins, the ask still runs and its promise is still yours.
 *
 * ## Priority and fairness
 * 1. **Poll**: every case is tried at once without waiting (one parallel round trip).
 *    Of those ready, the first in priority order wins — the order of `cases`, or, with
 *    `fair: true`, the same order rotated to a random start (so no case starves). The
 *    other ready ones are undone.
 * 2. **Wait**: if none was ready, every case waits at its owner; the first to complete
 *    wins and the others are cancelled. Once blocked, cases become ready one at a time,
 *    so arrival order is the only order there is (as in Go).
 *
 * A closed channel completes its case at once (`closed: true`): a get case gets no value,
 * a put case's value was not sent. `signal` and `timeout` cancel every case; the select
 * then rejects with the reason or `WaitTimeoutError`.
 *
 * @example
 * ```ts
 * const r = await select([{ get: jobs }, { put: results, value: done }, ref.ask("status")], { timeout: 1_000 });
 * if (r.index === 0 && !r.closed) handle(r.value);
 * ```
 * @module
 */
import { ActorStoppedError, InvalidArgumentError } from "../errors.ts";
import type { Channel } from "./channel.ts";
import { type GetReply, PutMode, type PutReply, Reply } from "./protocol.ts";
import { Cancellation, ignore, newKey, NO_TIMEOUT, type WaitOptions } from "./waits.ts";

/**
 * A case that takes an item from `get`.
 *
 * @example
 * ```ts
 * await select([{ get: jobs }]);
 * ```
 */
export interface GetCase<T> {
  readonly get: Channel<T>;
}

/**
 * A case that puts `value` into `put`.
 *
 * @example
 * ```ts
 * await select([{ put: results, value: 42 }]);
 * ```
 */
export interface PutCase<T> {
  readonly put: Channel<T>;
  readonly value: T;
}

/**
 * One case of a select: a get, a put, or a pending reply (any promise, e.g. `ref.ask(…)`).
 *
 * @example
 * ```ts
 * const cases: SelectCase[] = [{ get: a }, { put: b, value: 1 }, ref.ask("status")];
 * ```
 */
// deno-lint-ignore no-explicit-any
export type SelectCase = GetCase<any> | PutCase<any> | PromiseLike<unknown>;

/**
 * Options of {@link select}.
 *
 * @example
 * ```ts
 * await select([{ get: a }, { get: b }], { fair: true, timeout: 1_000 });
 * ```
 */
export interface SelectOptions extends WaitOptions {
  /** Among cases ready at once, pick from a random start instead of the first (default false). */
  fair?: boolean;
}

/**
 * The value a case completes with: the item, the put's value, or the reply.
 *
 * @example
 * ```ts
 * type V = CaseValue<GetCase<number>>; // number
 * ```
 */
export type CaseValue<C> = C extends GetCase<infer T> ? T : C extends PutCase<infer T> ? T : C extends PromiseLike<infer R> ? R : never;

/**
 * Which case won: for a literal list of cases, a union over them, so `if (r.index === 1)`
 * narrows `value`;
 * `closed` is true when the case's channel was closed (a get case then has no value; a
 * put case's value was not sent).
 *
 * @example
 * ```ts
 * const r = await select([{ get: numbers }, ref.ask("status")]);
 * if (r.index === 0 && !r.closed) r.value; // a number
 * ```
 */
export type SelectResult<C extends readonly SelectCase[]> = number extends C["length"]
  ? { index: number; value: CaseValue<C[number]>; closed: boolean } // an array built at run time
  : { [K in keyof C]: K extends `${infer I extends number}` ? { index: I; value: CaseValue<C[K]>; closed: boolean } : never }[number];

type Kind = "get" | "put" | "ask";
type Outcome = { ready: false } | { ready: true; closed: boolean; value: unknown };

const isGet = (c: SelectCase): c is GetCase<unknown> => typeof c === "object" && c !== null && "get" in c;
const isPut = (c: SelectCase): c is PutCase<unknown> => typeof c === "object" && c !== null && "put" in c;

/** A case on its way: its key at the owner, and how to read and settle its replies. */
class Arm {
  readonly index: number;
  readonly kind: Kind;
  readonly key: string;
  readonly #case: SelectCase;
  /** For ask cases: how the promise settled, once it has. */
  asked: { ok: boolean; value: unknown } | null = null;

  constructor(index: number, c: SelectCase) {
    this.index = index;
    this.#case = c;
    this.kind = isGet(c) ? "get" : isPut(c) ? "put" : "ask";
    this.key = newKey();
    if (this.kind === "ask") {
      Promise.resolve(c as PromiseLike<unknown>).then(
        (value) => (this.asked = { ok: true, value }),
        (value) => (this.asked = { ok: false, value }),
      );
    }
  }

  get #channel(): Channel<unknown> {
    return isGet(this.#case) ? this.#case.get : (this.#case as PutCase<unknown>).put;
  }

  /** Sends the case to its owner (`wait`: queue there; else only if ready now). */
  send(wait: boolean): Promise<GetReply | PutReply> {
    const owner = this.#channel.owner;
    const reply = this.kind === "get" ? owner.ask("get", [this.key, wait], NO_TIMEOUT) : owner.ask(
      "put",
      [(this.#case as PutCase<unknown>).value, this.key, PutMode.Offer | (wait ? PutMode.Wait : PutMode.Try)],
      NO_TIMEOUT,
    );
    return (reply as Promise<unknown> as Promise<GetReply | PutReply>).catch((e: unknown) => {
      if (e instanceof ActorStoppedError) return [Reply.Closed, e] as GetReply;
      throw e;
    });
  }

  /** What a reply means for this case. */
  outcome(reply: GetReply | PutReply): Outcome {
    switch (reply[0]) {
      case Reply.Item: // also Accepted: offers are never accepted outright
        return { ready: true, closed: false, value: this.kind === "get" ? reply[1] : (this.#case as PutCase<unknown>).value };
      case Reply.Tentative:
        return { ready: true, closed: false, value: (this.#case as PutCase<unknown>).value };
      case Reply.Closed:
        return { ready: true, closed: true, value: this.kind === "put" ? (this.#case as PutCase<unknown>).value : undefined };
      default:
        return { ready: false };
    }
  }

  /** This case won: keep the item (`ack`) or commit the offer (`confirm`). */
  commit(reply: GetReply | PutReply): void {
    if (reply[0] === Reply.Item && this.kind === "get") this.#tell("ack");
    else if (reply[0] === Reply.Tentative) this.#tell("confirm");
  }

  /** This case lost: withdraw the waiter, return the item, or decline the offer. */
  undo(): void {
    if (this.kind !== "ask") this.#tell("cancel");
  }

  #tell(name: "ack" | "confirm" | "cancel"): void {
    try {
      this.#channel.owner.tell(name, this.key);
    } catch {
      // shutting down: the owner stops and answers every waiter
    }
  }
}

/**
 * Completes exactly one of `cases` and says which (see the module docs for the rules).
 *
 * @example
 * ```ts
 * const r = await select([{ get: urgent }, { get: normal }]);          // urgent first when both have items
 * const s = await select([{ get: a }, { get: b }], { fair: true });    // no starvation
 * const t = await select([{ put: out, value: x }, reply], { signal }); // a put or an actor's reply
 * ```
 */
export async function select<const C extends readonly SelectCase[]>(cases: C, options: SelectOptions = {}): Promise<SelectResult<C>> {
  if (!Array.isArray(cases) || cases.length === 0) {
    throw new InvalidArgumentError("select needs at least one case: { get: ch }, { put: ch, value } or a pending ask.");
  }
  for (const c of cases) {
    if (!isGet(c) && !isPut(c) && typeof (c as PromiseLike<unknown>)?.then !== "function") {
      throw new InvalidArgumentError(`select: ${String(c)} is not a case; use { get: ch }, { put: ch, value } or a promise.`);
    }
  }
  const cancellation = new Cancellation(options, "select");
  if (cancellation.cancelled) throw cancellation.reason;
  const arms = cases.map((c, i) => new Arm(i, c));
  const start = options.fair ? Math.floor(Math.random() * arms.length) : 0;
  const order = arms.map((_, i) => arms[(start + i) % arms.length]!);
  const result = (arm: Arm, outcome: Outcome & { ready: true }) =>
    ({ index: arm.index, value: outcome.value, closed: outcome.closed }) as SelectResult<C>;
  try {
    // 1. Poll every case at once; the first ready one in priority order wins.
    const replies = new Map<Arm, GetReply | PutReply>();
    const polled = Promise.all(arms.map(async (arm) => {
      if (arm.kind !== "ask") replies.set(arm, await arm.send(false));
    }));
    polled.catch(ignore);
    const cancelled = new Promise<never>((_, reject) => cancellation.onCancel(reject));
    cancelled.catch(ignore);
    try {
      await Promise.race([polled, cancelled]);
    } catch (e) {
      // The owners see each poll before its cancel (FIFO), so this undoes whatever they did.
      for (const arm of arms) arm.undo();
      throw e;
    }
    const ready = (arm: Arm): Outcome =>
      arm.kind === "ask"
        ? (arm.asked === null ? { ready: false } : { ready: true, closed: false, value: arm.asked.value })
        : arm.outcome(replies.get(arm)!);
    const winner = order.find((arm) => ready(arm).ready);
    if (winner !== undefined) {
      for (const arm of arms) if (arm !== winner && arm.kind !== "ask" && ready(arm).ready) arm.undo();
      const outcome = ready(winner) as Outcome & { ready: true };
      if (winner.kind === "ask") {
        if (!winner.asked!.ok) throw winner.asked!.value;
      } else winner.commit(replies.get(winner)!);
      return result(winner, outcome);
    }
    // 2. Nothing was ready: wait on every case; the first to complete wins.
    return await new Promise<SelectResult<C>>((resolve, reject) => {
      let done = false;
      const finish = (winner: Arm | null): void => {
        done = true;
        cancellation[Symbol.dispose]();
        for (const arm of arms) if (arm !== winner) arm.undo();
      };
      cancellation.onCancel((reason) => {
        if (done) return;
        finish(null);
        reject(reason);
      });
      for (const arm of arms) {
        if (arm.kind === "ask") {
          Promise.resolve(cases[arm.index] as PromiseLike<unknown>).then(
            (value) => {
              if (done) return;
              finish(arm);
              resolve(result(arm, { ready: true, closed: false, value }));
            },
            (e) => {
              if (done) return;
              finish(arm);
              reject(e);
            },
          );
          continue;
        }
        arm.send(true).then(
          (reply) => {
            if (done) return; // lost: `undo` already told the owner
            const outcome = arm.outcome(reply);
            if (!outcome.ready) return;
            finish(arm);
            arm.commit(reply);
            resolve(result(arm, outcome));
          },
          (e) => {
            if (done) return;
            finish(null);
            reject(e);
          },
        );
      }
    });
  } finally {
    cancellation[Symbol.dispose]();
  }
}

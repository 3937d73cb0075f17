/**
 * Scatter-gather (Akka's aggregator pattern, Enterprise Integration Patterns'
 * scatter-gather): ask N actors the same question at once and collect the answers until
 * all have answered, a deadline passes, or you have enough — with partial results.
 *
 * Exactly once: each ask is sent once, and each ref lands in exactly one of `replies`,
 * `failures` (its handler threw, or it stopped) and `missing` (no answer in time); an
 * answer that comes later is dropped (and counted as a late reply by the system).
 *
 * @example
 * ```ts
 * const quotes = await scatterGather(workers, "quote", "EURUSD", { deadline: 200 });
 * const best = Math.min(...quotes.replies.map((r) => r.value as number));
 * console.log(quotes.complete ? "all answered" : `${quotes.missing.length} too slow`);
 * ```
 * @module
 */
import {
  type ActorRef,
  type AnyDefinition,
  AskTimeoutError,
  type HandlersOf,
  InvalidArgumentError,
  type IsAny,
  type MessageName,
  type ReplyOf,
  type TellArgs,
} from "../mod.ts";
import { checkAbortSignal, checkObject } from "./errors.ts";

/**
 * What `scatterGather` resolves with for an ask whose reply is `R`.
 *
 * @example
 * ```ts
 * const got: Gathered<typeof Counter, number> = await scatterGather([counter], "get");
 * for (const { ref, error } of got.failures) console.log(ref.label, error);
 * ```
 */
export interface Gathered<D extends AnyDefinition, R> {
  /** The answers, in the order they arrived. */
  replies: { ref: ActorRef<D>; value: R }[];
  /** Refs whose ask failed: the handler threw or rejected, the actor stopped, the mailbox refused it. */
  failures: { ref: ActorRef<D>; error: unknown }[];
  /** Refs that had not answered when the gather ended (deadline, `enough`, or the system's ask timeout). */
  missing: ActorRef<D>[];
  /** True when every ref answered (a reply or a failure). */
  complete: boolean;
}

/**
 * Options of {@link scatterGather}.
 *
 * @example
 * ```ts
 * const options: GatherOptions<number> = { deadline: 250, enough: (replies) => replies.length >= 2, signal };
 * ```
 */
export interface GatherOptions<R> {
  /**
   * Milliseconds to wait for answers; what has not answered by then is `missing`
   * (default: none — each ask's own timeout, the system's `askTimeout`, applies). `0` has
   * already passed: nothing is sent, every ref is missing.
   */
  deadline?: number;
  /** Ends the gather early once this returns true (called after each reply). */
  enough?: (replies: readonly R[]) => boolean;
  /** Aborting rejects with the signal's reason; answers that come later are dropped. */
  signal?: AbortSignal;
}

/** The reply type of message `K` of `D` (`any` for untyped refs). */
// deno-lint-ignore no-explicit-any
type Reply<D, K> = IsAny<D> extends true ? any : ReplyOf<HandlersOf<D>[K & keyof HandlersOf<D>]>;

/**
 * Asks every ref in `refs` message `name` with the same argument, and gathers the answers.
 * Resolves when all have answered, the `deadline` passed or `enough` said so; rejects only
 * for bad options, an aborted `signal`, or an `enough` that throws.
 *
 * @example
 * ```ts
 * const { replies, missing } = await scatterGather([counter, counter2], "get", undefined, { deadline: 100 });
 * const total = replies.reduce((sum, r) => sum + r.value, 0); // r.value: number
 * // inside a handler, without holding the actor: const d = ctx.deferReply(); scatterGather(…).then(d.resolve, d.reject);
 * ```
 */
export async function scatterGather<D extends AnyDefinition, K extends MessageName<D>>(
  refs: Iterable<ActorRef<D>>,
  name: K,
  ...args: [...TellArgs<D, K>, options?: GatherOptions<Reply<D, K>>]
): Promise<Gathered<D, Reply<D, K>>> {
  type R = Reply<D, K>;
  const targets = [...refs];
  const arg = args[0];
  const options = args[1] as GatherOptions<R> | undefined;
  checkObject("scatterGather options", options);
  const { deadline = Infinity, enough, signal } = options ?? {};
  if (typeof deadline !== "number" || Number.isNaN(deadline) || deadline < 0) {
    throw new InvalidArgumentError(
      `scatterGather option deadline must be a number of milliseconds ≥ 0 (or Infinity); got ${String(deadline)}.`,
    );
  }
  if (enough !== undefined && typeof enough !== "function") {
    throw new InvalidArgumentError("scatterGather option enough must be a function.");
  }
  checkAbortSignal("scatterGather option signal", signal);
  signal?.throwIfAborted();

  const result: Gathered<D, R> = { replies: [], failures: [], missing: [], complete: false };
  const settled = new Array<boolean>(targets.length).fill(false);
  if (deadline === 0 || targets.length === 0) {
    result.missing = targets;
    result.complete = targets.length === 0;
    return result;
  }

  const stop = new AbortController(); // ends the asks still out when the gather ends
  const { promise, resolve, reject } = Promise.withResolvers<Gathered<D, R>>();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    result.missing = targets.filter((_, i) => !settled[i]);
    result.complete = result.missing.length === 0;
    stop.abort(new Error("scatterGather ended"));
    resolve(result);
  };
  const fail = (reason: unknown) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    stop.abort(reason);
    reject(reason);
  };
  const onAbort = () => fail(signal!.reason);
  const timer = Number.isFinite(deadline) ? setTimeout(finish, deadline) : undefined;
  signal?.addEventListener("abort", onAbort, { once: true });

  const askOptions = Number.isFinite(deadline) ? { signal: stop.signal, timeout: Infinity } : { signal: stop.signal };
  let outstanding = targets.length; // asks not settled in any way yet (timeouts included)
  const settle = () => {
    if (--outstanding === 0) finish();
  };
  targets.forEach((ref, i) => {
    const asked: Promise<R> = (ref as ActorRef).ask(name, arg, askOptions);
    asked.then(
      (value) => {
        if (!done) {
          settled[i] = true;
          result.replies.push({ ref, value });
          try {
            if (enough?.(result.replies.map((r) => r.value))) finish();
          } catch (e) {
            fail(e); // a throwing `enough` rejects the gather (never an unhandled rejection)
          }
        }
        settle();
      },
      (error: unknown) => {
        // An ask that timed out has no answer: it stays missing.
        if (!done && !(error instanceof AskTimeoutError)) {
          settled[i] = true;
          result.failures.push({ ref, error });
        }
        settle();
      },
    );
  });
  return await promise;
}

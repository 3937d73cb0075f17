/**
 * Supervision: what happens to an actor whose handler throws (or rejects), as in
 * Erlang/OTP supervisors and Akka's `Behaviors.supervise`.
 *
 * - `resume` (default): keep the state and go on with the next message. The failing
 *   ask still gets the error (as an Orleans grain call would): the caller decides.
 * - `restart`: stop the actor's children, run `onRestart(state, error)`, wait for the
 *   backoff, then build a fresh state with `init(originalArg)` and run `onStart`. The
 *   mailbox is kept. More than `maxRestarts` restarts within `withinMs` stop the actor.
 * - `stop`: stop the actor (children first, then `onStop`); watchers are told why.
 * - `escalate`: stop the actor and fail its parent with the same error, so the parent's
 *   own strategy decides (a top-level actor that escalates is stopped).
 *
 * Backoff is exponential with jitter: `min(maxMs, minMs × factor^(n-1)) × (1 ± jitter)`.
 * It is computed here rather than with an effect `Schedule`: a worker should not load
 * the effect runtime to compute one delay, and the formula is the same.
 *
 * @example
 * ```ts
 * export const Flaky = defineActor(import.meta.url, {
 *   init: () => ({ n: 0 }),
 *   supervision: { strategy: "restart", maxRestarts: 3, withinMs: 10_000, backoff: { minMs: 10, maxMs: 1_000 } },
 *   handlers: { work(state) { if (Math.random() < 0.1) throw new Error("flaky"); state.n++; } },
 * });
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";

/** What to do when a handler fails. */
export type SupervisionStrategy = "resume" | "restart" | "stop" | "escalate";

/** Exponential backoff between restarts. */
export interface BackoffOptions {
  /** Delay before the first restart, ms (default 10). */
  minMs?: number;
  /** Upper bound of the delay, ms (default 1 000). */
  maxMs?: number;
  /** Growth per restart (default 2). */
  factor?: number;
  /** Random spread, 0..1, applied as ×(1 ± jitter) (default 0.2). */
  jitter?: number;
}

/** Supervision of one actor definition. */
export interface SupervisionOptions {
  /** Default `resume`. */
  strategy?: SupervisionStrategy;
  /** Restarts allowed within `withinMs` before the actor is stopped instead (default 10). */
  maxRestarts?: number;
  /** Window for `maxRestarts`, ms (default 60 000). */
  withinMs?: number;
  /** Spacing of restarts. */
  backoff?: BackoffOptions;
}

/** Supervision with every default filled in. */
export interface Supervision {
  strategy: SupervisionStrategy;
  maxRestarts: number;
  withinMs: number;
  backoff: Required<BackoffOptions>;
}

const STRATEGIES: readonly SupervisionStrategy[] = ["resume", "restart", "stop", "escalate"];

/** Validates options and fills in the defaults. */
export function supervisionOf(options: SupervisionOptions | undefined): Supervision {
  const strategy = options?.strategy ?? "resume";
  if (!STRATEGIES.includes(strategy)) {
    throw new InvalidArgumentError(`supervision.strategy "${strategy}" is not one of ${STRATEGIES.join(", ")}.`);
  }
  const s: Supervision = {
    strategy,
    maxRestarts: options?.maxRestarts ?? 10,
    withinMs: options?.withinMs ?? 60_000,
    backoff: {
      minMs: options?.backoff?.minMs ?? 10,
      maxMs: options?.backoff?.maxMs ?? 1_000,
      factor: options?.backoff?.factor ?? 2,
      jitter: options?.backoff?.jitter ?? 0.2,
    },
  };
  const nonNegative = {
    maxRestarts: s.maxRestarts,
    withinMs: s.withinMs,
    "backoff.minMs": s.backoff.minMs,
    "backoff.maxMs": s.backoff.maxMs,
  };
  for (const [name, value] of Object.entries(nonNegative)) {
    if (!(value >= 0)) throw new InvalidArgumentError(`supervision.${name} must be a number ≥ 0; got ${value}.`);
  }
  if (!(s.backoff.factor >= 1)) throw new InvalidArgumentError(`supervision.backoff.factor must be ≥ 1; got ${s.backoff.factor}.`);
  if (!(s.backoff.jitter >= 0 && s.backoff.jitter <= 1)) {
    throw new InvalidArgumentError(`supervision.backoff.jitter must be in 0..1; got ${s.backoff.jitter}.`);
  }
  return s;
}

/** Delay before restart number `n` (1-based), in ms. */
export function backoffDelay(n: number, b: Required<BackoffOptions>, random: () => number = Math.random): number {
  const base = Math.min(b.maxMs, b.minMs * b.factor ** Math.max(0, n - 1));
  return Math.max(0, base * (1 + b.jitter * (2 * random() - 1)));
}

/**
 * Counts restarts in a sliding window. `record(now)` returns the restart's number in the
 * window, or `false` when the limit is exceeded (the actor must stop).
 */
export class RestartWindow {
  readonly #times: number[] = [];
  readonly #max: number;
  readonly #withinMs: number;
  /** Restarts over the actor's life. */
  total = 0;

  constructor(max: number, withinMs: number) {
    this.#max = max;
    this.#withinMs = withinMs;
  }

  record(now: number): number | false {
    while (this.#times.length > 0 && now - this.#times[0]! > this.#withinMs) this.#times.shift();
    if (this.#times.length >= this.#max) return false;
    this.#times.push(now);
    this.total++;
    return this.#times.length;
  }
}

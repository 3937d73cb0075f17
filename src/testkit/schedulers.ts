/**
 * Who decides the order of deliveries in the testkit's deterministic mode. The oldest
 * envelope waiting between each ordered pair of simulated loops is *offered*; a scheduler
 * performs one offered delivery per step, of its choice (so it picks which pair goes next,
 * and FIFO per pair holds whatever it picks).
 *
 * - {@link seededScheduler}: a seeded pseudo-random choice; `report()` gives the seed and
 *   every choice made, and the same seed replays the same run exactly.
 * - {@link fastCheckScheduler}: fast-check's `fc.scheduler()` chooses — a property test
 *   then shrinks a failing schedule and prints it with the seed.
 * - {@link choiceScheduler}: a list of choices (`fc.array(fc.nat())`), oldest offer first
 *   once they run out — a shape fast-check shrinks well: a failing schedule shrinks to the
 *   few choices that matter.
 *
 * @example
 * ```ts
 * const s = seededScheduler(42);
 * s.offer("main→w0: tell \"inc\"", () => console.log("delivered"));
 * await s.step(); // true: it delivered the one offer
 * console.log(s.report()); // seed 42; 1 delivery: …
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";

/** Decides which offered delivery happens next. */
export interface DeliveryScheduler {
  /** A delivery became possible; `deliver` performs it. `label` names it in reports. */
  offer(label: string, deliver: () => void): void;
  /** Performs one offered delivery of its choice; resolves false when none is offered. */
  step(): Promise<boolean>;
  /** The seed (when there is one) and the deliveries made so far, in order, one per line. */
  report(): string;
}

/** The part of fast-check's `fc.Scheduler` the testkit uses (structural: no runtime dependency). */
export interface FastCheckSchedulerLike {
  schedule<T>(task: Promise<T>, label?: string): Promise<T>;
  waitOne(): Promise<void>;
  count(): number;
  toString(): string;
}

/** mulberry32: a small, fast, well-mixed 32-bit generator (enough to pick among offers). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A scheduler that picks among the offered deliveries with a seeded generator: the same
 * seed (and the same test) replays the same run.
 *
 * @example
 * ```ts
 * const system = await TestSystem.start({ scheduler: seededScheduler(7) });
 * ```
 */
export function seededScheduler(seed: number): DeliveryScheduler & { readonly seed: number } {
  if (!Number.isInteger(seed)) throw new InvalidArgumentError(`seededScheduler: the seed must be an integer; got ${seed}.`);
  const random = mulberry32(seed);
  const offers: { label: string; deliver: () => void }[] = [];
  const done: string[] = [];
  return {
    seed,
    offer: (label, deliver) => void offers.push({ label, deliver }),
    step: () => {
      if (offers.length === 0) return Promise.resolve(false);
      const [chosen] = offers.splice(Math.floor(random() * offers.length), 1);
      done.push(chosen!.label);
      chosen!.deliver();
      return Promise.resolve(true);
    },
    report: () => `seed ${seed}; ${done.length} deliveries:${done.map((l, i) => `\n  ${i + 1}. ${l}`).join("")}`,
  };
}

/**
 * fast-check's scheduler as a delivery scheduler: inside `fc.asyncProperty(fc.scheduler(), …)`
 * fast-check picks the order, shrinks a failing one, and prints it (with the seed).
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * await fc.assert(fc.asyncProperty(fc.scheduler(), async (s) => {
 *   await using system = await TestSystem.start({ scheduler: fastCheckScheduler(s) });
 *   // … spawn, tell, ask, and check an invariant
 * }));
 * ```
 */
export function fastCheckScheduler(s: FastCheckSchedulerLike): DeliveryScheduler {
  if (typeof s?.schedule !== "function" || typeof s.waitOne !== "function") {
    throw new InvalidArgumentError("fastCheckScheduler expects the value of fc.scheduler() (from fast-check).");
  }
  return {
    offer: (label, deliver) => void s.schedule(Promise.resolve(), label).then(deliver),
    step: async () => {
      if (s.count() === 0) return false;
      await s.waitOne();
      return true;
    },
    report: () => s.toString(),
  };
}

/** What {@link choiceScheduler} returns: a scheduler, printable (fast-check prints it in a counterexample). */
export interface ChoiceScheduler extends DeliveryScheduler {
  /** The choices it was made from. */
  readonly choices: readonly number[];
  /** The same as `report()`. */
  toString(): string;
}

/**
 * A scheduler driven by a list of choices: step `i` performs offer number `choices[i]`
 * (modulo the number on offer, in the order they were offered); once the choices run out,
 * the oldest offer goes first. The list is a plain array of numbers, so fast-check shrinks a
 * failing schedule well (shorter lists, smaller numbers: towards oldest-first), and prints
 * it as the schedule it made. `fc.array(fc.nat(), { maxLength: 64 }).map(choiceScheduler)`
 * is an arbitrary of schedules.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * await fc.assert(fc.asyncProperty(fc.array(fc.nat(), { maxLength: 64 }).map(choiceScheduler), async (s) => {
 *   await using system = await TestSystem.start({ scheduler: s });
 *   // … spawn, tell, ask, and check an invariant
 * }));
 * ```
 */
export function choiceScheduler(choices: readonly number[]): ChoiceScheduler {
  if (!Array.isArray(choices) || !choices.every((c) => Number.isInteger(c) && c >= 0)) {
    throw new InvalidArgumentError("choiceScheduler expects an array of non-negative integers (fc.array(fc.nat())).");
  }
  const fixed = Object.freeze([...choices]);
  const offers: { label: string; deliver: () => void }[] = [];
  const done: string[] = [];
  const report = (): string => {
    const lines = done.map((l, i) => `\n  ${i + 1}. ${l}`).join("");
    return `choices [${fixed.join(",")}]; ${done.length} deliveries (oldest first after the choices):${lines}`;
  };
  return {
    choices: fixed,
    offer: (label, deliver) => void offers.push({ label, deliver }),
    step: () => {
      if (offers.length === 0) return Promise.resolve(false);
      const i = done.length < fixed.length ? fixed[done.length]! % offers.length : 0;
      const [chosen] = offers.splice(i, 1);
      done.push(chosen!.label);
      chosen!.deliver();
      return Promise.resolve(true);
    },
    report,
    toString: report,
    // fast-check may run a generated value more than once: each use gets a fresh scheduler.
    [Symbol.for("fast-check/cloneMethod")]: () => choiceScheduler(fixed),
  } as ChoiceScheduler;
}

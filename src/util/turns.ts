/**
 * `Turns`: which turn of the event loop this is, for code that treats the first of
 * something in a turn differently — a link's first frame leaves from a microtask and later
 * ones wait for a macrotask (link.ts), a dispatcher's time budget is per turn
 * (dispatcher.ts). A turn ends with the next macrotask after the first {@link Turns.stamp}
 * in it: at most one macrotask per turn, shared by every user on the loop.
 *
 * Why shared: a link and the dispatcher each scheduled their own `setImmediate` to learn
 * that the turn was over, so a cross-worker ask cost four per round trip (two on each
 * side), about 0.4 µs each on Node.
 *
 * A turn holds one or more tasks: besides the turn's end, {@link Turns.enterTask} starts a
 * new one (a message event is a task of its own, and Node runs many in one turn).
 *
 * @example
 * ```ts
 * const turns = new Turns(setImmediate);
 * turns.stamp();              // a macrotask will end this turn
 * const task = turns.task;    // the same until that macrotask has run, or enterTask()
 * ```
 * @module
 */
export class Turns {
  #turn = 1;
  #task = 1;
  #ending = false;
  readonly #macrotask: (fn: () => void) => void;
  readonly #end = (): void => {
    this.#ending = false;
    this.#turn++;
    this.#task++;
  };

  /** @param macrotask runs a function in a later macrotask (`setImmediate`, or the testkit's simulated one) */
  constructor(macrotask: (fn: () => void) => void) {
    this.#macrotask = macrotask;
  }

  /** The current turn's number (never 0). */
  get turn(): number {
    return this.#turn;
  }

  /** The current task's number (never 0): it changes with the turn, and with {@link enterTask}. */
  get task(): number {
    return this.#task;
  }

  /** Makes sure the current turn ends with the next macrotask (scheduled here once per turn). */
  stamp(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#macrotask(this.#end);
  }

  /** A new task begins inside the current turn (a message event). */
  enterTask(): void {
    this.#task++;
  }
}

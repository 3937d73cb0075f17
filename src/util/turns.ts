/**
 * `Turns`: which turn of the event loop this is, and which task within it, for code that
 * treats the first of something differently — a link's first frame of a task leaves from
 * a microtask and later ones wait for a macrotask (link.ts), a dispatcher's time budget
 * starts afresh in a new turn (dispatcher.ts).
 *
 * Nothing is scheduled to learn that a turn is over. A turn is known to have ended when
 * one of the loop's own macrotasks begins ({@link Turns.enterTurn}: a link's flush of a
 * task's later frames, a dispatcher's run after it yielded), and a task when a message
 * event begins ({@link Turns.enterTask}). Turns that end without either go uncounted:
 * their frames and runs are treated as the same task's, which errs on the safe side (a
 * frame waits for a macrotask; the dispatcher's budget is shared by more work, not less).
 *
 * Why not schedule one: a macrotask per turn that sent a frame or ran the dispatcher (as
 * before, shared by every user on the loop) was one `setImmediate` on each side of every
 * cross-worker ask: ~2.3 µs per round trip on Node and ~1.7 µs on Deno, measured on one
 * core (`bench/tools/ask-pair.ts`, bench/results/ab-turns).
 *
 * @example
 * ```ts
 * const turns = new Turns();
 * const task = turns.task;
 * turns.enterTask();          // a message event began
 * console.log(turns.task !== task); // true
 * turns.enterTurn();          // one of the loop's macrotasks began
 * ```
 * @module
 */
export class Turns {
  #turn = 1;
  #task = 1;

  /** The current turn's number (never 0): it changes with {@link enterTurn}. */
  get turn(): number {
    return this.#turn;
  }

  /** The current task's number (never 0): it changes with {@link enterTurn} and {@link enterTask}. */
  get task(): number {
    return this.#task;
  }

  /** One of the loop's own macrotasks began: the event loop has had a turn since the last. */
  enterTurn(): void {
    this.#turn++;
    this.#task++;
  }

  /** A new task began inside the current turn (a message event). */
  enterTask(): void {
    this.#task++;
  }
}

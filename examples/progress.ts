/**
 * A one-line progress display: refreshed in place (`\r`) at most every 100 ms on a
 * terminal, or printed as a new line at every 10 % otherwise (logs, pipes, CI).
 *
 * @example
 * ```ts
 * const progress = new Progress(20_000, (jobsPerSecond) => `${jobsPerSecond * 2} msgs/s`);
 * progress.update(done);  // after each completed job
 * progress.finish();
 * ```
 * @module
 */
import process from "node:process";

/** Minimum milliseconds between two in-place refreshes on a terminal. */
const REFRESH_MS = 100;

/** Formats an integer with thousands separators. */
export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Progress of `total` units of work, with a rate and an extra status. */
export class Progress {
  readonly #total: number;
  readonly #extra: (unitsPerSecond: number) => string;
  readonly #tty = process.stdout.isTTY === true;
  /** When the line was last rendered (creation counts: the first rate covers a full interval). */
  #lastRender = performance.now();
  #lastDone = 0;
  #nextTenth = 1;

  /**
   * @param total units of work expected
   * @param extra the rest of the line, given the current rate (called at each render)
   */
  constructor(total: number, extra: (unitsPerSecond: number) => string) {
    this.#total = total;
    this.#extra = extra;
  }

  /** Records that `done` units are complete, rendering when it is time to. */
  update(done: number): void {
    const now = performance.now();
    if (this.#tty) {
      if (now - this.#lastRender >= REFRESH_MS || done === this.#total) this.#render(done, now);
    } else if (done >= (this.#nextTenth * this.#total) / 10) {
      while (done >= (this.#nextTenth * this.#total) / 10) this.#nextTenth++;
      this.#render(done, now);
    }
  }

  /** Ends the in-place line (on a terminal). */
  finish(): void {
    if (this.#tty) process.stdout.write("\n");
  }

  #render(done: number, now: number): void {
    // Rate over the interval since the previous render.
    const rate = ((done - this.#lastDone) / Math.max(1, now - this.#lastRender)) * 1000;
    this.#lastRender = now;
    this.#lastDone = done;
    const pct = ((100 * done) / this.#total).toFixed(0).padStart(3);
    const line = `${pct}%  ${int(done).padStart(int(this.#total).length)}/${int(this.#total)} jobs  ${this.#extra(rate)}`;
    process.stdout.write(this.#tty ? `\r${line}\x1b[K` : `${line}\n`); // \x1b[K: clear the rest of the line
  }
}

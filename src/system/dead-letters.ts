/**
 * Dead letters: messages that could not be delivered — the target was gone, its mailbox
 * was full, it stopped before processing them, it had no handler for them, or they were
 * in flight to a worker that died. Nothing is lost silently: every loop counts them and
 * reports them to the main loop, where `system.deadLetters` counts them all and notifies
 * subscribers.
 *
 * @example
 * ```ts
 * using sub = system.deadLetters.subscribe((d) => console.warn(d.reason, d.target, d.name));
 * console.log(system.deadLetters.count);
 * ```
 * @module
 */

/** Why a message became a dead letter. */
export type DeadLetterReason =
  | "stopped" // the target was gone when the message arrived
  | "mailbox-full" // a bounded mailbox refused it (reject / drop-newest)
  | "dropped-oldest" // a bounded mailbox with drop-oldest made room for a newer message
  | "undelivered" // the target stopped before processing it
  | "no-handler" // the target has no handler of that name
  | "worker-exited" // it was in flight to, or queued on, a worker that died
  | "malformed" // it was in a frame that could not be decoded
  | "node-down" // it was sent to a node of the cluster that was down, or went down before acknowledging it
  | "lost-in-transit"; // the cluster transport lost it (e.g. the NATS server restarted); counted from the frame counts

/** One dead letter, as subscribers see it. */
export interface DeadLetter {
  /** Address of the intended receiver. */
  address: number;
  /** Label of the intended receiver. */
  target: string;
  /** Message name (`null` when unknown, e.g. counted from a lost frame). */
  name: string | null;
  /** The message argument (`undefined` for counted-only dead letters). */
  arg: unknown;
  reason: DeadLetterReason;
  /** How many messages this record stands for (1, or more for counted-only records). */
  count: number;
}

/** The main loop's view of dead letters. */
export class DeadLetters {
  #count = 0;
  /** @internal where a listener's failure is reported (the system's logger). */
  onListenerError: (error: unknown) => void = (e) => console.error("[missive] a dead-letter listener threw:", e);
  readonly #listeners = new Set<(d: DeadLetter) => void>();

  /** Dead letters reported so far, system-wide. */
  get count(): number {
    return this.#count;
  }

  /**
   * Calls `listener` for every dead letter from now on. Dispose the result to stop.
   *
   * @example
   * ```ts
   * using _ = system.deadLetters.subscribe((d) => log.push(d));
   * ```
   */
  subscribe(listener: (d: DeadLetter) => void): Disposable {
    this.#listeners.add(listener);
    return { [Symbol.dispose]: () => void this.#listeners.delete(listener) };
  }

  /** @internal records dead letters reported by a loop. */
  record(d: DeadLetter): void {
    this.#count += d.count;
    for (const listener of this.#listeners) {
      try {
        listener(d);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }
}

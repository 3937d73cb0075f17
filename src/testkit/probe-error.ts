/**
 * The error a failed probe expectation rejects with: what was expected, and every
 * message the probe had received by then (also listed in the message, numbered).
 *
 * @example
 * ```ts
 * try { await probe.expectMessage("pong"); }
 * catch (e) { if (e instanceof ProbeExpectationError) console.log(e.received.length); }
 * ```
 * @module
 */
import { MissiveError } from "../errors.ts";
import type { ActorRef } from "../actor/ref.ts";

/** A probe expectation failed. */
export class ProbeExpectationError extends MissiveError {
  /** What was expected, in words (`message "pong" within 10000 ms`). */
  readonly expected: string;
  /** Every message the probe had received when the expectation failed, in arrival order. */
  readonly received: readonly { name: string; arg: unknown; sender: ActorRef | undefined }[];
  constructor(message: string, expected: string, received: readonly { name: string; arg: unknown; sender: ActorRef | undefined }[]) {
    super(message);
    this.expected = expected;
    this.received = received;
  }
}

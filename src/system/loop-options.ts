/**
 * The tuning every loop of a system shares, and the counters each reports at the end.
 *
 * @example
 * ```ts
 * const options: LoopOptions = { index: 1, workers: 2, askTimeout: 30_000, initTimeout: 30_000, throughput: 64, sliceMs: 2, maxMessageBytes: 16 << 20 };
 * ```
 * @module
 */
import type { LinkSettings } from "./link-options.ts";

/** Tuning shared by every loop of a system. */
export interface LoopOptions {
  /** Index of this loop: 0 = main, 1..n = workers. */
  index: number;
  /** Number of worker loops in the system. */
  workers: number;
  /** Default ask timeout in ms (`Infinity` for none). */
  askTimeout: number;
  /** Milliseconds `init` + `onStart` may take before the spawn fails (`Infinity` for none). */
  initTimeout: number;
  /** Messages per actor per dispatcher turn. */
  throughput: number;
  /** Milliseconds of dispatching before yielding to the event loop. */
  sliceMs: number;
  /** Largest encoded message accepted, in bytes. */
  maxMessageBytes: number;
  /** How loops reach each other (absent: ports, as in the testkit's deterministic mode). */
  link?: LinkSettings;
}

/** Counters a loop reports (shutdown's quiescence check and the final report). */
export interface LoopStats {
  processed: number;
  deadLetters: number;
  lateReplies: number;
  failures: number;
  wireErrors: number;
  undelivered: Record<string, number>;
  hooksSkipped: string[];
  /** Tells sent to each peer loop's actors (what an unreported peer did not take was lost). */
  sentTo: number[];
}

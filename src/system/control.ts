/**
 * Control messages between the main loop and a worker: set-up and the shutdown phases.
 * They travel as plain objects on the worker's own channel, after any pending frame
 * (see `Link.postControl`), never mixed into frames.
 *
 * @example
 * ```ts
 * link.postControl({ type: "drain" } satisfies ToWorker);
 * ```
 * @module
 */
import type { LoopOptions, LoopStats } from "./loop.ts";

/** Main → worker. */
export type ToWorker =
  /** First message: who the worker is, and one `MessagePort` per other worker (the mesh). */
  | { type: "init"; options: LoopOptions; peers: number[]; ports: MessagePort[] }
  /** Shutdown phase 1: report idleness (with counters) whenever it changes. */
  | { type: "drain" }
  /** Last phase: stop what is left (`force`: without waiting, the deadline passed), close every port, report, exit. */
  | { type: "exit"; force: boolean };

/** Worker → main. */
export type FromWorker =
  | { type: "ready" }
  /** The worker has nothing queued or running; envelopes sent/received per peer loop. */
  | { type: "idle"; sent: number[]; received: number[] }
  | { type: "exited"; stats: LoopStats };

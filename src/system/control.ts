/**
 * Control messages between the main loop and a worker: set-up and the shutdown phases.
 * They travel as plain objects on the worker's own channel, after any pending frame
 * (see `Link.postControl`), never mixed into frames.
 *
 * @example
 * ```ts
 * link.postControl({ type: "drain", epoch: 1 } satisfies ToWorker);
 * ```
 * @module
 */
import type { RingPairSide } from "../transport/ring-endpoint.ts";
import type { LoopOptions, LoopStats } from "./loop-options.ts";
import type { WireLogEvent } from "./log.ts";

/** Main → worker. */
export type ToWorker =
  /** First message (posted on the worker's own channel as it is, before any link): who the worker is, and one `MessagePort` per other worker (the mesh). */
  | {
    type: "init";
    options: LoopOptions;
    peers: number[];
    ports: MessagePort[];
    /** With the ring transport: this worker's side of the rings to each of `peers`, and to the main loop. */
    rings?: RingPairSide[];
    parentRing?: RingPairSide;
    reserve: number;
    taken: SharedArrayBuffer[];
    /** Modules to import before taking any message (they register handle codecs). */
    modules: string[];
  }
  /** Worker `peer` died; talk to its replacement over `port` from now on. */
  | { type: "peerReplaced"; peer: number; port: MessagePort; ring?: RingPairSide; reason: string; taken: SharedArrayBuffer }
  /** Worker `peer` died during shutdown and is not replaced. */
  | { type: "peerDown"; peer: number; reason: string }
  /** After a worker died: actors re-created at their old addresses, and actors gone for good. */
  | { type: "actorsLost"; loop: number; lost: [addr: number, label: string][]; restarted: number[]; reason: string }
  /** Shutdown phase 1: report idleness (with counters) whenever it changes, tagged `epoch`. */
  | { type: "drain"; epoch: number }
  /**
   * Report idleness (with counters) whenever it changes, tagged `epoch` (the testkit's
   * quiescence wait, see `quiescence.ts`); `epoch` 0: stop reporting (unless draining).
   */
  | { type: "report"; epoch: number }
  /** Last phase: stop what is left (`force`: without waiting, the deadline passed), close every port, report, exit. */
  | { type: "exit"; force: boolean }
  /** Past the deadline: worker `peer` did not answer the exit (stuck in user code); do not wait for its `halt`. */
  | { type: "peerStuck"; peer: number };

/**
 * Between workers, over the mesh: during the last phase each worker, once its actors are
 * gone, says `halt` to every peer; what a peer sent before its `halt` has arrived
 * when the `halt` does (one port, FIFO), so nothing is still in flight when it reports.
 */
export type ToPeer = { type: "halt" };

/** Worker → main. */
export type FromWorker =
  | { type: "ready" }
  /**
   * The worker has nothing queued or running; envelopes sent/received per peer loop. `epoch`
   * is the one of the `drain` or `report` that asked for it: the main loop ignores reports
   * of an older epoch (they may be stale: the worker stopped reporting in between).
   */
  | { type: "idle"; epoch: number; sent: number[]; received: number[] }
  /** The worker got the exit and is stopping its actors (past the deadline: no user code runs from here on). */
  | { type: "exitStarted" }
  /** An event for the system's logger. */
  | { type: "log"; event: WireLogEvent }
  | { type: "exited"; stats: LoopStats };

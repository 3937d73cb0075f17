/**
 * The options of `ActorSystem.start` and of `spawn`: their types, and the checks that turn
 * them into a loop's settings — every value checked at the call, a misspelt key refused,
 * and a start inside a Missive worker or on a runtime below the minimums refused.
 *
 * @example
 * ```ts
 * const base = systemBase({ workers: 2, askTimeout: 5_000 }); // throws InvalidArgumentError on a bad value
 * ```
 * @module
 */
import type { SpawnOptions } from "../actor/context.ts";
import { checkInteger, checkOptions, checkTimeout } from "../actor/validate.ts";
import { InvalidArgumentError, SystemStartError } from "../errors.ts";
import { availableParallelism, isMissiveWorker } from "../runtime/adapters.ts";
import { runtimeProblem } from "../runtime/requirements.ts";
import type { ClusterOptions } from "./cluster-seam.ts";
import { type LinkOptions, linkSettings } from "./link-options.ts";
import type { Logger } from "./log.ts";
import type { LoopOptions } from "./loop-options.ts";

/** Options of {@link ActorSystem.start}. */
export interface SystemOptions {
  /** Number of workers (default: available parallelism, i.e. one per core). */
  workers?: number;
  /** Default ask timeout in ms (default 30 000; `Infinity` for none). */
  askTimeout?: number;
  /** Messages one actor processes before others get a turn (default 64). */
  throughput?: number;
  /**
   * Milliseconds a dispatcher works before yielding to timers and I/O (default 2). The
   * clock is read between messages, every 1 to 16 of them (fewer when they are long), so a
   * slice ends after the message that used it up, or a few cheap ones later.
   */
  sliceMs?: number;
  /** Largest encoded message, in bytes (default 16 MiB, at most 1 GiB); larger ones throw `MessageTooLargeError`. */
  maxMessageBytes?: number;
  /**
   * Where the system's log events go: handler failures on tells, hooks that threw, bad frames,
   * replaced workers (default: `consoleLogger()`, one line per event on the console).
   * Called on the main thread; workers forward their events.
   */
  logger?: Logger;
  /**
   * Milliseconds an actor's `init` and `onStart` may take before its spawn rejects with
   * `ActorInitError` (default 30 000; `Infinity` for none). The actor is then removed.
   */
  initTimeout?: number;
  /**
   * Join a cluster over NATS: `{ servers: "nats://127.0.0.1:4222", node: "a" }`. Refs then
   * carry their node, and tell/ask/send/flush reach actors of other nodes (see the README's
   * "Cluster" section). Without it, the cluster module and the NATS client are never loaded.
   */
  cluster?: ClusterOptions;
  /**
   * How frames cross between the loops: `{ transport: "port" }` (default, `MessageChannel`
   * ports) or `{ transport: "ring" }` (shared-memory rings, optionally `spinMicros` of polling
   * for lower latency at a CPU cost); see {@link LinkOptions}.
   */
  link?: LinkOptions;
}

/**
 * The keys of {@link SystemOptions} and {@link SpawnOptions}: any other key is a typo,
 * refused at the call. (Typed as records so that a new option cannot be forgotten here.)
 */
const SYSTEM_OPTIONS = Object.keys(
  {
    workers: true,
    askTimeout: true,
    throughput: true,
    sliceMs: true,
    maxMessageBytes: true,
    logger: true,
    initTimeout: true,
    cluster: true,
    link: true,
  } satisfies { [K in keyof Required<SystemOptions>]: true },
);
export const SPAWN_OPTIONS = Object.keys({ worker: true, name: true, node: true } satisfies { [K in keyof Required<SpawnOptions>]: true });

const NESTED_START = "ActorSystem.start() was called inside a Missive worker. Every worker imports the modules that " +
  "define actors, so code at the top level of such a module runs again in each worker; starting a system there would " +
  "start workers without end. Fix: keep actors in their own module and start the system from your main module, or " +
  "guard the start: `if (!isMissiveWorker()) { const system = await ActorSystem.start(); … }`.";

/**
 * Checks `options` of `ActorSystem.start` (throws `SystemStartError` inside a Missive worker
 * or on an old runtime, `InvalidArgumentError` on a bad value) and returns the loops' settings.
 */
export function systemBase(options: SystemOptions): Omit<LoopOptions, "index"> {
  if (isMissiveWorker()) throw new SystemStartError(NESTED_START);
  const problem = runtimeProblem();
  if (problem !== undefined) throw new SystemStartError(problem);
  checkOptions("ActorSystem.start options", options, SYSTEM_OPTIONS);
  const workers = options.workers ?? availableParallelism();
  checkInteger("workers", workers, 1, 1000);
  checkTimeout("askTimeout", options.askTimeout, true);
  checkTimeout("initTimeout", options.initTimeout, true);
  checkInteger("throughput", options.throughput, 1, 1_000_000);
  checkTimeout("sliceMs", options.sliceMs, true);
  if (options.sliceMs === Infinity) {
    throw new InvalidArgumentError("sliceMs must be a finite number of milliseconds > 0 (the dispatcher yields after it); got Infinity.");
  }
  checkInteger("maxMessageBytes", options.maxMessageBytes, 64, 1 << 30);
  if (options.logger !== undefined && typeof options.logger !== "function") {
    throw new InvalidArgumentError(`logger must be a function (event) => void, e.g. consoleLogger(); got ${typeof options.logger}.`);
  }
  return {
    workers,
    askTimeout: options.askTimeout ?? 30_000,
    initTimeout: options.initTimeout ?? 30_000,
    throughput: options.throughput ?? 64,
    sliceMs: options.sliceMs ?? 2,
    maxMessageBytes: options.maxMessageBytes ?? 16 * 1024 * 1024,
    link: linkSettings(options.link),
  };
}

/**
 * The per-loop dispatcher: runs actors that have mail, one message at a time per actor,
 * at most `throughput` messages per actor per turn, and gives the event loop back after
 * `sliceMs` so timers and I/O on the same loop keep running (Akka's dispatcher
 * throughput + a time slice).
 *
 * The first run after new mail is a microtask (low latency for a lone message); a
 * run that still has work left continues in a macrotask, after timers and I/O.
 *
 * @example
 * ```ts
 * const d = new Dispatcher(host, { throughput: 64, sliceMs: 2 }, setImmediate);
 * d.enqueue(cell); // runs soon
 * ```
 * @module
 */
import { Deque } from "../util/deque.ts";
import type { ActorCell } from "./cell.ts";

/** What the dispatcher calls back into (the loop). */
export interface DispatchHost {
  /** Processes the front envelope of `cell`'s mailbox (the dispatcher has checked `runnable`). */
  processNext(cell: ActorCell): void;
  /** Called when a run ends with nothing left to do. */
  onIdle(): void;
}

/** Tuning of a dispatcher. */
export interface DispatcherOptions {
  /** Messages one actor may process before the next actor gets a turn. */
  throughput: number;
  /** Milliseconds of work before yielding to the event loop. */
  sliceMs: number;
}

export class Dispatcher {
  readonly #ready = new Deque<ActorCell>();
  readonly #host: DispatchHost;
  readonly #throughput: number;
  readonly #sliceMs: number;
  readonly #macrotask: (fn: () => void) => void;
  #scheduled = false;
  readonly #run = (): void => this.#runSlice();

  constructor(host: DispatchHost, options: DispatcherOptions, macrotask: (fn: () => void) => void) {
    this.#host = host;
    this.#throughput = options.throughput;
    this.#sliceMs = options.sliceMs;
    this.#macrotask = macrotask;
  }

  /** True while a run is scheduled or actors wait for their turn. */
  get active(): boolean {
    return this.#scheduled || this.#ready.length > 0;
  }

  /** Marks `cell` as having mail; it runs in FIFO order with other ready actors. */
  enqueue(cell: ActorCell): void {
    if (cell.queued || !cell.runnable) return;
    cell.queued = true;
    this.#ready.push(cell);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#run);
    }
  }

  #runSlice(): void {
    const deadline = performance.now() + this.#sliceMs;
    const ready = this.#ready;
    while (ready.length > 0) {
      const cell = ready.shift()!;
      cell.queued = false;
      let budget = this.#throughput;
      while (budget-- > 0 && cell.runnable) this.#host.processNext(cell);
      if (cell.runnable) {
        cell.queued = true;
        ready.push(cell);
      }
      if (performance.now() >= deadline) break;
    }
    if (ready.length > 0) {
      this.#macrotask(this.#run);
    } else {
      this.#scheduled = false;
      this.#host.onIdle();
    }
  }
}

/**
 * The parent side of the bare-`postMessage` baselines: starts {@link ./post-worker.ts}
 * workers, connects them pairwise with `MessageChannel`s (as Missive's mesh), and turns
 * their answers into promises.
 *
 * @example
 * ```ts
 * const pool = await PostWorkers.start(2);
 * pool.worker(0).post(7);
 * console.log(await pool.next(0)); // 7
 * await pool.close();
 * ```
 * @module
 */
import { type BenchWorker, startBenchWorker } from "../util/workers.ts";
import type { PostWorkerInit } from "./post-protocol.ts";

const WORKER_URL = new URL("./post-worker.ts", import.meta.url);

/** A set of meshed post workers. */
export class PostWorkers {
  readonly #workers: BenchWorker[];
  /** Per worker: answers not yet taken, and takers waiting for one. */
  readonly #queued: unknown[][];
  readonly #waiting: ((data: unknown) => void)[][];

  private constructor(workers: BenchWorker[]) {
    this.#workers = workers;
    this.#queued = workers.map(() => []);
    this.#waiting = workers.map(() => []);
    workers.forEach((_, i) => this.restoreHandler(i));
  }

  /** Starts `count` workers, meshed, and resolves once each has said it is ready. */
  static async start(count: number): Promise<PostWorkers> {
    const workers = Array.from({ length: count }, () => startBenchWorker(WORKER_URL));
    const pool = new PostWorkers(workers);
    const ports: MessagePort[][] = workers.map(() => []);
    for (let a = 0; a < count; a++) {
      for (let b = a + 1; b < count; b++) {
        const { port1, port2 } = new MessageChannel();
        ports[a]!.push(port1);
        ports[b]!.push(port2);
      }
    }
    workers.forEach((w, i) => w.post({ ports: ports[i]! } satisfies PostWorkerInit, ports[i]!));
    const ready = await Promise.all(workers.map((_, i) => pool.next(i)));
    if (!ready.every((r) => r === "ready")) throw new Error(`post workers did not start: ${JSON.stringify(ready)}`);
    return pool;
  }

  /** Worker `i`. */
  worker(i: number): BenchWorker {
    return this.#workers[i]!;
  }

  /** The next answer of worker `i`. */
  next(i: number): Promise<unknown> {
    const queued = this.#queued[i]!;
    if (queued.length > 0) return Promise.resolve(queued.shift());
    return new Promise((resolve) => this.#waiting[i]!.push(resolve));
  }

  /** Routes worker `i`'s answers straight to `handler` (for the leanest pipelined loop). */
  setHandler(i: number, handler: (data: unknown) => void): void {
    this.#workers[i]!.onMessage(handler);
  }

  /** Routes worker `i`'s answers back to {@link next}. */
  restoreHandler(i: number): void {
    this.#workers[i]!.onMessage((data) => {
      const taker = this.#waiting[i]!.shift();
      if (taker) taker(data);
      else this.#queued[i]!.push(data);
    });
  }

  /** Terminates every worker. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

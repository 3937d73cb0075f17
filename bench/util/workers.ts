/**
 * A minimal cross-runtime worker for the baselines: `node:worker_threads` on Node and Bun,
 * the web `Worker` (`{ type: "module" }`) on Deno, whose `node:worker_threads` is slow at
 * receiving binary data (see `../shared/DESIGN.md` §6). Baselines use the fastest native
 * path of each runtime, so the comparison with Missive is fair: as Missive's adapters, a
 * post with nothing to move passes no transfer list (an empty one is slower on Deno and Bun).
 *
 * @example
 * ```ts
 * const w = startBenchWorker(new URL("./baselines/post-worker.ts", import.meta.url));
 * w.onMessage((data) => console.log(data));
 * w.post(42);
 * await w.terminate();
 * ```
 * @module
 */
import { parentPort, Worker as NodeWorker } from "node:worker_threads";
import { postTo } from "../../src/runtime/adapters.ts";
import type { Transfer } from "../../src/transport/endpoint.ts";
import { benchRuntime } from "./runtime.ts";

/** One side of a message channel: post, and one handler for what arrives. */
export interface BenchPort {
  /** Sends `data` (structured clone); buffers in `transfer` are moved. */
  post(data: unknown, transfer?: Transfer[]): void;
  /** Sets the one handler for incoming data (replaces any earlier one). */
  onMessage(handler: (data: unknown) => void): void;
}

/** A worker seen from its parent. */
export interface BenchWorker extends BenchPort {
  /** The runtime's own worker object (a `node:worker_threads` `Worker` or a web `Worker`), for adapters such as comlink's. */
  readonly raw: unknown;
  /** Ends the worker; resolves once it is gone. */
  terminate(): Promise<void>;
}

/** Starts a worker running the module at `url` (TypeScript is fine on all three runtimes). */
export function startBenchWorker(url: URL): BenchWorker {
  if (benchRuntime === "deno") {
    const worker = new Worker(url, { type: "module" });
    return {
      raw: worker,
      post: (data, transfer) => postTo(worker, data, transfer),
      onMessage: (handler) => {
        worker.onmessage = (event: MessageEvent) => handler(event.data);
      },
      terminate: () => {
        worker.terminate();
        return Promise.resolve();
      },
    };
  }
  const worker = new NodeWorker(url);
  worker.on("error", (e) => console.error(`[bench] worker ${url.pathname} failed:`, e));
  return {
    raw: worker,
    post: (data, transfer) => worker.postMessage(data, transfer as never),
    onMessage: (handler) => {
      worker.removeAllListeners("message");
      worker.on("message", handler);
    },
    terminate: async () => {
      await worker.terminate();
    },
  };
}

/** Inside a worker: the channel to the parent. */
export function parentBenchPort(): BenchPort {
  if (benchRuntime === "deno") {
    const self = globalThis as unknown as {
      postMessage(d: unknown, t?: Transfer[]): void;
      onmessage: ((e: MessageEvent) => void) | null;
    };
    return {
      post: (data, transfer) => postTo(self, data, transfer),
      onMessage: (handler) => {
        self.onmessage = (event) => handler(event.data);
      },
    };
  }
  const port = parentPort!;
  return {
    post: (data, transfer) => port.postMessage(data, transfer as never),
    onMessage: (handler) => {
      port.removeAllListeners("message");
      port.on("message", handler);
    },
  };
}

/** A `MessagePort` of a `MessageChannel` as a {@link BenchPort}; `close()` releases it. */
export function benchPortOf(port: MessagePort): BenchPort & { close(): void } {
  const nodeLike = port as unknown as {
    on?: (event: string, fn: (data: unknown) => void) => void;
    removeAllListeners?: (event: string) => void;
  };
  return {
    post: (data, transfer) => postTo(port, data, transfer),
    onMessage: (handler) => {
      // Node's ports are event emitters that hand over the data itself (no MessageEvent per message).
      if (typeof nodeLike.on === "function" && typeof nodeLike.removeAllListeners === "function") {
        nodeLike.removeAllListeners("message");
        nodeLike.on("message", handler);
      } else port.onmessage = (event: MessageEvent) => handler(event.data);
    },
    close: () => {
      port.onmessage = null;
      port.close();
    },
  };
}

/**
 * The parent side of the comlink baseline: a worker running {@link ./comlink-worker.ts},
 * wrapped with comlink (node adapter over `node:worker_threads` on Node and Bun; the web
 * `Worker` itself on Deno).
 * @module
 */
import type { Worker as NodeWorker } from "node:worker_threads";
import * as Comlink from "comlink/dist/esm/comlink.mjs";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { benchRuntime } from "../util/runtime.ts";
import { startBenchWorker } from "../util/workers.ts";
import type { EchoApi } from "./comlink-worker.ts";

/** A started comlink worker. */
export interface ComlinkEcho {
  api: Comlink.Remote<EchoApi>;
  close(): Promise<void>;
}

/** Starts the worker and resolves once a first call has been answered. */
export async function startComlinkEcho(): Promise<ComlinkEcho> {
  const worker = startBenchWorker(new URL("./comlink-worker.ts", import.meta.url));
  const endpoint = benchRuntime === "deno" ? (worker.raw as Worker) : nodeEndpoint(worker.raw as NodeWorker);
  const api = Comlink.wrap<EchoApi>(endpoint);
  if ((await api.echo(42)) !== 42) throw new Error("comlink worker answered wrongly");
  return {
    api,
    close: async () => {
      api[Comlink.releaseProxy]();
      await worker.terminate();
    },
  };
}

/**
 * The worker of the comlink baseline: exposes {@link EchoApi} over comlink, through its
 * node adapter on Node and Bun (`node:worker_threads`), directly on Deno (web worker).
 * @module
 */
import { parentPort } from "node:worker_threads";
import * as Comlink from "comlink/dist/esm/comlink.mjs";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { benchRuntime } from "../util/runtime.ts";

/** What the worker exposes. */
export interface EchoApi {
  echo(x: number): number;
}

const api: EchoApi = {
  echo: (x) => x,
};

if (benchRuntime === "deno") Comlink.expose(api);
else Comlink.expose(api, nodeEndpoint(parentPort!));

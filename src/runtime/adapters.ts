/**
 * The only module that knows which runtime it runs on (Node.js, Deno or Bun): starting
 * a worker, the worker's connection to its parent, exit events normalised to
 * `{ code, reason }`, and the core count.
 *
 * Choices, measured on this project's machine:
 * - Node: `node:worker_threads` (Node has no global web `Worker`); the worker starts
 *   from a tiny `.mjs` bootstrap that registers tsx when it is installed, then imports
 *   the TypeScript worker module (Node ≥ 22.18 strips types natively as a fallback).
 * - Deno: the web `Worker` with `{ type: "module" }` — Deno's `node:worker_threads` is
 *   very slow at receiving typed arrays. A web worker has no exit event, so its exit is
 *   known from its last message, its error event, or our own `terminate()`.
 * - Bun: `node:worker_threads`, for its `exit` event with the real exit code.
 * - A post with nothing to move passes no transfer list ({@link postTo}): a web worker's
 *   every lone ask and reply is one.
 *
 * @example
 * ```ts
 * const handle = startWorker(new URL("../system/worker-main.ts", import.meta.url));
 * handle.endpoint.post({ type: "hello" });
 * const { code } = await handle.exited;
 * ```
 * @module
 */
import { parentPort, Worker as NodeWorker, workerData } from "node:worker_threads";
import type { Endpoint, Transfer } from "../transport/endpoint.ts";
import { fromPlainError, type PlainError, toPlainError } from "../util/error-text.ts";

/** The runtimes Missive supports. */
export type RuntimeName = "node" | "deno" | "bun";

const g = globalThis as Record<string, unknown>;

/** The runtime this code runs on. */
export const runtimeName: RuntimeName = "Deno" in g ? "deno" : "Bun" in g ? "bun" : "node";

/** Runtime versions, for reports and benchmark results. */
export function runtimeVersion(): string {
  if (runtimeName === "deno") return `deno ${(g.Deno as { version: { deno: string } }).version.deno}`;
  if (runtimeName === "bun") return `bun ${(g.Bun as { version: string }).version}`;
  return `node ${(g.process as { version: string }).version}`;
}

/** Number of cores this process may use (the default worker count). */
export function availableParallelism(): number {
  const n = (g.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency;
  return typeof n === "number" && n > 0 ? n : 1;
}

/** How a worker ended. */
export interface WorkerExit {
  /** Exit code (non-zero for crashes; 1 for an uncaught error). */
  code: number;
  /** What ended it, in words. */
  reason: string;
  /** The uncaught error, when there was one. */
  error?: unknown;
}

/** What a post goes to: a worker, a worker's own global scope, or a `MessagePort`. */
export interface PostTarget {
  postMessage(data: unknown): void;
  postMessage(data: unknown, transfer: Transfer[]): void;
}

/**
 * Posts `data` to `target`, with a transfer list only when it holds something: an empty
 * one made Deno's `postMessage` and Bun's `MessagePort.postMessage` 0.5–1 µs slower per
 * post (`bench/tools/empty-transfer-list.ts`). Deno's web worker, the global scope inside
 * it and every `MessagePort` post through it, as do the bench baselines; Node's and Bun's
 * `worker_threads` endpoints pass the caller's list as it is (`undefined` costs nothing).
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const frame = new Uint8Array([1, 2, 3]);
 * postTo(port1, "hello");               // no transfer list
 * postTo(port1, frame, [frame.buffer]); // the buffer is moved
 * port1.close();
 * port2.close();
 * ```
 */
export function postTo(target: PostTarget, data: unknown, transfer?: readonly Transfer[]): void {
  if (transfer === undefined || transfer.length === 0) target.postMessage(data);
  else target.postMessage(data, transfer as Transfer[]); // the list is only read
}

/** A started worker, seen from its parent. */
export interface WorkerHandle {
  /** Messages to and from the worker's own channel. */
  readonly endpoint: Endpoint;
  /** Resolves once the worker has exited (never rejects). */
  readonly exited: Promise<WorkerExit>;
  /** Ends the worker now; resolves once it has exited. */
  terminate(): Promise<WorkerExit>;
}

const NODE_BOOTSTRAP = new URL("./node-worker-bootstrap.mjs", import.meta.url);

/** Marks a thread as a Missive worker: the Deno worker's `name`, the `workerData` key on Node and Bun. */
const WORKER_MARK = "missive-worker";

/**
 * Tells a Missive worker from the thread that started the system: true inside the
 * workers an {@link ActorSystem} starts (on Node, Deno and Bun), false on the main
 * thread and in workers you start yourself. Every worker imports the modules that define
 * actors, so code at the top level of such a module runs once per worker too; guard a
 * single-file script's `main` with it.
 *
 * (`isMainThread` from `node:worker_threads` is not enough: it is true inside Deno's web
 * workers.)
 *
 * @example
 * ```ts
 * export const Greeter = defineActor(import.meta.url, { init: () => ({}), handlers: { hi: (_s, who: string) => `hi ${who}` } });
 * if (!isMissiveWorker()) {
 *   await using system = await ActorSystem.start();
 *   const greeter = await system.spawn(Greeter);
 *   console.log(await greeter.ask("hi", "you"));
 * }
 * ```
 */
export function isMissiveWorker(): boolean {
  if (runtimeName === "deno") return (globalThis as { name?: unknown }).name === WORKER_MARK && "WorkerGlobalScope" in globalThis;
  return (workerData as Record<string, unknown> | null | undefined)?.[WORKER_MARK] === true;
}

/** Starts a worker running the module at `moduleUrl`. */
export function startWorker(moduleUrl: URL): WorkerHandle {
  return runtimeName === "deno" ? startWebWorker(moduleUrl) : startNodeWorker(moduleUrl);
}

function startNodeWorker(moduleUrl: URL): WorkerHandle {
  const worker = runtimeName === "bun"
    ? new NodeWorker(moduleUrl, { workerData: { [WORKER_MARK]: true } })
    : new NodeWorker(NODE_BOOTSTRAP, { workerData: { url: moduleUrl.href, [WORKER_MARK]: true } });
  let lastError: unknown;
  let terminating = false;
  // Without an error listener an uncaught error in the worker would crash this thread.
  worker.on("error", (e) => (lastError = e));
  const exited = new Promise<WorkerExit>((resolve) => {
    worker.once("exit", (code) => {
      resolve(
        terminating && lastError === undefined
          ? { code: 0, reason: "terminated" }
          : lastError !== undefined
          ? { code: code === 0 ? 1 : code, reason: `uncaught error: ${(lastError as Error)?.message ?? lastError}`, error: lastError }
          : { code, reason: code === 0 ? "exited" : `exited with code ${code}` },
      );
    });
  });
  const endpoint: Endpoint = {
    post: (data, transfer) => worker.postMessage(data, transfer as never),
    listen: (handler) => {
      worker.removeAllListeners("message");
      worker.on("message", handler);
    },
    close: () => worker.removeAllListeners("message"),
  };
  return {
    endpoint,
    exited,
    terminate: async () => {
      terminating = true;
      await worker.terminate();
      return exited;
    },
  };
}

/**
 * What a Deno web worker posts just before it ends itself (web workers have no exit
 * event): the parent's endpoint takes it out of the message stream and resolves `exited`.
 */
interface ExitNotice {
  [EXIT_NOTICE]: true;
  code: number;
  reason: string;
  error?: PlainError;
}
const EXIT_NOTICE = "__missiveExitNotice";

const isExitNotice = (data: unknown): data is ExitNotice =>
  typeof data === "object" && data !== null && (data as Record<string, unknown>)[EXIT_NOTICE] === true;

function startWebWorker(moduleUrl: URL): WorkerHandle {
  const worker = new Worker(moduleUrl, { type: "module", name: WORKER_MARK });
  const { promise: exited, resolve } = Promise.withResolvers<WorkerExit>();
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault(); // otherwise Deno ends this process too
    worker.terminate();
    resolve({ code: 1, reason: `uncaught error: ${event.message}`, error: event.error });
  };
  const exitedBy = (notice: ExitNotice): void => {
    const exit: WorkerExit = { code: notice.code, reason: notice.reason };
    if (notice.error !== undefined) exit.error = fromPlainError(notice.error);
    worker.terminate();
    resolve(exit);
  };
  const endpoint: Endpoint = {
    post: (data, transfer) => postTo(worker, data, transfer),
    listen: (handler) => {
      worker.onmessage = (event: MessageEvent) => {
        if (isExitNotice(event.data)) exitedBy(event.data);
        else handler(event.data);
      };
    },
    close: () => {
      worker.onmessage = null;
    },
  };
  return {
    endpoint,
    exited,
    terminate: () => {
      worker.terminate();
      resolve({ code: 0, reason: "terminated" });
      return exited;
    },
  };
}

/** Inside a worker: the connection to the parent. `close()` lets the worker exit. */
export function parentEndpoint(): Endpoint {
  if (runtimeName !== "deno") {
    const port = parentPort!;
    return {
      post: (data, transfer) => port.postMessage(data, transfer as never),
      listen: (handler) => {
        port.removeAllListeners("message");
        port.on("message", handler);
      },
      close: () => port.close(),
    };
  }
  const self = globalThis as unknown as {
    postMessage(data: unknown, transfer?: Transfer[]): void;
    onmessage: ((e: MessageEvent) => void) | null;
    close(): void;
  };
  return {
    post: (data, transfer) => postTo(self, data, transfer),
    listen: (handler) => {
      self.onmessage = (event) => handler(event.data);
    },
    close: () => self.close(),
  };
}

/** A `MessagePort` (from a `MessageChannel`) as an endpoint. */
export function portEndpoint(port: MessagePort): Endpoint {
  return {
    post: (data, transfer) => postTo(port, data, transfer),
    listen: (handler) => {
      port.onmessage = (event: MessageEvent) => handler(event.data);
    },
    close: () => {
      port.onmessage = null;
      port.close();
    },
  };
}

const selfClose = (globalThis as unknown as { close?: () => void }).close?.bind(globalThis);

/**
 * Inside a worker, once at start: on Deno, a worker that ends itself (`Deno.exit`,
 * `process.exit`, `self.close()`, an uncaught error or unhandled rejection) first tells its
 * parent, which has no exit event for web workers; an uncaught error is reported as the
 * exit's error instead of being printed by Deno. Nothing to do on Node and Bun.
 */
export function announceOwnExit(): void {
  if (runtimeName !== "deno") return;
  const g = globalThis as unknown as {
    Deno: { exit(code?: number): never };
    close(): void;
    postMessage(data: unknown): void;
    process?: { exit(code?: number): never };
  };
  const notify = (code: number, reason: string, error?: unknown): void => {
    const notice: ExitNotice = { [EXIT_NOTICE]: true, code, reason };
    if (error !== undefined) notice.error = toPlainError(error);
    try {
      g.postMessage(notice);
    } catch {
      // the parent is gone already
    }
  };
  const denoExit = g.Deno.exit.bind(g.Deno);
  g.Deno.exit = (code = 0) => {
    notify(code, `exited by Deno.exit(${code})`);
    return denoExit(code);
  };
  if (g.process) g.process.exit = (code = 0) => g.Deno.exit(code);
  g.close = () => {
    notify(0, "exited by self.close()");
    selfClose?.();
  };
  const crash = (error: unknown): void => {
    notify(1, `uncaught error: ${error instanceof Error ? error.message : String(error)}`, error);
    selfClose?.();
  };
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    crash((event as ErrorEvent).error);
  });
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    crash((event as PromiseRejectionEvent).reason);
  });
}

/**
 * Inside a worker, after its last report: a Deno web worker ends itself (the parent
 * terminates workers anyway; this lets Deno's end quickly). Nothing on Node and Bun.
 */
export function endOwnWorker(): void {
  if (runtimeName === "deno") selfClose?.();
}

// Types of scripts/nats-server.mjs, for the tests, the example and the benchmark that import it.

/** Where `nats-server` is, or why it is unavailable. */
export type NatsServerFound = { bin: string; error?: undefined } | { bin?: undefined; error: string };

/** A running `nats-server` started by {@link startNatsServer}. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly dir: string;
  readonly pid: number | undefined;
  readonly output: string;
  halt(signal?: NodeJS.Signals): Promise<void>;
  restart(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export function ensureNatsServer(options?: { log?: (line: string) => void }): NatsServerFound;
export function freePort(): Promise<number>;
export function startNatsServer(
  options?: { bin?: string; port?: number; monitorPort?: number; dir?: string; verbose?: boolean },
): Promise<NatsServer>;

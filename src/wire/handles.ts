/**
 * Codecs for handle classes: small objects that stand for something living elsewhere
 * (a channel, a barrier) and must keep their class across the wire. A module that
 * defines such a class registers a codec once; the wire then carries instances as
 * extension type 6: `[name, data]`, where `data` may itself hold refs.
 *
 * @example
 * ```ts
 * // A handle to a resource an actor holds: it travels in messages and arrives as a Lease.
 * export class Lease {
 *   readonly holder: ActorRef;
 *   readonly id: number;
 *   constructor(holder: ActorRef, id: number) {
 *     this.holder = holder;
 *     this.id = id;
 *   }
 * }
 * // In the module that defines the class, so that every worker loading it registers it.
 * registerHandleCodec<Lease>("example.lease", {
 *   is: (v) => v instanceof Lease,
 *   toWire: (lease) => [lease.holder, lease.id], // refs may travel inside
 *   fromWire: (data) => {
 *     const [holder, id] = data as [ActorRef, number];
 *     return new Lease(holder, id);
 *   },
 * }, import.meta.url);
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";

/** How one handle class crosses the wire. */
export interface HandleCodec<T> {
  /** True for instances of the class. */
  is(value: object): boolean;
  /** Plain, encodable data (refs allowed) that is enough to rebuild the handle. */
  toWire(value: T): unknown;
  /** Rebuilds the handle on the receiving side. */
  fromWire(data: unknown): T;
}

// On globalThis, so that every copy of this module in a process shares one registry.
const registry: Map<string, HandleCodec<unknown>> =
  ((globalThis as Record<symbol, unknown>)[Symbol.for("missive.handleCodecs")] ??= new Map()) as Map<string, HandleCodec<unknown>>;

// The modules that registered codecs: a worker imports them before it takes any message,
// so that a handle in the first message it decodes (a spawn argument) is known there too.
const modules: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for("missive.handleModules")] ??= new Set()) as Set<string>;

/**
 * Registers the codec of a handle class under a unique `name` (idempotent for the same
 * name). Pass the registering module's `import.meta.url` as `module`: every worker started
 * after the registration imports that module before it takes any message, so a handle can
 * travel to a worker that has not loaded its class yet (as a spawn argument, or as an item
 * through another actor). Without `module`, only workers that import the module themselves
 * know the codec. Register before `ActorSystem.start`.
 */
export function registerHandleCodec<T>(name: string, codec: HandleCodec<T>, module?: string): void {
  if (typeof name !== "string" || name === "") throw new InvalidArgumentError("registerHandleCodec: the name must be a non-empty string.");
  if (module !== undefined && (typeof module !== "string" || !/^[a-z][a-z0-9+.-]*:/i.test(module))) {
    throw new InvalidArgumentError(`registerHandleCodec: module must be the registering module's import.meta.url; got ${String(module)}.`);
  }
  registry.set(name, codec as HandleCodec<unknown>);
  if (module !== undefined) modules.add(module);
}

/** The modules that registered handle codecs with their URL (a worker imports them at start). */
export function handleModules(): string[] {
  return [...modules];
}

/** The registered codec for `value`, with its name. */
export function handleCodecFor(value: object): [string, HandleCodec<unknown>] | undefined {
  for (const entry of registry) if (entry[1].is(value)) return entry;
  return undefined;
}

/** The codec registered under `name`. */
export function handleCodecNamed(name: string): HandleCodec<unknown> | undefined {
  return registry.get(name);
}

/** Number of registered codecs (the encoder skips the lookup when there are none). */
export function registrySize(): number {
  return registry.size;
}

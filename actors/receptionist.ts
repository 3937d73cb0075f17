/**
 * The receptionist (Akka typed's `Receptionist`, Erlang's `pg` groups by name): actors
 * register under typed service keys; anyone finds the current refs of a key, or subscribes
 * to be told each new listing. One small owner actor holds the registry; the
 * `Receptionist` handle travels in messages, so actors on every worker share it.
 * Registered actors and subscribers are watched: one that stops leaves the listings (and
 * the subscribers of its keys are told).
 *
 * @example
 * ```ts
 * const CounterService = serviceKey<typeof Counter>("counter");
 * const receptionist = await Receptionist.open(system);
 * await receptionist.register(CounterService, counter);
 * const counters = await receptionist.find(CounterService); // ActorRef<typeof Counter>[]
 * await Promise.all(counters.map((c) => c.ask("get")));
 * ```
 * @module
 */
import {
  type ActorContext,
  type ActorDefinition,
  type ActorRef,
  type AnyDefinition,
  defineActor,
  InvalidArgumentError,
  type PlacementOptions,
  registerHandleCodec,
  type Spawner,
  type Terminated,
} from "../mod.ts";
import { checkInt, checkObject } from "./errors.ts";
import type { NamesAccepting } from "./topic.ts";

/**
 * A service key: a name with the protocol of the actors registered under it. A plain
 * value (it travels in messages); two keys with the same `id` are the same key.
 *
 * @example
 * ```ts
 * const Workers: ServiceKey<typeof Counter> = serviceKey("workers");
 * ```
 */
// deno-lint-ignore no-explicit-any
export interface ServiceKey<D extends AnyDefinition = any> {
  readonly id: string;
  /** Type only (never set): the protocol of the registered actors. */
  readonly protocol?: D;
}

/**
 * Makes a service key.
 *
 * @example
 * ```ts
 * const Printers = serviceKey<typeof Printer>("printers");
 * ```
 */
// deno-lint-ignore no-explicit-any
export function serviceKey<D extends AnyDefinition = any>(id: string): ServiceKey<D> {
  if (typeof id !== "string" || id === "") throw new InvalidArgumentError(`serviceKey needs a non-empty string id; got ${String(id)}.`);
  return { id };
}

/**
 * The refs registered under a key, as subscribers are told them.
 *
 * @example
 * ```ts
 * const onListing = (listing: Listing<typeof Counter>) => console.log(listing.key, listing.refs.length);
 * ```
 */
// deno-lint-ignore no-explicit-any
export interface Listing<D extends AnyDefinition = any> {
  /** The key's id. */
  key: string;
  /** The registered refs, in registration order. */
  refs: ActorRef<D>[];
}

interface ReceptionistState {
  services: Map<string, Map<number, ActorRef>>;
  subscribers: Map<string, Map<number, { ref: ActorRef; name: string }>>;
  watched: Set<number>;
}

/**
 * The receptionist owner's protocol.
 *
 * @example
 * ```ts
 * const ids = await receptionist.owner.ask("keys");
 * ```
 */
export interface ReceptionistHandlers {
  register(state: ReceptionistState, r: { key: string; ref: ActorRef }, ctx: ActorContext): Promise<boolean>;
  deregister(state: ReceptionistState, r: { key: string; ref: ActorRef }): boolean;
  find(state: ReceptionistState, key: string): ActorRef[];
  subscribe(state: ReceptionistState, s: { key: string; ref: ActorRef; name: string }, ctx: ActorContext): Promise<void>;
  unsubscribe(state: ReceptionistState, s: { key: string; ref: ActorRef }): boolean;
  keys(state: ReceptionistState): string[];
  close(state: ReceptionistState, _: void, ctx: ActorContext): null;
}

const listingOf = (state: ReceptionistState, key: string): Listing => ({ key, refs: [...(state.services.get(key)?.values() ?? [])] });

function notify(state: ReceptionistState, key: string): void {
  const subs = state.subscribers.get(key);
  if (!subs) return;
  const listing = listingOf(state, key);
  for (const { ref, name } of subs.values()) {
    try {
      ref.tell(name, listing);
    } catch {
      // A full (reject) mailbox refuses it: that subscriber misses this listing; the next one is complete.
    }
  }
}

async function watch(state: ReceptionistState, ref: ActorRef, ctx: ActorContext): Promise<void> {
  if (ref.worker < 0 || state.watched.has(ref.address)) return; // main-loop refs (probes) cannot be watched
  state.watched.add(ref.address);
  await ctx.watch(ref);
}

/**
 * The owner actor of a receptionist (spawned by `Receptionist.open`; exported so workers find it).
 *
 * @example
 * ```ts
 * const owner = await system.spawn(ReceptionistOwner);
 * ```
 */
export const ReceptionistOwner: ActorDefinition<void, ReceptionistState, ReceptionistHandlers> = defineActor(import.meta.url, {
  name: "ReceptionistOwner",
  init: (): ReceptionistState => ({ services: new Map(), subscribers: new Map(), watched: new Set() }),
  handlers: {
    async register(state, { key, ref }: { key: string; ref: ActorRef }, ctx) {
      let refs = state.services.get(key);
      if (!refs) state.services.set(key, refs = new Map());
      if (refs.has(ref.address)) return false;
      refs.set(ref.address, ref);
      await watch(state, ref, ctx);
      notify(state, key);
      return true;
    },
    deregister(state, { key, ref }: { key: string; ref: ActorRef }) {
      if (!state.services.get(key)?.delete(ref.address)) return false;
      notify(state, key);
      return true;
    },
    find(state, key: string) {
      return listingOf(state, key).refs;
    },
    async subscribe(state, { key, ref, name }: { key: string; ref: ActorRef; name: string }, ctx) {
      let subs = state.subscribers.get(key);
      if (!subs) state.subscribers.set(key, subs = new Map());
      subs.set(ref.address, { ref, name });
      await watch(state, ref, ctx);
      ref.tell(name, listingOf(state, key)); // the current listing at once, as Akka does
    },
    unsubscribe(state, { key, ref }: { key: string; ref: ActorRef }) {
      return state.subscribers.get(key)?.delete(ref.address) ?? false;
    },
    keys(state) {
      return [...state.services].filter(([, refs]) => refs.size > 0).map(([key]) => key);
    },
    close(_state, _: void, ctx) {
      ctx.stop();
      return null;
    },
  },
  onTerminated(state, t: Terminated) {
    const address = t.actor.address;
    state.watched.delete(address);
    for (const subs of state.subscribers.values()) subs.delete(address);
    for (const [key, refs] of state.services) if (refs.delete(address)) notify(state, key);
  },
});

/**
 * A receptionist handle: send it anywhere; any holder registers, finds and subscribes.
 *
 * @example
 * ```ts
 * const receptionist = await Receptionist.open(system, { worker: 0 });
 * worker.tell("start", receptionist); // the actor registers itself with it
 * ```
 */
export class Receptionist implements AsyncDisposable {
  /** The owner actor's ref. */
  readonly owner: ActorRef<typeof ReceptionistOwner>;

  /** @internal made by {@link Receptionist.open} and the wire. */
  constructor(owner: ActorRef<typeof ReceptionistOwner>) {
    this.owner = owner;
  }

  /**
   * Opens a receptionist: spawns its owner with `spawner` (an `ActorSystem`, or an actor's `ctx`).
   *
   * @example
   * ```ts
   * const receptionist = await Receptionist.open(system);
   * ```
   */
  static async open(spawner: Spawner, options?: PlacementOptions): Promise<Receptionist> {
    checkObject("Receptionist.open options", options);
    if (options?.worker !== undefined) checkInt("Receptionist.open option worker", options.worker, 0);
    return new Receptionist(
      await spawner.spawn(ReceptionistOwner, undefined, options?.worker === undefined ? {} : { worker: options.worker }),
    );
  }

  /**
   * Registers `ref` under `key` (it is listed until it stops or is deregistered). Resolves
   * with false when it was registered already.
   *
   * @example
   * ```ts
   * await receptionist.register(serviceKey<typeof Counter>("counter"), counter);
   * ```
   */
  async register<D extends AnyDefinition>(key: ServiceKey<D>, ref: ActorRef<NoInfer<D>>): Promise<boolean> {
    return await this.owner.ask("register", { key: idOf(key), ref: ref as ActorRef });
  }

  /**
   * Takes `ref` out of `key`'s listing. Resolves with whether it was there.
   *
   * @example
   * ```ts
   * await receptionist.deregister(CounterService, counter);
   * ```
   */
  async deregister<D extends AnyDefinition>(key: ServiceKey<D>, ref: ActorRef<NoInfer<D>>): Promise<boolean> {
    return await this.owner.ask("deregister", { key: idOf(key), ref: ref as ActorRef });
  }

  /**
   * The refs registered under `key` now.
   *
   * @example
   * ```ts
   * const counters = await receptionist.find(CounterService);
   * ```
   */
  async find<D extends AnyDefinition>(key: ServiceKey<D>): Promise<ActorRef<D>[]> {
    return await this.owner.ask("find", idOf(key)) as ActorRef<D>[];
  }

  /**
   * Tells `subscriber` the key's {@link Listing} as message `name` now and after every
   * change (a register, a deregister, a registered actor that stopped).
   *
   * @example
   * ```ts
   * using watcher = TestProbe.create<{ listing: Listing<typeof Counter> }>(system);
   * await receptionist.subscribe(CounterService, watcher.ref, "listing");
   * ```
   */
  async subscribe<D extends AnyDefinition, S extends AnyDefinition>(
    key: ServiceKey<D>,
    subscriber: ActorRef<S>,
    name: NamesAccepting<S, Listing<D>>,
  ): Promise<void> {
    await this.owner.ask("subscribe", { key: idOf(key), ref: subscriber as ActorRef, name: name as string });
  }

  /**
   * Stops telling `subscriber` about `key`. Resolves with whether it was subscribed.
   *
   * @example
   * ```ts
   * await receptionist.unsubscribe(CounterService, counter);
   * ```
   */
  async unsubscribe(key: ServiceKey, subscriber: ActorRef): Promise<boolean> {
    return await this.owner.ask("unsubscribe", { key: idOf(key), ref: subscriber });
  }

  /**
   * Closes the receptionist: its owner stops.
   *
   * @example
   * ```ts
   * await receptionist.close();
   * ```
   */
  async close(): Promise<void> {
    await this.owner.ask("close").catch(() => undefined); // closed already
  }

  /**
   * `await using` closes it at the end of the scope.
   *
   * @example
   * ```ts
   * { await using r = await Receptionist.open(system); } // closed here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return `Receptionist(${this.owner.label})`;
  }
}

function idOf(key: ServiceKey): string {
  if (typeof key?.id !== "string" || key.id === "") throw new InvalidArgumentError("a service key is made by serviceKey(id).");
  return key.id;
}

registerHandleCodec<Receptionist>("missive.actors.receptionist", {
  is: (v) => v instanceof Receptionist,
  toWire: (r) => [r.owner],
  fromWire: (data) => new Receptionist((data as [ActorRef<typeof ReceptionistOwner>])[0]),
}, import.meta.url);

/**
 * Pub/sub topics (Akka typed's `Topic`, Erlang's `pg`): actors subscribe with one of their
 * message names, and everything published is told to every subscriber under that name. A
 * topic is owned by a small actor; the `Topic<T>` handle travels in messages, so actors on
 * any worker (and the main loop) publish and subscribe. Subscribers are watched: one that
 * stops is removed (a probe on the main loop cannot be watched; it stays until unsubscribed).
 *
 * Order: what one publisher publishes reaches each subscriber in publishing order (FIFO
 * publisher → owner → subscriber). A subscriber whose mailbox refuses a message (bounded,
 * full) misses it; it is a dead letter as usual, and the others still get it.
 *
 * @example
 * ```ts
 * const news = await Topic.open<string>(system);
 * using probe = TestProbe.create<{ news: string }>(system);
 * await news.subscribe(probe.ref, "news");   // any actor whose "news" handler takes a string
 * news.publish("hello");                     // every subscriber gets news("hello")
 * ```
 * @module
 */
import {
  type ActorContext,
  type ActorDefinition,
  type ActorRef,
  type AnyDefinition,
  type ArgOf,
  defineActor,
  type HandlersOf,
  type IsAny,
  type MessageName,
  type PlacementOptions,
  registerHandleCodec,
  type Spawner,
  type Terminated,
} from "../mod.ts";
import { checkInt, checkObject } from "./errors.ts";

/**
 * The message names of `D` whose handler accepts a `T` (any name for an untyped ref).
 *
 * @example
 * ```ts
 * type Ok = NamesAccepting<typeof Counter, number>; // "inc"
 * ```
 */
export type NamesAccepting<D, T> = IsAny<D> extends true ? string
  : { [K in MessageName<D>]: [T] extends [ArgOf<HandlersOf<D>[K & keyof HandlersOf<D>]>] ? K : never }[MessageName<D>];

interface Subscriber {
  ref: ActorRef;
  names: Set<string>;
}

/** The owner's state. */
interface TopicState {
  subscribers: Map<number, Subscriber>;
  published: number;
}

/**
 * The topic owner's protocol.
 *
 * @example
 * ```ts
 * const n = await topic.owner.ask("count"); // subscriptions
 * ```
 */
export interface TopicOwnerHandlers {
  subscribe(state: TopicState, s: { ref: ActorRef; name: string }, ctx: ActorContext): Promise<number>;
  unsubscribe(state: TopicState, s: { ref: ActorRef; name?: string }, ctx: ActorContext): boolean;
  publish(state: TopicState, message: unknown): number;
  subscribers(state: TopicState): ActorRef[];
  count(state: TopicState): number;
  close(state: TopicState, _: void, ctx: ActorContext): null;
}

const count = (state: TopicState) => [...state.subscribers.values()].reduce((n, s) => n + s.names.size, 0);

/**
 * The owner actor of one topic (spawned by `Topic.open`; exported so workers find it).
 *
 * @example
 * ```ts
 * const owner = await system.spawn(TopicOwner);
 * ```
 */
export const TopicOwner: ActorDefinition<void, TopicState, TopicOwnerHandlers> = defineActor(import.meta.url, {
  name: "TopicOwner",
  init: (): TopicState => ({ subscribers: new Map(), published: 0 }),
  handlers: {
    async subscribe(state, { ref, name }: { ref: ActorRef; name: string }, ctx) {
      const known = state.subscribers.get(ref.address);
      if (known) known.names.add(name);
      else {
        state.subscribers.set(ref.address, { ref, names: new Set([name]) });
        // A subscriber that stops is removed (onTerminated). Refs on the main loop (test
        // probes) cannot be watched: they stay until unsubscribed.
        if (ref.worker >= 0) await ctx.watch(ref);
      }
      return count(state);
    },
    unsubscribe(state, { ref, name }: { ref: ActorRef; name?: string }, ctx) {
      const known = state.subscribers.get(ref.address);
      if (!known) return false;
      const removed = name === undefined ? known.names.size > 0 : known.names.delete(name);
      if (name === undefined) known.names.clear();
      if (known.names.size === 0) {
        state.subscribers.delete(ref.address);
        if (ref.worker >= 0) ctx.unwatch(ref);
      }
      return removed;
    },
    publish(state, message: unknown) {
      state.published++;
      let sent = 0;
      for (const { ref, names } of state.subscribers.values()) {
        for (const name of names) {
          try {
            ref.tell(name, message);
            sent++;
          } catch {
            // A full (reject) mailbox refuses it: that subscriber misses this one, the others do not.
          }
        }
      }
      return sent;
    },
    subscribers(state) {
      return [...state.subscribers.values()].map((s) => s.ref);
    },
    count(state) {
      return count(state);
    },
    close(_state, _: void, ctx) {
      ctx.stop();
      return null;
    },
  },
  onTerminated(state, t: Terminated) {
    state.subscribers.delete(t.actor.address);
  },
});

/**
 * A topic of messages of type `T`: send the handle anywhere; any holder can publish and
 * subscribe.
 *
 * @example
 * ```ts
 * const prices = await Topic.open<number>(system, { worker: 0 });
 * await prices.subscribe(counter, "inc"); // Counter's inc takes a number
 * prices.publish(3);
 * ```
 */
export class Topic<T> implements AsyncDisposable {
  /** The owner actor's ref. */
  readonly owner: ActorRef<typeof TopicOwner>;

  /** @internal made by {@link Topic.open} and the wire. */
  constructor(owner: ActorRef<typeof TopicOwner>) {
    this.owner = owner;
  }

  /**
   * Opens a topic: spawns its owner with `spawner` (an `ActorSystem`, or an actor's `ctx`:
   * the owner is then its child and stops with it).
   *
   * @example
   * ```ts
   * const events = await Topic.open<{ kind: string }>(system);
   * ```
   */
  static async open<T>(spawner: Spawner, options?: PlacementOptions): Promise<Topic<T>> {
    checkObject("Topic.open options", options);
    if (options?.worker !== undefined) checkInt("Topic.open option worker", options.worker, 0);
    const owner = await spawner.spawn(TopicOwner, undefined, options?.worker === undefined ? {} : { worker: options.worker });
    return new Topic<T>(owner);
  }

  /**
   * Subscribes `ref`: every message published from now on is told to it as `name`, whose
   * handler must take a `T`. Resolves once the subscription (and its watch) is in place;
   * subscribing again with the same name changes nothing.
   *
   * @example
   * ```ts
   * await topic.subscribe(counter, "inc");
   * ```
   */
  async subscribe<S extends AnyDefinition>(ref: ActorRef<S>, name: NamesAccepting<S, T>): Promise<void> {
    await this.owner.ask("subscribe", { ref: ref as ActorRef, name: name as string });
  }

  /**
   * Unsubscribes `ref` from `name` (from every name without one). Resolves with whether it
   * was subscribed.
   *
   * @example
   * ```ts
   * await topic.unsubscribe(counter);
   * ```
   */
  unsubscribe(ref: ActorRef, name?: string): Promise<boolean> {
    return this.owner.ask("unsubscribe", name === undefined ? { ref } : { ref, name });
  }

  /**
   * Publishes to every subscriber (a tell: it does not wait). Throws as `tell` does.
   *
   * @example
   * ```ts
   * topic.publish(1);
   * ```
   */
  publish(message: T): void {
    this.owner.tell("publish", message);
  }

  /**
   * Publishes, and resolves with how many subscriptions it was told to (once the owner
   * has sent it on; not once they processed it).
   *
   * @example
   * ```ts
   * const reached = await topic.publishAndCount(1);
   * ```
   */
  publishAndCount(message: T): Promise<number> {
    return this.owner.ask("publish", message);
  }

  /**
   * The subscribed refs.
   *
   * @example
   * ```ts
   * const refs = await topic.subscribers();
   * ```
   */
  subscribers(): Promise<ActorRef[]> {
    return this.owner.ask("subscribers");
  }

  /**
   * Closes the topic: its owner stops; later publishes are dead letters.
   *
   * @example
   * ```ts
   * await topic.close();
   * ```
   */
  async close(): Promise<void> {
    await this.owner.ask("close").catch(() => undefined); // closed already: nothing to do
  }

  /**
   * `await using` closes the topic at the end of the scope.
   *
   * @example
   * ```ts
   * { await using t = await Topic.open<number>(system); } // closed here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return `Topic(${this.owner.label})`;
  }
}

registerHandleCodec<Topic<unknown>>("missive.actors.topic", {
  is: (v) => v instanceof Topic,
  toWire: (t) => [t.owner],
  fromWire: (data) => new Topic((data as [ActorRef<typeof TopicOwner>])[0]),
}, import.meta.url);

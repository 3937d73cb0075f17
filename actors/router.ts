/**
 * Routers: one typed front for a set of actors of one protocol (Akka typed's group
 * router). A router is a plain object on the loop that uses it — the main loop, or inside
 * an actor — not an actor: a routed message goes straight to the routee (no extra hop), so
 * FIFO per sender–routee pair holds and asks are answered by the routee itself.
 *
 * @example
 * ```ts
 * const router = new Router([counter, await system.spawn(Counter, 0)], roundRobin());
 * router.tell("inc", 1);            // to one routee, in turn
 * router.broadcast("inc", 10);      // to every routee
 * const n = await router.ask("get"); // number, from the routee picked
 * ```
 * @module
 */
import type { ActorRef, AnyDefinition, AskArgs, AskReply, MessageName, SendArgs, SystemMetrics, TellArgs } from "../mod.ts";
import { NoRouteesError } from "./errors.ts";
import { roundRobin, type RoutingLogic } from "./routing.ts";

/**
 * Routes each message to one of its routees by a {@link RoutingLogic}; `broadcast` sends
 * to all. Routees can be added and removed at any time.
 *
 * @example
 * ```ts
 * const router = new Router<typeof Counter>([], leastLoaded());
 * router.add(counter);
 * ```
 */
// deno-lint-ignore no-explicit-any
export class Router<D extends AnyDefinition = any> {
  #routees: ActorRef<D>[] = [];
  /** How routees are picked. */
  readonly logic: RoutingLogic;

  constructor(routees: Iterable<ActorRef<D>> = [], logic: RoutingLogic = roundRobin()) {
    this.logic = logic;
    for (const ref of routees) if (!this.#routees.some((r) => same(r, ref))) this.#routees.push(ref);
    this.logic.routeesChanged?.(this.#routees);
  }

  /** The routees, in the order they were added. */
  get routees(): readonly ActorRef<D>[] {
    return this.#routees.slice();
  }

  /** How many routees there are. */
  get size(): number {
    return this.#routees.length;
  }

  /**
   * Adds a routee; false when it is one already.
   *
   * @example
   * ```ts
   * router.add(await system.spawn(Counter, 0));
   * ```
   */
  add(ref: ActorRef<D>): boolean {
    if (this.#routees.some((r) => same(r, ref))) return false;
    this.#routees.push(ref);
    this.logic.routeesChanged?.(this.#routees);
    return true;
  }

  /**
   * Removes a routee (it gets no more messages from this router); false when it was not one.
   *
   * @example
   * ```ts
   * router.remove(counter);
   * ```
   */
  remove(ref: ActorRef): boolean {
    const i = this.#routees.findIndex((r) => same(r, ref));
    if (i < 0) return false;
    this.#routees.splice(i, 1);
    this.logic.routeesChanged?.(this.#routees);
    return true;
  }

  /**
   * The routee the logic picks for this message (the next `tell`, `send` or `ask` with the
   * same message picks again). Throws `NoRouteesError` when there is none.
   *
   * @example
   * ```ts
   * const target = router.pick("inc", 1);
   * ```
   */
  pick<K extends MessageName<D>>(name: K, ...args: TellArgs<D, K>): ActorRef<D> {
    if (this.#routees.length === 0) throw new NoRouteesError(`${this}`, name);
    const i = this.logic.select(this.#routees, name, args[0]);
    return this.#routees[i] ?? this.#routees[0]!;
  }

  /**
   * Sends to one routee (throws as `ref.tell` does, and `NoRouteesError`).
   *
   * @example
   * ```ts
   * router.tell("inc", 1);
   * ```
   */
  tell<K extends MessageName<D>>(name: K, ...args: TellArgs<D, K>): void {
    const ref = this.pick(name, ...args);
    ref.tell(name, ...args);
    this.logic.sent?.(ref, false);
  }

  /**
   * Sends to one routee, waiting for mailbox room as `ref.send` does.
   *
   * @example
   * ```ts
   * await router.send("inc", 1, { signal });
   * ```
   */
  send<K extends MessageName<D>>(name: K, ...args: SendArgs<D, K>): Promise<void> {
    let ref: ActorRef<D>;
    try {
      ref = this.pick(name, ...(args.slice(0, 1) as TellArgs<D, K>));
    } catch (e) {
      return Promise.reject(e);
    }
    const sent = ref.send(name, ...args);
    this.logic.sent?.(ref, false);
    return sent;
  }

  /**
   * Asks one routee; the reply is the routee's.
   *
   * @example
   * ```ts
   * const n: number = await router.ask("get");
   * ```
   */
  ask<K extends MessageName<D>>(name: K, ...args: AskArgs<D, K>): Promise<AskReply<D, K>> {
    let ref: ActorRef<D>;
    try {
      ref = this.pick(name, ...(args.slice(0, 1) as TellArgs<D, K>));
    } catch (e) {
      return Promise.reject(e);
    }
    const reply = ref.ask(name, ...args);
    this.logic.sent?.(ref, true);
    if (this.logic.settled) {
      const done = () => this.logic.settled!(ref);
      reply.then(done, done);
    }
    return reply;
  }

  /**
   * Sends the message to every routee. Returns how many it was sent to.
   *
   * @example
   * ```ts
   * router.broadcast("inc", 1);
   * ```
   */
  broadcast<K extends MessageName<D>>(name: K, ...args: TellArgs<D, K>): number {
    for (const ref of this.#routees) {
      ref.tell(name, ...args);
      this.logic.sent?.(ref, false);
    }
    return this.#routees.length;
  }

  /**
   * Resolves once every routee has processed what this loop sent it before the call.
   *
   * @example
   * ```ts
   * router.broadcast("inc", 1);
   * await router.flush();
   * ```
   */
  async flush(): Promise<void> {
    await Promise.all(this.#routees.map((r) => r.flush()));
  }

  /**
   * Gives the logic the routees' mailbox depths from a metrics snapshot (used by
   * `leastLoaded()`; other logics ignore it).
   *
   * @example
   * ```ts
   * router.updateLoad(await system.metrics());
   * ```
   */
  updateLoad(metrics: SystemMetrics): void {
    if (!this.logic.load) return;
    const mine = new Set(this.#routees.map((r) => r.address));
    const depths = new Map<number, number>();
    for (const w of metrics.workers) for (const a of w.actors) if (mine.has(a.address)) depths.set(a.address, a.mailboxDepth);
    this.logic.load(depths);
  }

  toString(): string {
    return `${this.logic.name} router (${this.#routees.length} routees)`;
  }
}

/** Same actor (by node and address; works for refs of any protocol). */
function same(a: ActorRef, b: ActorRef): boolean {
  return a.address === b.address && a.node === b.node;
}

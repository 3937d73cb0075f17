/**
 * Routing logics: how a {@link Router} picks the routee for a message (Akka's
 * `RoutingLogic`). A logic is a small stateful object, one per router; the router tells it
 * when the routees change, when a message went out and when an ask settled, and passes it
 * mailbox depths from `system.metrics()`.
 *
 * | logic                    | picks                                                                                         |
 * | ------------------------ | --------------------------------------------------------------------------------------------- |
 * | `roundRobin()`           | each routee in turn: over any run of messages to a fixed set, counts differ by at most one    |
 * | `random()`               | uniformly at random (pass a seeded `rng` for tests)                                           |
 * | `leastLoaded()`          | the smallest mailbox depth (last metrics) + messages sent since + asks in flight; ties in turn |
 * | `consistentHash(keyOf)`  | the owner of the message's key on a hash ring: the same key, the same routee                  |
 *
 * @example
 * ```ts
 * const byUser = consistentHash((arg: { user: string }) => arg.user);
 * const router = new Router([counter], byUser);
 * ```
 * @module
 */
import type { ActorRef } from "../mod.ts";
import { HashRing, type HashRingOptions } from "./hash-ring.ts";

/**
 * How a router picks a routee. Make one per router (it keeps state).
 *
 * @example
 * ```ts
 * const first: RoutingLogic = { name: "first", select: () => 0 }; // always the oldest routee
 * ```
 */
export interface RoutingLogic {
  /** Its name, for errors and `toString`. */
  readonly name: string;
  /** The index in `routees` (never empty) of the routee for message `name` with `arg`. */
  select(routees: readonly ActorRef[], name: string, arg: unknown): number;
  /** The set of routees changed (added, removed). */
  routeesChanged?(routees: readonly ActorRef[]): void;
  /** A message went to `ref`; `ask` says whether {@link settled} will follow. */
  sent?(ref: ActorRef, ask: boolean): void;
  /** An ask to `ref` settled (replied, failed or timed out). */
  settled?(ref: ActorRef): void;
  /** Mailbox depths by actor address, from `system.metrics()`. */
  load?(depths: ReadonlyMap<number, number>): void;
}

/**
 * Each routee in turn.
 *
 * @example
 * ```ts
 * const router = new Router(workers, roundRobin());
 * ```
 */
export function roundRobin(): RoutingLogic {
  let next = 0;
  return {
    name: "round-robin",
    select(routees) {
      const i = next % routees.length;
      next = (i + 1) % routees.length;
      return i;
    },
  };
}

/**
 * A routee drawn uniformly at random by `rng` (default `Math.random`).
 *
 * @example
 * ```ts
 * const router = new Router(workers, random());
 * ```
 */
export function random(rng: () => number = Math.random): RoutingLogic {
  return {
    name: "random",
    select: (routees) => Math.min(routees.length - 1, Math.floor(rng() * routees.length)),
  };
}

/**
 * The routee with the least work: its mailbox depth in the last metrics given to the
 * router (`router.updateLoad(await system.metrics())`, or `pool.refreshLoad()`), plus the
 * messages the router sent it since, plus its asks still in flight. Ties go in turn.
 *
 * @example
 * ```ts
 * const router = new Router(workers, leastLoaded());
 * router.updateLoad(await system.metrics());
 * ```
 */
export function leastLoaded(): RoutingLogic {
  let depths: ReadonlyMap<number, number> = new Map();
  const since = new Map<number, number>();
  const inFlight = new Map<number, number>();
  let next = 0;
  const bump = (m: Map<number, number>, address: number, by: number) => {
    const v = (m.get(address) ?? 0) + by;
    if (v > 0) m.set(address, v);
    else m.delete(address);
  };
  return {
    name: "least-loaded",
    select(routees) {
      let best = -1;
      let bestScore = Infinity;
      for (let k = 0; k < routees.length; k++) {
        const i = (next + k) % routees.length;
        const a = routees[i]!.address;
        const score = (depths.get(a) ?? 0) + (since.get(a) ?? 0) + (inFlight.get(a) ?? 0);
        if (score < bestScore) {
          best = i;
          bestScore = score;
        }
      }
      next = (best + 1) % routees.length;
      return best;
    },
    sent(ref, ask) {
      bump(ask ? inFlight : since, ref.address, 1);
    },
    settled(ref) {
      bump(inFlight, ref.address, -1);
    },
    load(d) {
      depths = d;
      since.clear();
    },
    routeesChanged(routees) {
      const live = new Set(routees.map((r) => r.address));
      for (const m of [since, inFlight]) for (const a of m.keys()) if (!live.has(a)) m.delete(a);
    },
  };
}

/**
 * The routee that owns the message's key on a consistent-hash ring (see `HashRing`): the
 * same key always goes to the same routee while it is there; adding a routee moves about
 * 1/n of the keys (all to it), removing one moves only its own. `keyOf` gets the message
 * argument and name.
 *
 * @example
 * ```ts
 * const router = new Router(workers, consistentHash((order: { customer: string }) => order.customer));
 * router.tell("place", { customer: "c-17" }); // every order of c-17 goes to one worker, in order
 * ```
 */
// deno-lint-ignore no-explicit-any
export function consistentHash<A = any>(keyOf: (arg: A, name: string) => string | number, options?: HashRingOptions): RoutingLogic {
  let ring = new HashRing([], options); // checks the options now
  let index = new Map<string, number>();
  const id = (ref: ActorRef) => `${ref.node}:${ref.address}`;
  return {
    name: "consistent-hash",
    select(routees, name, arg) {
      if (index.size !== routees.length) this.routeesChanged!(routees);
      const owner = ring.nodeFor(keyOf(arg as A, name));
      return index.get(owner!) ?? 0;
    },
    routeesChanged(routees) {
      ring = new HashRing(routees.map(id), options);
      index = new Map(routees.map((r, i) => [id(r), i]));
    },
  };
}

/**
 * Missive's ready-made actors (`missive-actors/actors`): routers and resizable pools, a
 * pub/sub topic, scatter-gather, a receptionist (service registry), a rate limiter, a
 * circuit breaker and timers. Built on the public API of `missive-actors` only.
 *
 * @example
 * ```ts
 * import { Pool, scatterGather } from "missive-actors/actors";
 * const pool = await Pool.spawn(system, Counter, { size: 4, arg: 0 });
 * pool.broadcast("inc", 1);
 * const { replies } = await scatterGather(pool.routees, "get", undefined, { deadline: 1_000 });
 * ```
 * @module
 */
export { CircuitOpenError, NoRouteesError, RateLimitedError } from "./errors.ts";
export { hash32, HashRing } from "./hash-ring.ts";
export type { HashRingOptions } from "./hash-ring.ts";
export { consistentHash, leastLoaded, random, roundRobin } from "./routing.ts";
export type { RoutingLogic } from "./routing.ts";
export { Router } from "./router.ts";
export { Pool } from "./pool.ts";
export type { PoolOptions } from "./pool.ts";
export { Topic } from "./topic.ts";
export type { NamesAccepting } from "./topic.ts";
export { scatterGather } from "./scatter-gather.ts";
export type { Gathered, GatherOptions } from "./scatter-gather.ts";
export { Receptionist, serviceKey } from "./receptionist.ts";
export type { Listing, ServiceKey } from "./receptionist.ts";
export { RateLimiter, TokenBucket } from "./rate-limiter.ts";
export type { AcquireOptions, RateLimiterOptions, TokenBucketOptions } from "./rate-limiter.ts";
export { CircuitBreaker } from "./circuit-breaker.ts";
export type { CircuitBreakerOptions, CircuitState } from "./circuit-breaker.ts";
export { TimerScheduler } from "./timers.ts";
export { Scheduler } from "./scheduler.ts";

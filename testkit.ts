/**
 * Missive's testkit: `TestProbe`, a mailbox on the main loop whose `ref` you give to
 * actors, to see from a test what they send.
 *
 * @example
 * ```ts
 * import { TestProbe } from "missive-actors/testkit";
 * using probe = TestProbe.create(system);
 * const pinger = await system.spawn(Pinger, probe.ref);
 * pinger.tell("ping", 3);
 * const { name, arg } = await probe.receive(); // "pong", 3
 * ```
 * @module
 */
export { TestProbe } from "./src/testkit/probe.ts";
export type { ProbeMessage, ReceiveOptions } from "./src/testkit/probe.ts";

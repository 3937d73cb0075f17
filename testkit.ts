/**
 * Missive's testkit: probes to observe actors from tests, and (see `src/testkit/`) helpers
 * to property-test your own actors.
 *
 * @example
 * ```ts
 * import { TestProbe } from "missive/testkit";
 * using probe = TestProbe.create(system);
 * ```
 * @module
 */
export { TestProbe } from "./src/testkit/probe.ts";
export type { ProbeMessage, ReceiveOptions } from "./src/testkit/probe.ts";

/**
 * Missive's testkit: `TestProbe`, a mailbox on the main loop whose `ref` you give to
 * actors, with expectations that say what did arrive when they fail; `expectNoMessage`
 * waits for quiescence (acknowledgements), never for a duration.
 *
 * @example
 * ```ts
 * import { TestProbe } from "missive-actors/testkit";
 * using probe = TestProbe.create<{ pong: number }>(system);
 * const pinger = await system.spawn(Pinger, probe.ref);
 * pinger.tell("ping", 3);
 * const { arg } = await probe.expectMessage("pong"); // 3
 * await probe.expectNoMessage();
 * ```
 * @module
 */
export { ProbeExpectationError, TestProbe } from "./src/testkit/probe.ts";
export type {
  ExpectOptions,
  MessageMatcher,
  ProbeDefinition,
  ProbeMessage,
  ProbeMessageOf,
  ProbeProtocol,
  ReceiveOptions,
} from "./src/testkit/probe.ts";
export type { ProbeHostSource } from "./src/testkit/probe-host.ts";
export { TestSystem } from "./src/testkit/test-system.ts";
export type { TestShutdownReport, TestSystemOptions } from "./src/testkit/test-system.ts";
export { choiceScheduler, fastCheckScheduler, seededScheduler } from "./src/testkit/schedulers.ts";
export type { ChoiceScheduler, DeliveryScheduler, FastCheckSchedulerLike } from "./src/testkit/schedulers.ts";
export { actorModel, ModelMismatchError } from "./src/testkit/model.ts";
export type {
  ActorModel,
  ArbitraryLike,
  FastCheckLike,
  MessageModel,
  ModelCheckOptions,
  ModelRunOptions,
  ModelSpec,
  SpawnHost,
} from "./src/testkit/model.ts";
export { VirtualClock } from "./src/testkit/virtual-clock.ts";

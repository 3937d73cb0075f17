/**
 * What a probe needs from the system it lives in: the main loop (its mailbox, refs,
 * requests such as `watch`) and a quiescence wait. An `ActorSystem` provides both; other
 * systems (the testkit's deterministic one) register theirs with {@link registerProbeHost}.
 *
 * @example
 * ```ts
 * const host = probeHostOf(system);
 * await host.quiescent(); // nothing queued, running or in flight
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { ActorSystem, labelOf, mainLoopOf, whenQuiescent } from "../system/actor-system.ts";
import type { Loop } from "../system/loop.ts";

/** The main loop of a system, and its quiescence. */
export interface ProbeHost {
  readonly loop: Loop;
  /** Resolves once nothing is queued, running or in flight; rejects with `signal`'s reason. */
  quiescent(signal?: AbortSignal): Promise<void>;
  /** The label of the live actor at `address` (for readable senders), if known. */
  labelOf(address: number): string | undefined;
}

/** What a probe can be created on: an `ActorSystem`, or a system that registered itself. */
export type ProbeHostSource = ActorSystem | { readonly [probeHostKey]: true };

/** Brand of systems that registered a probe host. */
export const probeHostKey: unique symbol = Symbol("missive.probeHost");

const hosts = new WeakMap<object, ProbeHost>();

/** Registers the probe host of `system` (a system other than `ActorSystem`). */
export function registerProbeHost(system: object, host: ProbeHost): void {
  hosts.set(system, host);
}

/** The probe host of `system`; throws `InvalidArgumentError` for anything else. */
export function probeHostOf(system: ProbeHostSource): ProbeHost {
  const registered = hosts.get(system);
  if (registered !== undefined) return registered;
  if (system instanceof ActorSystem) {
    const host: ProbeHost = {
      loop: mainLoopOf(system),
      quiescent: (signal) => whenQuiescent(system, signal),
      labelOf: (address) => labelOf(system, address),
    };
    hosts.set(system, host);
    return host;
  }
  throw new InvalidArgumentError(`TestProbe.create expects an ActorSystem (or a TestSystem); got ${String(system)}.`);
}

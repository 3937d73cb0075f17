/**
 * `pingpong-refs`: ping-pong between two actors on one worker where every `ping` is the
 * ref to answer, against the same ping-pong answering `ctx.sender` (see
 * `../actors/ref-pingpong.ts`): the cost of a ref as a message over a message without
 * one. A third row puts the ref in a `{ replyTo, n }` object (every object is copied on
 * the same loop; shown, not a target).
 * @module
 */
import type { ActorRef } from "../../mod.ts";
import { RefPingDriver, type RefPingMode } from "../actors/ref-pingpong.ts";
import type { BenchmarkFactory, CaseRunner, CaseSpec } from "../harness/types.ts";
import { rateMetric, startSystem, timeMetric } from "./common.ts";

function pingCase(name: string, role: "missive" | "baseline", mode: RefPingMode, pings: number): CaseSpec {
  return {
    name,
    role,
    async setup(): Promise<CaseRunner> {
      const { system, close } = await startSystem({ workers: 1 });
      const driver: ActorRef<typeof RefPingDriver> = await system.spawn(RefPingDriver, undefined, { worker: 0 });
      return {
        async run() {
          const r = await driver.ask("run", { pings, mode }, { timeout: 170_000 });
          return { metrics: { rate: (r.messages / r.elapsedMs) * 1000, ms: r.elapsedMs }, check: r.check };
        },
        close,
      };
    },
  };
}

/** `pingpong-refs`: msgs/s with a reply ref in every message vs with `ctx.sender`. */
export const pingPongRefs: BenchmarkFactory = (size) => {
  const pings = size === "full" ? 40_000 : 2_000;
  return {
    name: "pingpong-refs",
    title: "in-loop ping-pong (1 worker): reply ref in every message vs ctx.sender",
    metrics: [rateMetric(), timeMetric],
    params: { pings },
    notes: [],
    cases: [
      pingCase("missive", "missive", "ref", pings),
      pingCase("ref in { replyTo, n }", "baseline", "ref-in-object", pings),
      pingCase("ctx.sender", "baseline", "sender", pings),
    ],
  };
};

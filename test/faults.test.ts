/**
 * Property test under faults (fast-check): random workloads with random fault schedules —
 * handlers that throw, workers killed mid-stream, bounded mailboxes that refuse — and
 * still: every ask settles, FIFO holds for what was delivered, every tell that was
 * accepted is either processed or counted in dead letters, and shutdown completes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ActorRef, ActorSystem, type DeadLetter, MailboxFullError, runtimeName } from "../mod.ts";
import { workerHandleOf } from "../src/system/actor-system.ts";
import { TestProbe } from "../testkit.ts";
import { Reporting, ReportingStop } from "./fixtures/faulty.ts";
import { BoundedReporting } from "./fixtures/bounded-reporting.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 25);

type Op =
  | { kind: "tell"; to: number; fail: boolean }
  | { kind: "ask"; to: number }
  | { kind: "crash"; worker: 0 | 1 };

const scenario = fc.record({
  receivers: fc.array(
    fc.record({ worker: fc.constantFrom<0 | 1>(0, 1), type: fc.constantFrom("restart", "stop", "bounded") }),
    { minLength: 1, maxLength: 4 },
  ),
  ops: fc.array(
    fc.oneof(
      { weight: 20, arbitrary: fc.record({ kind: fc.constant("tell" as const), to: fc.nat({ max: 3 }), fail: fc.boolean() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("ask" as const), to: fc.nat({ max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("crash" as const), worker: fc.constantFrom<0 | 1>(0, 1) }) },
    ),
    { maxLength: 400, size: "max" },
  ),
}).map(({ receivers, ops }) => ({
  receivers,
  // Failing tells are rare (1 in 10) so that stop-strategy receivers live long enough to matter.
  ops: ops.map((op, i) => (op.kind === "tell" ? { ...op, fail: op.fail && i % 10 === 0 } : op)) as Op[],
}));

describe(`faults on ${runtimeName}`, () => {
  it("under random faults every ask settles, FIFO holds, and every accepted tell is processed or a dead letter", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ receivers, ops }) => {
        const system = await ActorSystem.start({ workers: 2, logger: () => {} }); // failures here are the point; their log is not
        const probe = TestProbe.create(system);
        const dead: DeadLetter[] = [];
        using _ = system.deadLetters.subscribe((d) => dead.push(d));
        const defs = { restart: Reporting, stop: ReportingStop, bounded: BoundedReporting };
        const refs: ActorRef[] = [];
        for (const [id, r] of receivers.entries()) {
          refs.push(await system.spawn(defs[r.type as keyof typeof defs], { probe: probe.ref, id }, { worker: r.worker }));
        }
        const accepted: [number, number][] = [];
        const asks: Promise<unknown>[] = [];
        for (const [n, op] of ops.entries()) {
          if (op.kind === "crash") {
            void workerHandleOf(system, op.worker).terminate();
            continue;
          }
          const to = op.to % refs.length;
          if (op.kind === "ask") {
            asks.push(refs[to]!.ask("count").then(() => "replied", (e: unknown) => (e instanceof Error ? e.name : "other")));
            continue;
          }
          try {
            refs[to]!.tell("rec", { n, fail: op.fail });
            accepted.push([to, n]);
          } catch (e) {
            if (!(e instanceof MailboxFullError)) throw e;
          }
        }
        const report = await system.shutdown();
        const outcomes = await Promise.all(asks); // every ask settles
        expect(outcomes.every((o) => ["replied", "ActorStoppedError", "MailboxFullError"].includes(o as string))).toBe(true);
        expect(report.exits).toHaveLength(2);

        // FIFO for what was delivered: each receiver's reports are in send order, without repeats.
        const got = probe.messages.filter((m) => m.name === "got").map((m) => m.arg as [number, number]);
        for (let id = 0; id < refs.length; id++) {
          const seq = got.filter(([r]) => r === id).map(([, n]) => n);
          for (let i = 1; i < seq.length; i++) expect(seq[i]!).toBeGreaterThan(seq[i - 1]!);
        }
        // Accounting: accepted = processed (reported) + dead letters for those tells.
        const addresses = new Set(refs.map((r) => r.address));
        const deadTells = dead
          .filter((d) => (d.name === "rec" && addresses.has(d.address)) || (d.name === null && d.reason === "worker-exited"))
          .reduce((sum, d) => sum + d.count, 0);
        expect(got.length + deadTells).toBe(accepted.length);
        expect(report.deadLetters).toBeGreaterThanOrEqual(deadTells);
      }),
      { seed: SEED, numRuns: Math.max(5, Math.round(RUNS / 2)), endOnFailure: true },
    );
  });
});

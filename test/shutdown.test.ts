/**
 * Shutdown: refuse, drain, stop children first, exit — and what a deadline reports. The
 * drain is also checked in the testkit's deterministic mode, under every schedule tried.
 */

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
import fc from "fast-check";
import process from "node:process";
import { describe, expect, it } from "vitest";
import { ActorStoppedError, ActorSystem, runtimeName, SystemStoppedError } from "../mod.ts";
import { choiceScheduler, TestProbe, TestSystem } from "../testkit.ts";
import { Counter } from "./fixtures/counter.ts";
import { Holder, Recorder, Sender, TreeNode } from "./fixtures/actors.ts";

describe(`shutdown on ${runtimeName}`, () => {
  it("drains every mailbox, including messages actors send while draining", async () => {
    const system = await ActorSystem.start({ workers: 2 });
    const recorders = await Promise.all([0, 1].map((w) => system.spawn(Recorder, undefined, { worker: w })));
    const senders = await Promise.all([0, 1].map((w) => system.spawn(Sender, w + 1, { worker: w })));
    // Main floods both recorders, and each sender sends a script across workers; nothing is awaited.
    for (let n = 0; n < 5000; n++) recorders[n % 2]!.tell("rec", { s: 0, n });
    const script = Array.from({ length: 2000 }, (_, n) => ({ to: recorders[n % 2]!, n }));
    const runs = senders.map((s) => s.ask("run", script));
    const report = await system.shutdown();
    await expect(Promise.all(runs)).resolves.toEqual([2000, 2000]);
    expect(report.deadlineHit).toBe(false);
    expect(report.undelivered).toEqual({});
    expect(report.deadLetters).toBe(0);
    // 5000 + 2 × 2000 recordings, plus the two runs.
    expect(report.processed).toBe(5000 + 4000 + 2);
    expect(report.exits.map((e) => e.code)).toEqual([0, 0]);
  });

  it("drains every mailbox under any schedule (deterministic mode): shutdown begins while actors still send", async () => {
    const schedules = fc.array(fc.nat(), { maxLength: 300 }).map(choiceScheduler);
    await fc.assert(
      fc.asyncProperty(schedules, fc.nat({ max: 40 }), fc.nat({ max: 20 }), async (scheduler, fromMain, perSender) => {
        await using sim = await TestSystem.start({ scheduler, workers: 2 });
        const recorders = await Promise.all([0, 1].map((w) => sim.spawn(Recorder, undefined, { worker: w })));
        const senders = await Promise.all([0, 1].map((w) => sim.spawn(Sender, w + 1, { worker: w })));
        for (let n = 0; n < fromMain; n++) recorders[n % 2]!.tell("rec", { s: 0, n });
        const script = Array.from({ length: perSender }, (_, n) => ({ to: recorders[n % 2]!, n }));
        const runs = senders.map((s) => s.ask("run", script));
        const report = await sim.shutdown();
        await expect(Promise.all(runs)).resolves.toEqual([perSender, perSender]);
        expect(report.deadLetters).toBe(0);
        expect(report.failures).toBe(0);
        expect(report.processed).toBe(fromMain + 2 * perSender + 2);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it("refuses new work once shutdown has begun, and returns the same promise twice", async () => {
    const system = await ActorSystem.start({ workers: 1 });
    const c = await system.spawn(Counter, 0);
    const first = system.shutdown();
    expect(system.shutdown()).toBe(first);
    expect(() => c.tell("inc", 1)).toThrow(SystemStoppedError);
    await expect(c.ask("get")).rejects.toBeInstanceOf(SystemStoppedError);
    await expect(system.spawn(Counter, 0)).rejects.toBeInstanceOf(SystemStoppedError);
    const report = await first;
    expect(report.exits).toHaveLength(1);
  });

  it("runs onStop hooks children before parents, across workers", async () => {
    const system = await ActorSystem.start({ workers: 2 });
    const probe = TestProbe.create(system);
    await system.spawn(TreeNode, { probe: probe.ref, depth: 2, fanout: 2, path: "r" });
    await system.shutdown();
    const order = probe.messages.filter((m) => m.name === "stopped").map((m) => m.arg as string);
    expect(order).toHaveLength(7);
    for (const path of order) {
      // Every node stopped after all of its descendants.
      const descendants = order.filter((p) => p.startsWith(`${path}.`));
      for (const d of descendants) expect(order.indexOf(d)).toBeLessThan(order.indexOf(path));
    }
    expect(order.at(-1)).toBe("r");
  });

  it("with a deadline, reports what was not processed per actor, and every ask settles", async () => {
    const system = await ActorSystem.start({ workers: 2 });
    const stuck = await system.spawn(Holder, undefined, { worker: 0 });
    const hung = stuck.ask("hang").catch((e: unknown) => e);
    for (let i = 0; i < 10; i++) stuck.tell("noop");
    const queuedAsk = stuck.ask("noop").catch((e: unknown) => e);
    await stuck.flush({ timeout: 50 }).catch(() => undefined); // timer-under-test: the flush cannot pass the hung handler
    const report = await system.shutdown({ timeout: 100 }); // timer-under-test: the shutdown deadline
    expect(report.deadlineHit).toBe(true);
    // 10 tells + the queued ask + the flush + the hung message itself.
    expect(report.undelivered[stuck.label]).toBe(13);
    expect(report.hooksSkipped).toContain(stuck.label);
    expect(await hung).toBeInstanceOf(ActorStoppedError);
    expect(await queuedAsk).toBeInstanceOf(ActorStoppedError);
    expect(report.exits).toHaveLength(2);
  });

  it("works with await using", async () => {
    let c;
    {
      await using system = await ActorSystem.start({ workers: 1 });
      c = await system.spawn(Counter, 1);
      c.tell("inc", 1);
    }
    expect(() => c.tell("inc", 1)).toThrow(SystemStoppedError);
  });
});

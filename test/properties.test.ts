/**
 * Property tests (fast-check): FIFO per sender–receiver pair (on real workers, and in the
 * testkit's deterministic mode under schedules fast-check picks and shrinks, with probes as
 * receivers), and shutdown at a random point loses nothing. The seed is fixed (override with MISSIVE_SEED); fast-check prints
 * the seed and the counterexample path on failure, so a failure replays exactly.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorRef, ActorStoppedError, ActorSystem, runtimeName, SystemStoppedError } from "../mod.ts";
import { choiceScheduler, TestProbe, TestSystem } from "../testkit.ts";
import { Recorder, Sender, StopReporter } from "./fixtures/actors.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 25);

/** Where a sender runs: the main loop or an actor on worker 0 or 1. */
type Place = "main" | 0 | 1;

/** A random workload: receivers on workers, and senders each with a script of receiver indices. */
const workload = fc.record({
  receivers: fc.array(fc.constantFrom(0, 1), { minLength: 1, maxLength: 4 }),
  senders: fc.array(
    fc.record({ place: fc.constantFrom<Place>("main", 0, 1), script: fc.array(fc.nat({ max: 3 }), { maxLength: 2000, size: "max" }) }),
    { minLength: 1, maxLength: 5 },
  ),
});

/** What each receiver must have seen from each sender: the sequence numbers in send order. */
function expected(receivers: number, senders: { script: number[] }[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  senders.forEach((sender, s) => {
    sender.script.forEach((r, n) => {
      const key = `${r % receivers}/${s + 1}`;
      out.set(key, [...(out.get(key) ?? []), n]);
    });
  });
  return out;
}

function observed(logs: [sender: number, seq: number][][]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  logs.forEach((log, r) => {
    for (const [s, n] of log) out.set(`${r}/${s}`, [...(out.get(`${r}/${s}`) ?? []), n]);
  });
  return out;
}

describe(`properties on ${runtimeName}`, () => {
  let system: ActorSystem;
  beforeAll(async () => {
    system = await ActorSystem.start({ workers: 2 });
  });
  afterAll(async () => {
    await system.shutdown();
  });

  it("each receiver sees each sender's messages in send order, none lost or duplicated", async () => {
    await fc.assert(
      fc.asyncProperty(workload, async ({ receivers, senders }) => {
        const recs = await Promise.all(receivers.map((w) => system.spawn(Recorder, undefined, { worker: w })));
        const runs: Promise<number>[] = [];
        // Actor senders start first and run concurrently with the main loop's sends.
        for (const [i, sender] of senders.entries()) {
          if (sender.place === "main") continue;
          const actor = await system.spawn(Sender, i + 1, { worker: sender.place });
          runs.push(actor.ask("run", sender.script.map((r, n) => ({ to: recs[r % recs.length]!, n }))));
        }
        for (const [i, sender] of senders.entries()) {
          if (sender.place !== "main") continue;
          sender.script.forEach((r, n) => recs[r % recs.length]!.tell("rec", { s: i + 1, n }));
        }
        await Promise.all(runs); // each run flushes every recorder it used
        await Promise.all(recs.map((r) => r.flush()));
        const logs = await Promise.all(recs.map((r) => r.ask("log")));
        expect(observed(logs)).toEqual(expected(recs.length, senders));
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it("deterministic mode, any schedule: FIFO per pair, none lost or duplicated (probes on main, recorders on workers)", async () => {
    const small = fc.record({
      receivers: fc.array(fc.constantFrom<Place>("main", 0, 1), { minLength: 1, maxLength: 4 }),
      senders: fc.array(
        fc.record({ place: fc.constantFrom<Place>("main", 0, 1), script: fc.array(fc.nat({ max: 3 }), { maxLength: 30 }) }),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
    });
    const schedules = fc.array(fc.nat(), { maxLength: 200 }).map(choiceScheduler);
    await fc.assert(
      fc.asyncProperty(small, schedules, async ({ receivers, senders }, scheduler) => {
        await using sim = await TestSystem.start({ scheduler, workers: 2 });
        const probes = new Map<number, TestProbe<{ rec: { s: number; n: number } }>>();
        const recs: ActorRef<typeof Recorder>[] = await Promise.all(receivers.map((place, r): Promise<ActorRef<typeof Recorder>> => {
          if (place !== "main") return sim.spawn(Recorder, undefined, { worker: place });
          const probe = TestProbe.create<{ rec: { s: number; n: number } }>(sim, `receiver ${r}`);
          probes.set(r, probe);
          return Promise.resolve(probe.ref as unknown as ActorRef<typeof Recorder>);
        }));
        const runs: Promise<number>[] = [];
        for (const [i, sender] of senders.entries()) {
          const script = sender.script.map((r, n) => ({ to: recs[r % recs.length]!, n }));
          if (sender.place === "main") script.forEach(({ to, n }) => to.tell("rec", { s: i + 1, n }));
          else runs.push((await sim.spawn(Sender, i + 1, { worker: sender.place })).ask("run", script));
        }
        await Promise.all(runs);
        const want = expected(recs.length, senders);
        const logs = await Promise.all(recs.map(async (rec, r) => {
          const probe = probes.get(r);
          if (probe === undefined) return rec.ask("log");
          const count = [...want].filter(([key]) => key.startsWith(`${r}/`)).reduce((a, [, ns]) => a + ns.length, 0);
          const got = await probe.receiveN(count); // every message, taken through the probe
          return got.map(({ arg }): [number, number] => [arg.s, arg.n]);
        }));
        for (const probe of probes.values()) await probe.expectNoMessage(); // and nothing more: no duplicate
        expect(observed(logs)).toEqual(want);
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it("shutdown at a random point: every accepted tell is processed, every ask settles, every worker exits", async () => {
    const scenario = fc.record({
      receivers: fc.array(fc.constantFrom(0, 1), { minLength: 1, maxLength: 3 }),
      // Sizes up to "max" so that mail is still queued, and actors still sending, when shutdown begins.
      actorScripts: fc.array(
        fc.record({ worker: fc.constantFrom(0, 1), script: fc.array(fc.nat({ max: 2 }), { maxLength: 3000, size: "max" }) }),
        { maxLength: 3 },
      ),
      mainOps: fc.array(fc.record({ ask: fc.boolean(), to: fc.nat({ max: 2 }) }), { maxLength: 3000, size: "max" }),
      cut: fc.nat({ max: 3000 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ receivers, actorScripts, mainOps, cut }) => {
        const sys = await ActorSystem.start({ workers: 2 });
        const probe = TestProbe.create(sys);
        const recs: ActorRef<typeof StopReporter>[] = await Promise.all(
          receivers.map((w, id) => sys.spawn(StopReporter, { probe: probe.ref, id }, { worker: w })),
        );
        const senders = await Promise.all(actorScripts.map(({ worker }, i) => sys.spawn(Sender, 100 + i, { worker })));
        // Not awaited: the actor senders run while the main loop sends and shuts down.
        const runs = Promise.all(
          senders.map((actor, i) =>
            actor.ask(
              "run",
              actorScripts[i]!.script.map((r, n) => ({ to: recs[r % recs.length]! as unknown as ActorRef<typeof Recorder>, n })),
            )
          ),
        );
        // The main loop's sends, with shutdown() called at position `cut`.
        const accepted: { to: number; n: number }[] = [];
        const asks: Promise<unknown>[] = [];
        let shutdown: ReturnType<ActorSystem["shutdown"]> | undefined;
        mainOps.forEach(({ ask, to }, n) => {
          if (n === cut) shutdown = sys.shutdown();
          const target = recs[to % recs.length]!;
          if (ask) {
            asks.push(
              target.ask("count").then(
                () => "replied",
                (
                  e: unknown,
                ) => (e instanceof SystemStoppedError && shutdown
                  ? "refused"
                  : e instanceof ActorStoppedError
                  ? "stopped"
                  : Promise.reject(e)),
              ),
            );
            return;
          }
          try {
            target.tell("rec", { s: 0, n });
            accepted.push({ to: to % recs.length, n });
          } catch (e) {
            if (!(e instanceof SystemStoppedError && shutdown)) throw e;
          }
        });
        shutdown ??= sys.shutdown();
        const report = await shutdown;
        const outcomes = await Promise.all(asks); // every ask settles
        expect(outcomes.every((o) => o === "replied" || o === "refused")).toBe(true);
        expect(report.exits).toHaveLength(2);
        expect(report.deadlineHit).toBe(false);
        expect(report.undelivered).toEqual({});
        expect(report.deadLetters).toBe(0);
        // Each receiver reported its final log exactly once, from its onStop.
        const finals = probe.messages.filter((m) => m.name === "final").map((m) => m.arg as { id: number; log: [number, number][] });
        expect(finals.map((f) => f.id).sort()).toEqual(recs.map((_, i) => i));
        const logs = finals.sort((a, b) => a.id - b.id).map((f) => f.log);
        // Main's accepted tells arrived in order; nothing refused arrived.
        const fromMain = logs.map((log) => log.filter(([s]) => s === 0).map(([, n]) => n));
        expect(fromMain).toEqual(recs.map((_, r) => accepted.filter((a) => a.to === r).map((a) => a.n)));
        // Every actor sender's script arrived in full, in order.
        actorScripts.forEach(({ script }, i) => {
          const got = logs.map((log) => log.filter(([s]) => s === 100 + i).map(([, n]) => n));
          const want = recs.map((_, r) => script.flatMap((to, n) => (to % recs.length === r ? [n] : [])));
          expect(got).toEqual(want);
        });
        expect(await runs).toEqual(actorScripts.map((a) => a.script.length));
        // Processed = every recorded message + the runs + the asks that replied.
        const replied = outcomes.filter((o) => o === "replied").length;
        expect(report.processed).toBe(logs.flat().length + senders.length + replied);
        // Nothing can be sent any more.
        expect(() => recs[0]!.tell("rec", { s: 0, n: -1 })).toThrow(SystemStoppedError);
      }),
      { seed: SEED, numRuns: Math.max(5, Math.round(RUNS / 2)), endOnFailure: true },
    );
  });
});

/**
 * The deterministic mode: simulated loops in the test's thread, deliveries ordered by a
 * scheduler (seeded or fast-check's), virtual time.
 */
import fc from "fast-check";
import process from "node:process";
import { describe, expect, it } from "vitest";
import { AskTimeoutError, InvalidArgumentError, MessageEncodeError, runtimeName, SystemStoppedError } from "../mod.ts";
import { ProbeExpectationError, seededScheduler, TestProbe, TestSystem } from "../testkit.ts";
import { Recorder, Sender } from "./fixtures/actors.ts";
import { Counter } from "./fixtures/counter.ts";
import { Relay, Silent } from "./fixtures/testkit-actors.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 25);

/** Three relays on three workers pass two tokens around; the probe records the arrivals. */
async function scenario(seed: number): Promise<{ arrivals: string[]; schedule: string }> {
  await using system = await TestSystem.start({ workers: 3, seed });
  using probe = TestProbe.create<{ arrived: string }>(system);
  const relays = await Promise.all([0, 1, 2].map((w) => system.spawn(Relay, undefined, { worker: w })));
  await Promise.all(relays.map((r, i) => r.ask("setNext", relays[(i + 1) % 3]!)));
  relays[0]!.tell("hop", { left: 4, to: probe.ref, label: "a" });
  relays[1]!.tell("hop", { left: 3, to: probe.ref, label: "b" });
  relays[2]!.tell("hop", { left: 5, to: probe.ref, label: "c" });
  await probe.receiveN(3);
  await probe.expectNoMessage();
  return { arrivals: probe.messages.map((m) => m.arg), schedule: system.schedule };
}

describe(`deterministic mode on ${runtimeName}`, () => {
  it("runs real definitions through the real codec: tell, ask, flush, and encode errors at the call", async () => {
    await using system = await TestSystem.start({ seed: 1 });
    const c = await system.spawn(Counter, 5);
    c.tell("inc", 2);
    expect(await c.ask("get")).toBe(7);
    expect(await c.ask("slowGet")).toBe(7);
    expect(() => c.tell("inc", (() => 1) as never)).toThrow(MessageEncodeError);
    await c.flush();
    await expect(c.ask("fail", "nope")).rejects.toThrow(TypeError);
    const report = await system.shutdown();
    expect(report.processed).toBe(4); // inc, get, slowGet, fail (a flush is not a message of the actor's)
    await expect(system.spawn(Counter, 0)).rejects.toBeInstanceOf(SystemStoppedError);
  });

  it("the same seed replays the same run exactly; other seeds give other schedules", async () => {
    const first = await scenario(42);
    const again = await scenario(42);
    expect(again).toEqual(first);
    expect(first.schedule).toMatch(/^seed 42; \d+ deliveries:\n {2}1\. main→w\d: ask "spawn" to w\d \(loop\)\n/);
    const schedules = new Set<string>([first.schedule.slice(first.schedule.indexOf(":"))]);
    for (let seed = 1; seed <= 8; seed++) {
      const { schedule } = await scenario(seed);
      schedules.add(schedule.slice(schedule.indexOf(":")));
    }
    expect(schedules.size).toBeGreaterThan(1);
  });

  it("ask timeouts run on the virtual clock", async () => {
    await using system = await TestSystem.start({ seed: 3 });
    const silent = await system.spawn(Silent);
    let outcome: unknown = "pending";
    const asked = silent.ask("ignore", undefined, { timeout: 1_000 }).catch((e: unknown) => e).then((e) => (outcome = e));
    await system.run();
    expect(await silent.ask("seen")).toBe(1); // delivered, and not answered
    await system.clock.advance(999);
    expect(outcome).toBe("pending");
    await system.clock.advance(1);
    await asked;
    expect(outcome).toBeInstanceOf(AskTimeoutError);
    expect(system.clock.now()).toBe(1_000);
  });

  it("probes work in deterministic mode; expectNoMessage is decided by the run being quiescent", async () => {
    await using system = await TestSystem.start({ seed: 5 });
    using probe = TestProbe.create<{ arrived: string }>(system);
    const relays = await Promise.all([0, 1].map(() => system.spawn(Relay)));
    await Promise.all(relays.map((r, i) => r.ask("setNext", relays[(i + 1) % 2]!)));
    relays[0]!.tell("hop", { left: 9, to: probe.ref, label: "far" });
    const error = await probe.expectNoMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeExpectationError);
    expect((await probe.expectMessage("arrived")).arg).toBe("far");
    await probe.expectNoMessage(); // nothing after it
  });

  it("FIFO per pair holds for every schedule fast-check picks (fc.scheduler)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.nat(2), { minLength: 1, maxLength: 12 }), async (s, targets) => {
        await using system = await TestSystem.start({ scheduler: s, workers: 3 });
        const recorders = await Promise.all([0, 1, 2].map((w) => system.spawn(Recorder, undefined, { worker: w })));
        const senders = await Promise.all([0, 1].map((id) => system.spawn(Sender, id)));
        const script = targets.map((t, n) => ({ to: recorders[t]!, n }));
        await Promise.all(senders.map((x) => x.ask("run", script)));
        for (const r of recorders) {
          const log = await r.ask("log");
          for (const id of [0, 1]) {
            const seq = log.filter(([sender]) => sender === id).map(([, n]) => n);
            expect(seq).toEqual([...seq].sort((a, b) => a - b));
          }
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("refuses bad options with InvalidArgumentError", async () => {
    await expect(TestSystem.start({ workers: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(TestSystem.start({ seed: 1.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(TestSystem.start({ seed: 1, scheduler: seededScheduler(1) })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(TestSystem.start({ scheduler: {} as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await using system = await TestSystem.start({ seed: 1 });
    await expect(system.clock.advance(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

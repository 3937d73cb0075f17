/**
 * TestProbe's expectations: typed messages, readable failures, expectNoMessage decided by
 * quiescence (acknowledgements, never a sleep), expectTerminated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorRef, ActorSystem, InvalidArgumentError, runtimeName, SystemStoppedError } from "../mod.ts";
import { ProbeExpectationError, TestProbe } from "../testkit.ts";
import { Relay, Ticker } from "./fixtures/testkit-actors.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2, logger: () => undefined }); // a test makes an actor fail on purpose
});
afterAll(async () => {
  await system.shutdown();
});

/** A ring of `n` relays alternating between the two workers. */
async function ring(n: number): Promise<ActorRef<typeof Relay>[]> {
  const relays = await Promise.all(Array.from({ length: n }, (_, i) => system.spawn(Relay, undefined, { worker: i % 2 })));
  await Promise.all(relays.map((r, i) => r.ask("setNext", relays[(i + 1) % n]!)));
  return relays;
}

describe(`TestProbe on ${runtimeName}`, () => {
  it("expectMessage takes the next message by name or predicate, typed by the protocol", async () => {
    using probe = TestProbe.create<{ tick: number; done: void }>(system);
    const t = await system.spawn(Ticker, probe.ref);
    t.tell("run", 2);
    const first = await probe.expectMessage("tick");
    const n: number = first.arg; // typed by the protocol
    expect(n).toBe(0);
    expect(first.sender?.equals(t)).toBe(true);
    await probe.expectMessage((m) => m.name === "tick" && m.arg === 1);
    await probe.expectMessage("done");
  });

  it("expectMessage fails with the message that came instead, and what came before", async () => {
    using probe = TestProbe.create<{ tick: number; done: void }>(system, "ticks");
    const t = await system.spawn(Ticker, probe.ref);
    t.tell("run", 1);
    const error = await probe.expectMessage("done").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeExpectationError);
    const message = (error as Error).message;
    expect(message).toContain(`ticks: expected message "done"`);
    expect(message).toContain(`the next message was "tick"(0) from ${t.label}`);
    expect((error as ProbeExpectationError).received[0]).toMatchObject({ name: "tick", arg: 0 });
  });

  it("expectMessage fails within its bound when nothing comes, saying nothing came", async () => {
    using probe = TestProbe.create(system);
    const error = await probe.expectMessage("never", { within: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeExpectationError);
    expect((error as Error).message).toMatch(
      /expected message "never" within 50 ms, but nothing more came\.\n {2}received so far: nothing/,
    );
  });

  it("fishForMessage skips until a match; receiveN takes n in order and lists what came when short", async () => {
    using probe = TestProbe.create<{ tick: number; done: void }>(system);
    const t = await system.spawn(Ticker, probe.ref);
    t.tell("run", 5);
    const done = await probe.fishForMessage("done");
    expect(done.name).toBe("done");
    t.tell("run", 2);
    const three = await probe.receiveN(3);
    expect(three.map((m) => `${m.name}${m.arg ?? ""}`)).toEqual(["tick0", "tick1", "done"]);
    t.tell("run", 0);
    const short = await probe.receiveN(2, { within: 200 }).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(ProbeExpectationError);
    expect((short as Error).message).toContain("expected 2 messages within 200 ms, but only 1 came");
  });

  it("expectNoMessage waits for the system to be quiescent: a message many hops away still fails it", async () => {
    using probe = TestProbe.create<{ arrived: string }>(system);
    const relays = await ring(4);
    // 12 hops across the two workers, each after awaits in an async handler, then to the probe.
    relays[0]!.tell("hop", { left: 12, to: probe.ref, label: "late" });
    const error = await probe.expectNoMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeExpectationError);
    expect((error as Error).message).toContain(`expected no message, but "arrived"("late")`);
  });

  it("expectNoMessage resolves once everything caused has been processed and nothing came", async () => {
    using probe = TestProbe.create<{ arrived: string }>(system);
    const relays = await ring(4);
    relays[0]!.tell("hop", { left: 12, to: null, label: "nowhere" });
    relays[1]!.tell("hop", { left: 7, to: null, label: "nowhere" });
    await probe.expectNoMessage();
    expect(probe.messages).toEqual([]);
    // Every hop had been processed when it resolved (13 + 8, spread over the ring).
    const hops = await Promise.all(relays.map((r) => r.ask("hops")));
    expect(hops.reduce((a, b) => a + b, 0)).toBe(21);
    // Twice in a row, and concurrently with a second probe.
    using other = TestProbe.create(system);
    await Promise.all([probe.expectNoMessage(), other.expectNoMessage()]);
  });

  it("expectNoMessage fails at once for an unread message", async () => {
    using probe = TestProbe.create<{ tick: number; done: void }>(system);
    const t = await system.spawn(Ticker, probe.ref);
    t.tell("run", 0);
    await t.flush();
    await expect(probe.expectNoMessage()).rejects.toThrow(`"done"() from ${t.label} is unread`);
  });

  it("expectTerminated watches and resolves with the reason; also for an actor already gone", async () => {
    using probe = TestProbe.create(system);
    const a = await system.spawn(Ticker, probe.ref);
    const waiting = probe.expectTerminated(a);
    a.tell("boom", "bad input");
    const t = await waiting;
    expect(t.normal).toBe(false);
    expect(t.reason).toContain("bad input");
    expect(t.actor.equals(a)).toBe(true);

    const b = await system.spawn(Ticker, probe.ref);
    await system.stop(b);
    const gone = await probe.expectTerminated(b);
    expect(gone).toMatchObject({ normal: true, reason: "stopped" });
    expect(probe.messages).toEqual([]); // signals are not messages
  });

  it("expectTerminated fails readably when the actor keeps running", async () => {
    using probe = TestProbe.create(system);
    const a = await system.spawn(Ticker, probe.ref);
    const error = await probe.expectTerminated(a, { within: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeExpectationError);
    expect((error as Error).message).toContain(`expected ${a.label} to stop within 50 ms, but it did not`);
  });

  it("refuses bad options with InvalidArgumentError, and honours an aborted signal", async () => {
    using probe = TestProbe.create(system);
    await expect(probe.expectMessage("x", { within: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(probe.expectNoMessage({ within: Number.NaN })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(probe.expectMessage(42 as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(probe.receiveN(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => TestProbe.create({} as never)).toThrow(InvalidArgumentError);
    const reason = new Error("cancelled");
    await expect(probe.expectNoMessage({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe(`TestProbe and shutdown on ${runtimeName}`, () => {
  it("expectNoMessage rejects with SystemStoppedError once shutdown has begun", async () => {
    const own = await ActorSystem.start({ workers: 1 });
    using probe = TestProbe.create(own);
    await own.shutdown();
    await expect(probe.expectNoMessage()).rejects.toBeInstanceOf(SystemStoppedError);
  });
});

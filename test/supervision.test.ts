/**
 * Supervision: resume, restart (with backoff and a limit), stop, escalate.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorStoppedError, ActorSystem, runtimeName } from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import { Parent, Restarting, Resuming, Stopping } from "./fixtures/faulty.ts";
import { LogCapture } from "./fixtures/log.ts";

let system: ActorSystem;
const log = new LogCapture();
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2, logger: log.logger });
});
afterAll(async () => {
  await system.shutdown();
});

describe(`supervision on ${runtimeName}`, () => {
  it("restart: the failing ask gets the error, the state is fresh, the mailbox is kept, hooks run", async () => {
    const probe = TestProbe.create(system); // kept until shutdown: the actors' onStop hooks report to it
    const a = await system.spawn(Restarting, { probe: probe.ref, id: "a" });
    expect((await probe.receive()).name).toBe("started");
    await a.ask("inc");
    await a.ask("inc");
    const failure = a.ask("boom", "kaput").catch((e: unknown) => e);
    for (let i = 0; i < 5; i++) a.tell("inc"); // queued while it fails and restarts
    expect(await failure).toMatchObject({ message: "kaput" });
    expect(await a.ask("inc")).toBe(6); // fresh state (0) + 5 queued + this one
    const restarting = await probe.receive();
    expect(restarting).toMatchObject({ name: "restarting", arg: { id: "a", count: 2, error: "kaput" } });
    expect((await probe.receive()).name).toBe("started");
    const m = await system.metrics();
    const actor = m.workers.flatMap((w) => w.actors).find((x) => x.address === a.address);
    expect(actor?.restarts).toBe(1);
  });

  it("restart: more than maxRestarts failures stop the actor", async () => {
    const probe = TestProbe.create(system); // kept until shutdown: the actors' onStop hooks report to it
    const a = await system.spawn(Restarting, { probe: probe.ref, id: "b" });
    for (let i = 0; i < 4; i++) await expect(a.ask("boomLater", `failure ${i}`)).rejects.toThrow(`failure ${i}`);
    await expect(a.ask("inc")).rejects.toBeInstanceOf(ActorStoppedError);
    const names = probe.messages.map((m) => m.name);
    expect(names.filter((n) => n === "restarting")).toHaveLength(3);
    expect(names.at(-1)).toBe("stopped");
  });

  it("resume keeps the state; stop stops", async () => {
    const r = await system.spawn(Resuming, { probe: TestProbe.create(system).ref, id: "r" });
    await r.ask("inc");
    await expect(r.ask("boom", "x")).rejects.toThrow("x");
    expect(await r.ask("inc")).toBe(2);

    const s = await system.spawn(Stopping, { probe: TestProbe.create(system).ref, id: "s" });
    await expect(s.ask("boom", "y")).rejects.toThrow("y");
    await expect(s.ask("inc")).rejects.toBeInstanceOf(ActorStoppedError);
  });

  it("escalate: the child stops and its parent fails with the error (here: restarts with a new child)", async () => {
    const probe = TestProbe.create(system); // kept until shutdown: the actors' onStop hooks report to it
    const parent = await system.spawn(Parent, { probe: probe.ref, id: "p" });
    expect((await probe.receive()).name).toBe("parent-started");
    const child = await parent.ask("child");
    expect(child.worker).not.toBe(parent.worker);
    await expect(child.ask("boom", "child broke")).rejects.toThrow("child broke");
    expect(await probe.receive()).toMatchObject({ name: "parent-restarting", arg: "child broke" });
    expect((await probe.receive()).name).toBe("parent-started");
    await expect(child.ask("inc")).rejects.toBeInstanceOf(ActorStoppedError);
    const newChild = await parent.ask("child");
    expect(newChild.equals(child)).toBe(false);
    expect(await newChild.ask("inc")).toBe(1);
    // Nobody was waiting on the parent's failure: it is logged, once, with the child's error.
    expect(log.containing("escalated").map((e) => [e.level, e.source, (e.error as Error).message])).toEqual([[
      "error",
      parent.label,
      "child broke",
    ]]);
  });
});

/**
 * Spawning a child on the parent's own worker (issue 13's fast path: no request to the loop
 * itself, no notice to the main loop for an actor it need not re-create): the same
 * semantics as a spawn anywhere else — the child's own copy of its argument, init outside
 * the parent's handler, typed errors for a definition that is not exported or an argument
 * that cannot be sent — and, after a crash of its worker, the same accounting: watchers are
 * told, asks fail, and the replacement never reuses an actor number.
 */
import { describe, expect, it } from "vitest";
import { ActorStoppedError, ActorSystem, DefinitionNotFoundError, MessageEncodeError, runtimeName } from "../mod.ts";
import { workerHandleOf } from "../src/system/actor-system.ts";
import { localIdOf } from "../src/wire/envelope.ts";
import { TestProbe } from "../testkit.ts";
import { Counter } from "./fixtures/counter.ts";
import { Watcher } from "./fixtures/faulty.ts";
import { LocalParent } from "./fixtures/local-spawn.ts";
import { LogCapture } from "./fixtures/log.ts";

describe(`spawn on the parent's own worker on ${runtimeName}`, () => {
  it("gives the child its own copy of the argument and runs its init outside the parent's handler", async () => {
    await using system = await ActorSystem.start({ workers: 1 });
    const probe = TestProbe.create(system);
    const parent = await system.spawn(LocalParent, undefined, { worker: 0 });
    // The parent changed its object right after spawn: the child kept what it was given.
    expect(await parent.ask("spawnReporter", probe.ref)).toBe(1);
    const init = await probe.receive();
    expect(init.name).toBe("init");
    expect(init.arg).toEqual({ n: 1, ctxSenderInInit: "none" });
    // The message the child sent from its init does not claim to come from the parent.
    expect(init.sender).toBeUndefined();
  });

  it("refuses a definition its module does not export, and an argument that cannot be sent, with typed errors", async () => {
    await using system = await ActorSystem.start({ workers: 1 });
    const parent = await system.spawn(LocalParent, undefined, { worker: 0 });
    await expect(parent.ask("spawnUnexported")).rejects.toBeInstanceOf(DefinitionNotFoundError);
    const error = await parent.ask("spawnUnencodable").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageEncodeError);
    expect((error as Error).message).toMatch(/function/);
    // The parent is fine, and so is the next spawn.
    expect(await parent.ask("spawnCounters", 3)).toHaveLength(3);
    expect(await parent.ask("childCount")).toBe(3);
  });

  it("children the main loop keeps no record of are still accounted for when their worker dies", async () => {
    const log = new LogCapture();
    const system = await ActorSystem.start({ workers: 2, logger: log.logger });
    const probe = TestProbe.create(system);
    const parent = await system.spawn(LocalParent, undefined, { worker: 0 });
    const children = await parent.ask("spawnCounters", 50);
    expect(new Set(children.map((c) => c.address)).size).toBe(50);
    for (const [i, child] of children.entries()) expect(await child.ask("get")).toBe(i);
    const watcher = await system.spawn(Watcher, probe.ref, { worker: 1 });
    const watched = children[17]!;
    await watcher.ask("watch", watched);

    void workerHandleOf(system, 0).terminate();

    // The watcher on the other worker is told, though the main loop never recorded the child.
    let signal;
    do signal = await probe.receive(); while (signal.name !== "terminated");
    expect(signal.arg).toMatchObject({ address: watched.address, normal: false });
    expect((signal.arg as { reason: string }).reason).toContain("worker 0");
    await log.logged("re-created"); // the recovery is over
    // Asks to the lost children fail; none reaches an actor of the new worker.
    for (const child of children) await expect(child.ask("get")).rejects.toBeInstanceOf(ActorStoppedError);
    // The replacement numbers its actors above every number the dead worker used.
    const highest = Math.max(...children.map((c) => localIdOf(c.address)));
    const fresh = await system.spawn(Counter, 7, { worker: 0 });
    expect(localIdOf(fresh.address)).toBeGreaterThan(highest);
    expect(await fresh.ask("get")).toBe(7);
    for (const child of children) await expect(child.ask("get")).rejects.toBeInstanceOf(ActorStoppedError);
    const report = await system.shutdown();
    expect(report.crashes).toHaveLength(1);
  });
});

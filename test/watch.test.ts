/**
 * Death watch and links.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, runtimeName } from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import { Quitter } from "./fixtures/actors.ts";
import { Resuming, Stopping, Watcher } from "./fixtures/faulty.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

describe(`death watch on ${runtimeName}`, () => {
  it("tells a watcher when the watched actor fails and stops, with the reason", async () => {
    const probe = TestProbe.create(system); // kept until shutdown: the actors' onStop hooks report to it
    const watcher = await system.spawn(Watcher, probe.ref, { worker: 0 });
    const target = await system.spawn(Stopping, { probe: probe.ref, id: "t" }, { worker: 1 });
    await watcher.ask("watch", target);
    await expect(target.ask("boom", "bad thing")).rejects.toThrow("bad thing");
    const t = await probe.receive();
    expect(t.name).toBe("terminated");
    expect(t.arg).toMatchObject({ address: target.address, normal: false });
    expect((t.arg as { reason: string }).reason).toContain("bad thing");
  });

  it("tells a watcher about a normal stop, and at once about an actor already gone", async () => {
    const probe = TestProbe.create(system); // kept until shutdown: the actors' onStop hooks report to it
    const watcher = await system.spawn(Watcher, probe.ref);
    const q = await system.spawn(Quitter);
    await watcher.ask("watch", q);
    q.tell("quit");
    expect((await probe.receive()).arg).toMatchObject({ address: q.address, normal: true });
    await watcher.ask("watch", q); // already stopped
    expect((await probe.receive()).arg).toMatchObject({ address: q.address, normal: true, reason: "stopped" });
  });

  it("links: an abnormal stop fails the linked actor; a normal stop does not", async () => {
    const probe = TestProbe.create(system); // kept until shutdown: the actors' onStop hooks report to it
    const calm = await system.spawn(Watcher, probe.ref);
    const q = await system.spawn(Quitter);
    await calm.ask("link", q);
    q.tell("quit");
    await q.flush().catch(() => undefined);
    expect(await calm.ask("ping")).toBe("pong"); // still alive

    const linked = await system.spawn(Watcher, probe.ref, { worker: 0 });
    const fragile = await system.spawn(Stopping, { probe: probe.ref, id: "f" }, { worker: 1 });
    await linked.ask("link", fragile);
    await expect(fragile.ask("boom", "crash")).rejects.toThrow("crash");
    // The linked watcher fails with LinkedActorError; its strategy (stop) stops it.
    expect((await probe.receive()).name).toBe("watcher-stopped");
    await expect(linked.ask("ping")).rejects.toThrow();
  });

  it("a late watcher or linker learns the real reason of a stop it missed", async () => {
    const probe = TestProbe.create(system); // kept until shutdown: the actors' onStop hooks report to it
    const fragile = await system.spawn(Stopping, { probe: probe.ref, id: "g" });
    await expect(fragile.ask("boom", "too late")).rejects.toThrow("too late");
    const watcher = await system.spawn(Watcher, probe.ref);
    await watcher.ask("watch", fragile);
    expect((await probe.receive()).arg).toMatchObject({ address: fragile.address, normal: false });
    const linker = await system.spawn(Watcher, probe.ref);
    await linker.ask("link", fragile);
    expect((await probe.receive()).name).toBe("watcher-stopped");
  });

  it("resuming actors keep running when a watched actor stops", async () => {
    const probe = TestProbe.create(system); // kept until shutdown: the actors' onStop hooks report to it
    const watcher = await system.spawn(Watcher, probe.ref);
    const r = await system.spawn(Resuming, { probe: probe.ref, id: "r" });
    await watcher.ask("watch", r);
    await expect(r.ask("boom", "resumed")).rejects.toThrow("resumed");
    expect(await r.ask("inc")).toBe(1);
    expect(probe.messages).toHaveLength(0);
  });
});

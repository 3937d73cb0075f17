/**
 * Death watch and links across nodes, with separate OS processes over a real nats-server:
 * a watcher gets `Terminated` with the real reason when an actor of another node stops or
 * fails, in both directions; unwatch holds; links fail the other side as on one machine;
 * and a node killed with SIGKILL gives its watchers `Terminated(node-down)` and fails the
 * actors linked to its actors — nothing hangs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorSystem, type ClusterEvent, runtimeName } from "../mod.ts";
import { Mortal, Observer } from "./fixtures/cluster-actors.ts";
import type { ExampleProcess } from "./fixtures/example-process.ts";
import { LogCapture } from "./fixtures/log.ts";
import { natsUnavailable, startTestCluster, type TestCluster } from "./fixtures/nats.ts";

const forever = { timeout: Infinity };

describe.skipIf(natsUnavailable !== undefined)(`death watch and links across nodes on ${runtimeName}`, () => {
  let cluster: TestCluster;
  let c: ExampleProcess;
  let system: ActorSystem;
  let events: ClusterEvent[];
  const log = new LogCapture(); // the failures these tests provoke are asserted on, not printed

  beforeAll(async () => {
    cluster = await startTestCluster(log.logger);
    ({ c, system, events } = cluster);
  });

  afterAll(() => cluster?.stop());

  it("a watcher here gets Terminated with the real reason when an actor of another node stops or fails", async () => {
    const [quits, fails] = await Promise.all([system.spawn(Mortal, "q", { node: "b" }), system.spawn(Mortal, "f", { node: "b" })]);
    const observer = await system.spawn(Observer);
    await observer.ask("watch", quits);
    await observer.ask("watch", fails);
    quits.tell("quit");
    await observer.ask("waitSignals", 1, forever);
    fails.tell("fail", "out of range on b");
    await observer.ask("waitSignals", 2, forever);
    const [first, second] = await observer.ask("signals");
    expect(first).toMatchObject({ label: quits.label, normal: true, node: quits.node });
    expect(second).toMatchObject({ label: fails.label, normal: false, node: fails.node });
    expect(second!.reason).toMatch(/out of range on b/);
  });

  it("a watcher on another node (on its worker) gets Terminated for an actor here", async () => {
    const observer = await system.spawn(Observer, undefined, { node: "b" });
    const local = await system.spawn(Mortal, "local");
    await observer.ask("watch", local);
    local.tell("fail", "failed on t");
    await observer.ask("waitSignals", 1, forever);
    const [signal] = await observer.ask("signals");
    expect(signal).toMatchObject({ label: local.label, normal: false });
    expect(signal!.node).not.toBe(0); // from b, the actor lives on another node
    expect(signal!.reason).toMatch(/failed on t/);
    expect(log.containing("failed on t")).toHaveLength(1); // logged once, here, where it failed
  });

  it("watching an actor of another node that is gone already signals at once; unwatch holds", async () => {
    const gone = await system.spawn(Mortal, "gone", { node: "b" });
    const [unwatched, control] = [await system.spawn(Observer), await system.spawn(Observer)];
    await unwatched.ask("watch", gone);
    await control.ask("watch", gone);
    await unwatched.ask("unwatch", gone);
    gone.tell("quit");
    await control.ask("waitSignals", 1, forever);
    // Both observers are on this node's one worker: a signal for `unwatched` would have come first, on the same path.
    expect(await unwatched.ask("signals")).toEqual([]);
    await unwatched.ask("watch", gone); // already stopped: the signal comes at once, with the real reason
    await unwatched.ask("waitSignals", 1, forever);
    expect(await unwatched.ask("signals")).toMatchObject([{ label: gone.label, normal: true, reason: "stopped" }]);
  });

  it("links across nodes propagate failure both ways, as on one machine", async () => {
    const observer = await system.spawn(Observer);
    // A failure over there fails the linked actor here.
    const [here, there] = [await system.spawn(Mortal, "here"), await system.spawn(Mortal, "there", { node: "b" })];
    await observer.ask("watch", here);
    await observer.ask("watch", there);
    await here.ask("link", there);
    there.tell("fail", "broken over there");
    await observer.ask("waitSignals", 2, forever);
    // And a failure here fails the linked actor over there.
    const [here2, there2] = [await system.spawn(Mortal, "here2"), await system.spawn(Mortal, "there2", { node: "b" })];
    await observer.ask("watch", there2);
    await there2.ask("link", here2);
    here2.tell("fail", "broken here");
    await observer.ask("waitSignals", 3, forever);
    const signals = await observer.ask("signals");
    const of = (label: string) => signals.find((s) => s.label === label)!;
    expect(of(there.label)).toMatchObject({ normal: false });
    expect(of(here.label)).toMatchObject({ normal: false });
    expect(of(here.label).reason).toMatch(/broken over there/);
    expect(of(there2.label)).toMatchObject({ normal: false });
    expect(of(there2.label).reason).toMatch(/broken here/);
  });

  it("a node killed with SIGKILL: watchers here get Terminated(node-down), linked actors fail; watching it later signals at once", async () => {
    const observer = await system.spawn(Observer);
    const onC = await system.spawn(Mortal, "on-c", { node: "c" });
    const linked = await system.spawn(Mortal, "linked-to-c");
    await observer.ask("watch", onC);
    await observer.ask("watch", linked);
    await linked.ask("link", onC);
    c.child.kill("SIGKILL");
    await observer.ask("waitSignals", 2, forever);
    expect(events).toContainEqual(expect.objectContaining({ type: "down", node: "c" }));
    const signals = await observer.ask("signals");
    const of = (label: string) => signals.find((s) => s.label === label)!;
    expect(of(onC.label)).toMatchObject({ normal: false, node: onC.node });
    expect(of(onC.label).reason).toMatch(/^node-down: node c stopped heartbeating/);
    expect(of(linked.label)).toMatchObject({ normal: false });
    expect(of(linked.label).reason).toMatch(/node-down: node c/);
    const late = await system.spawn(Observer);
    await late.ask("watch", onC);
    await late.ask("waitSignals", 1, forever);
    expect((await late.ask("signals"))[0]!.reason).toMatch(/^node-down: .*not a member of the cluster/);
  });
});

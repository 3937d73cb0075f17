/**
 * Credit flow control across nodes, with separate OS processes over a real nats-server:
 * `send` to a bounded mailbox of another node waits for room, so a slow consumer's mailbox
 * never holds more than its capacity; asks hold to the same window; and sends waiting for
 * a node that is killed with SIGKILL are released (they reject with a node-down
 * `ActorStoppedError`) — nothing hangs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorStoppedError, type ActorSystem, MailboxFullError, runtimeName } from "../mod.ts";
import { Gate, Recorder, Sender, Throttled } from "./fixtures/cluster-actors.ts";
import type { ExampleProcess } from "./fixtures/example-process.ts";
import { natsUnavailable, startTestCluster, type TestCluster } from "./fixtures/nats.ts";

const forever = { timeout: Infinity };

describe.skipIf(natsUnavailable !== undefined)(`credit flow control across nodes on ${runtimeName}`, () => {
  let cluster: TestCluster;
  let c: ExampleProcess;
  let system: ActorSystem;

  beforeAll(async () => {
    cluster = await startTestCluster();
    ({ c, system } = cluster);
  });

  afterAll(() => cluster?.stop());

  it("sends from a worker of another node to a slow bounded mailbox here never overflow it; all arrive in order", async () => {
    const [sink, gate, progress] = [await system.spawn(Throttled), await system.spawn(Gate), await system.spawn(Recorder)];
    sink.tell("hold", "slow"); // the consumer stops until the gate opens
    const sender = await system.spawn(Sender, undefined, { node: "b" });
    const total = 300;
    const done = sender.ask("sendAll", [sink, total, progress], forever);
    await progress.ask("untilCount", 8, forever); // a window's worth went out while the consumer holds
    expect(await gate.ask("open", "slow")).toBe(true);
    expect(await done).toBe(total); // after the sender's own flush: all 300 were processed
    expect(await sink.ask("seen")).toEqual([...Array(total).keys()]);
    const metrics = await system.metrics();
    const stats = metrics.workers.flatMap((w) => w.actors).find((a) => a.address === sink.address)!;
    expect(stats.maxMailboxDepth).toBeLessThanOrEqual(8); // the hold is the first message: 8 queued behind it at most
  });

  it("a tell to a full bounded mailbox of another node throws MailboxFullError, as on one machine", async () => {
    const [sink, gate] = [await system.spawn(Throttled, undefined, { node: "b" }), await system.spawn(Gate, undefined, { node: "b" })];
    sink.tell("hold", "full"); // counted too: with the next 7, the node's window (8 in flight) is used up
    for (let i = 0; i < 7; i++) sink.tell("put", i);
    expect(() => sink.tell("put", 7)).toThrow(MailboxFullError);
    expect(await gate.ask("open", "full", forever)).toBe(true); // the hold was taken: the consumer was at the gate
    await sink.send("put", 7); // and room comes back
    await sink.flush(forever);
    expect(await sink.ask("seen")).toEqual([...Array(8).keys()]);
  });

  it("asks to a bounded mailbox of another node hold to the same window as tells: the rest wait for credit, all settle in order", async () => {
    const [sink, gate] = [await system.spawn(Throttled, undefined, { node: "b" }), await system.spawn(Gate, undefined, { node: "b" })];
    sink.tell("hold", "asks"); // counted: one of the window of 8
    const asks = Array.from({ length: 20 }, (_, i) => sink.ask("put", i, forever));
    expect(system.cluster!.stats().waitingSends).toBe(13); // 7 went out after the hold; 13 wait here, not in b's mailbox
    expect(await gate.ask("open", "asks", forever)).toBe(true);
    await Promise.all(asks);
    expect(system.cluster!.stats().waitingSends).toBe(0);
    expect(await sink.ask("seen", undefined, forever)).toEqual([...Array(20).keys()]);
  });

  it("sends waiting for room on a node killed with SIGKILL reject with a node-down ActorStoppedError", async () => {
    const sink = await system.spawn(Throttled, undefined, { node: "c" });
    sink.tell("hold", "never");
    const sends = Array.from({ length: 40 }, (_, i) => sink.send("put", i));
    c.child.kill("SIGKILL");
    const settled = await Promise.allSettled(sends);
    const rejected = settled.filter((s) => s.status === "rejected").map((s) => (s as PromiseRejectedResult).reason);
    // At most a window (8) goes out at once, and another 8 once c has put 8 of them in the held mailbox or its gateway.
    expect(rejected.length).toBeGreaterThanOrEqual(40 - 16);
    for (const e of rejected) {
      expect(e).toBeInstanceOf(ActorStoppedError);
      expect(String(e.message)).toMatch(/node-down: node c stopped heartbeating/);
    }
    expect(system.stats.waitingSends).toBe(0);
    expect(system.cluster!.stats().waitingSends).toBe(0); // the sends waiting for c's credit
  });
});

/**
 * The cluster across OS processes, over a real nats-server: tell, ask and flush between
 * nodes with the same API and typed errors, spawn on a chosen node, names found
 * cluster-wide, asks and tells from a worker of one node to an actor of another.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorNameTakenError, ActorStoppedError, ActorSystem, type ClusterEvent, runtimeName, UnknownMessageError } from "../mod.ts";
import { Echo, Observer, Parent, Producer, Recorder, Replier } from "./fixtures/cluster-actors.ts";
import type { ExampleProcess } from "./fixtures/example-process.ts";
import { type NatsServer, natsUnavailable, startNatsServer, startNode } from "./fixtures/nats.ts";

const forever = { timeout: Infinity };

describe.skipIf(natsUnavailable !== undefined)(`cluster over NATS on ${runtimeName}`, () => {
  let server: NatsServer;
  let b: ExampleProcess;
  let system: ActorSystem;
  const events: ClusterEvent[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    system = await ActorSystem.start({ workers: 1, cluster: { servers: server.url, node: "t", heartbeatMs: 100, downAfterMs: 1500 } });
    system.cluster!.subscribe((e) => events.push(e)); // before b starts: its join is an event here
    b = await startNode(server.url, "b");
    await system.cluster!.whenMember("b");
  });

  afterAll(async () => {
    await system?.shutdown();
    b?.child.kill("SIGTERM");
    await b?.exited;
    await server?.stop();
  });

  it("sees the other node join", () => {
    expect(system.cluster!.members()).toEqual(["b"]);
    expect(events).toContainEqual({ type: "join", node: "b", reason: "joined" });
  });

  it("spawns on a chosen node; tell, ask and flush reach it with the same API", async () => {
    const echo = await system.spawn(Echo, "remote", { node: "b" });
    expect(echo.node).not.toBe(0);
    expect(await echo.ask("echo", 41)).toEqual({ from: "remote", x: 41 });
    await echo.flush();
    const self = await echo.ask("refOf");
    expect(self.equals(echo)).toBe(true); // a ref crosses nodes and back as the same actor
  });

  it("a handler's error and an unknown message reject with their own classes", async () => {
    const echo = await system.spawn(Echo, "errors", { node: "b" });
    await expect(echo.ask("boom", "out of range")).rejects.toThrow(RangeError);
    // deno-lint-ignore no-explicit-any
    await expect((echo as any).ask("nope")).rejects.toBeInstanceOf(UnknownMessageError);
  });

  it("a name registered on another node is found by lookup; the same name on this node is refused", async () => {
    const echo = await system.spawn(Echo, "named", { node: "b", name: "echo-named" });
    // b published a heartbeat carrying the name before its reply to the spawn: known here now.
    expect(system.lookup("echo-named").equals(echo)).toBe(true);
    expect(await system.lookup<typeof Echo>("echo-named").ask("echo", 1)).toEqual({ from: "named", x: 1 });
    await expect(system.spawn(Echo, "dup", { name: "echo-named" })).rejects.toBeInstanceOf(ActorNameTakenError);
  });

  it("a name spawned on two nodes at once is taken exactly once (the JetStream registry), and free again once its actor stops", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    const results = await Promise.allSettled(
      names.flatMap((name) => [system.spawn(Echo, "t", { name }), system.spawn(Echo, "b", { node: "b", name })]),
    );
    for (let i = 0; i < names.length; i++) {
      const pair = results.slice(2 * i, 2 * i + 2);
      expect(pair.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const { reason } = pair.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(reason).toBeInstanceOf(ActorNameTakenError);
      expect(String(reason.message)).toMatch(/by an actor on node (t|b), in the cluster's name registry/);
    }
    const first = await system.spawn(Echo, "first", { name: "reused" });
    await system.stop(first);
    const again = await system.spawn(Echo, "again", { name: "reused" }); // its claim was released (or taken over: it was this node's)
    expect(await system.lookup<typeof Echo>("reused").ask("echo", 1)).toEqual({ from: "again", x: 1 });
    expect(again.equals(first)).toBe(false);
  });

  it("FIFO from a worker of b to an actor of this node, and asks from b's worker to this node", async () => {
    const recorder = await system.spawn(Recorder);
    const producer = await system.spawn(Producer, "p", { node: "b" });
    expect(await producer.ask("produce", [recorder, 500])).toBe(500);
    const seen = await recorder.ask("seen");
    expect(seen.map(([, i]) => i)).toEqual([...Array(500).keys()]);
    const echo = await system.spawn(Echo, "here");
    expect(await producer.ask("relay", [echo, 7])).toEqual({ from: "here", x: 7 });
  });

  it("ctx.sender across nodes is the real sending actor, both ways: what is told or asked of it reaches it", async () => {
    const [here, there] = [await system.spawn(Replier), await system.spawn(Replier, undefined, { node: "b" })];
    const pongs = [...Array(50).keys()];
    // b's worker tells an actor here; each ping's ctx.sender here is b's actor, and the pongs go back to it, in order.
    expect(await there.ask("pingAll", [here, 50])).toBe(true);
    expect(await there.ask("untilPongs", 50)).toEqual(pongs);
    // And from an actor here to one on b (whose worker sees it through b's main loop).
    expect(await here.ask("pingAll", [there, 50])).toBe(true);
    expect(await here.ask("untilPongs", 50)).toEqual(pongs);
    // A message from outside any actor (here: the test) has no sender on the other node.
    expect(await there.ask("sender")).toBeNull();
  });

  it("system.stop of an actor on another node stops it there: watchers get the reason, later asks reject", async () => {
    const echo = await system.spawn(Echo, "to-stop", { node: "b" });
    const observer = await system.spawn(Observer);
    await observer.ask("watch", echo);
    await system.stop(echo, "no longer needed");
    await observer.ask("waitSignals", 1, forever);
    expect(await observer.ask("signals")).toMatchObject([{ label: echo.label, normal: true, reason: "no longer needed" }]);
    await expect(echo.ask("echo", 1)).rejects.toBeInstanceOf(ActorStoppedError);
    await system.stop(echo); // gone already: resolves at once, as on one machine
  });

  it("ctx.spawn(…, { node }) from an actor spawns on that node; the child stops with its parent", async () => {
    const parent = await system.spawn(Parent);
    const child = await parent.ask("spawnOn", "b", forever); // from this node's worker, through its main loop
    expect(child.node).not.toBe(0);
    expect(await child.ask("echo", 5)).toEqual({ from: "child on b", x: 5 });
    const local = await parent.ask("spawnOn", "t", forever); // this node: a child here
    expect(local.node).toBe(0);
    const remoteParent = await system.spawn(Parent, undefined, { node: "b" });
    const back = await remoteParent.ask("spawnOn", "t", forever); // from b's worker to this node
    expect(back.node).toBe(0);
    expect(await back.ask("echo", 6)).toEqual({ from: "child on t", x: 6 });
    const observer = await system.spawn(Observer);
    await observer.ask("watch", child);
    await observer.ask("watch", back);
    await system.stop(parent);
    await system.stop(remoteParent);
    await observer.ask("waitSignals", 2, forever);
    const signals = await observer.ask("signals");
    expect(signals.map((s) => s.label).sort()).toEqual([child.label, back.label].sort());
    expect(signals.every((s) => s.normal)).toBe(true);
  });

  it("a spawn on a node that is not a member rejects with ActorStoppedError", async () => {
    await expect(system.spawn(Echo, "y", { node: "nowhere" })).rejects.toBeInstanceOf(ActorStoppedError);
  });
});

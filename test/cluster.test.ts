/**
 * The cluster across OS processes, over a real nats-server: tell, ask and flush between
 * nodes with the same API and typed errors, spawn on a chosen node, names found
 * cluster-wide, asks and tells from a worker of one node to an actor of another.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorNameTakenError, ActorStoppedError, ActorSystem, type ClusterEvent, runtimeName, UnknownMessageError } from "../mod.ts";
import { Echo, Producer, Recorder } from "./fixtures/cluster-actors.ts";
import type { ExampleProcess } from "./fixtures/example-process.ts";
import { type NatsServer, natsUnavailable, startNatsServer, startNode } from "./fixtures/nats.ts";

describe.skipIf(natsUnavailable !== undefined)(`cluster over NATS on ${runtimeName}`, () => {
  let server: NatsServer;
  let b: ExampleProcess;
  let system: ActorSystem;
  const events: ClusterEvent[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    b = await startNode(server.url, "b");
    system = await ActorSystem.start({ workers: 1, cluster: { servers: server.url, node: "t", heartbeatMs: 100, downAfterMs: 1500 } });
    system.cluster!.subscribe((e) => events.push(e));
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

  it("FIFO from a worker of b to an actor of this node, and asks from b's worker to this node", async () => {
    const recorder = await system.spawn(Recorder);
    const producer = await system.spawn(Producer, "p", { node: "b" });
    expect(await producer.ask("produce", [recorder, 500])).toBe(500);
    const seen = await recorder.ask("seen");
    expect(seen.map(([, i]) => i)).toEqual([...Array(500).keys()]);
    const echo = await system.spawn(Echo, "here");
    expect(await producer.ask("relay", [echo, 7])).toEqual({ from: "here", x: 7 });
  });

  it("a spawn on a node that is not a member rejects with ActorStoppedError", async () => {
    await expect(system.spawn(Echo, "y", { node: "nowhere" })).rejects.toBeInstanceOf(ActorStoppedError);
  });
});

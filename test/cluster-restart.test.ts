/**
 * Real loss across a NATS server restart, and that it is counted, never silent. Node c is
 * frozen (SIGSTOP) and the server restarted (SIGKILL): the new server has never heard of c.
 * Node b then tells 100 messages to an actor of c; a raw subscriber on c's subject sees the
 * frame reach the server, so c — absent — has lost it for certain. Once c is thawed and has
 * re-subscribed (its heartbeat arrives), b's next frame to c reveals the gap: c counts the
 * missing envelopes as `lost-in-transit` dead letters, and the actor's sequence shows exactly
 * which messages never came. Every node runs with a `downAfterMs` far above the freeze, so
 * the loss is counted as lost in transit, not as node loss.
 */
import { spawnSync } from "node:child_process";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, runtimeName } from "../mod.ts";
import { Producer, Recorder } from "./fixtures/cluster-actors.ts";
import type { ExampleProcess } from "./fixtures/example-process.ts";
import { type NatsServer, natsUnavailable, startNatsServer, startNode } from "./fixtures/nats.ts";

const forever = { timeout: Infinity };
/** Sends `signal` with the system's `kill` (Deno's ChildProcess.kill does not deliver SIGCONT). */
const signal = (p: ExampleProcess, signal: "STOP" | "CONT") => spawnSync("kill", [`-${signal}`, String(p.child.pid)]);
const patient = { MISSIVE_DOWN_AFTER_MS: "600000" }; // nobody is declared down while c is frozen

describe.skipIf(natsUnavailable !== undefined)(`a NATS server restart that loses messages on ${runtimeName}`, () => {
  let server: NatsServer;
  let b: ExampleProcess;
  let c: ExampleProcess;
  let system: ActorSystem;

  beforeAll(async () => {
    server = await startNatsServer();
    [b, c] = await Promise.all([startNode(server.url, "b", patient), startNode(server.url, "c", patient)]);
    system = await ActorSystem.start({ workers: 1, cluster: { servers: server.url, node: "t", heartbeatMs: 100, downAfterMs: 600_000 } });
    await Promise.all([system.cluster!.whenMember("b"), system.cluster!.whenMember("c")]);
  });

  afterAll(async () => {
    await system?.shutdown();
    for (const p of [b, c]) {
      if (p) signal(p, "CONT");
      p?.child.kill("SIGTERM");
    }
    await Promise.all([b?.exited, c?.exited]);
    await server?.stop();
  });

  it("messages published while their receiver is absent from the restarted server are lost, and counted as dead letters there", async () => {
    const recorder = await system.spawn(Recorder, undefined, { node: "c" });
    const producer = await system.spawn(Producer, "b", { node: "b" });
    expect(await producer.ask("produce", [recorder, 50], forever)).toBe(50); // delivered and flushed

    signal(c, "STOP");
    await server.restart("SIGKILL");
    // A raw client on the new server: who is back (a heartbeat comes after its subscriptions), and b's frames to c.
    const observer = await connect({ servers: server.url });
    const waiting = new Map<string, () => void>();
    const heardFrom = (node: string) => new Promise<void>((resolve) => waiting.set(node, resolve));
    observer.subscribe("missive.hb", {
      callback: (_e, m) => {
        const node = JSON.parse(new TextDecoder().decode(m.data)).n as string;
        waiting.get(node)?.();
        waiting.delete(node);
      },
    });
    const backAgain = Promise.all([heardFrom("b"), heardFrom("t")]);
    const { promise: frameToC, resolve: sawFrame } = Promise.withResolvers<void>();
    observer.subscribe("missive.f.c.b", { callback: () => sawFrame() });
    await observer.flush(); // both subscriptions are registered before anyone is back
    await backAgain; // b and t are subscribed on the new server; c, frozen, is not

    expect(await producer.ask("spray", [recorder, 100], forever)).toBe(150); // b tells 100 more to c
    await frameToC; // b's frame reached the new server, where c is not: lost for c

    const cBack = heardFrom("c");
    signal(c, "CONT");
    await cBack; // c is back and subscribed
    await observer.close();

    // b's next frame to c carries how many it sent before: c counts the gap, then takes these 10 and the flush.
    expect(await producer.ask("produce", [recorder, 10], forever)).toBe(160);
    const seen = (await recorder.ask("seen", undefined, forever)).map(([, i]) => i);
    expect(seen).toEqual([...Array(50).keys(), ...Array.from({ length: 10 }, (_, i) => 150 + i)]); // 50..149 never came

    c.child.kill("SIGTERM");
    const stopped = await c.printed(/^stopped c deadLetters=(\d+) lostInTransit=(\d+)$/m);
    const lost = Number(stopped[2]);
    console.log(`NATS restart with node c absent: ${lost} envelopes counted lost in transit on c (100 tells sent to it)`);
    expect(lost).toBe(100);
  });
});

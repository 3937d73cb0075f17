/**
 * The cluster's guarantees under faults, with separate OS processes over a real
 * nats-server: FIFO per sender–receiver pair across nodes (a property test, seed printed),
 * a node killed with SIGKILL mid-stream (asks reject, survivors keep working, nothing
 * hangs), the NATS server restarted mid-stream (reconnect; what is lost is counted), and
 * bad frames from a foreign publisher (refused, counted, nothing crashes).
 */
import { connect } from "@nats-io/transport-node";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorStoppedError, type ActorSystem, type ClusterEvent, type DeadLetter, runtimeName } from "../mod.ts";
import { Echo, Producer, Recorder } from "./fixtures/cluster-actors.ts";
import type { ExampleProcess } from "./fixtures/example-process.ts";
import { LogCapture } from "./fixtures/log.ts";
import { type NatsServer, natsUnavailable, startTestCluster, type TestCluster } from "./fixtures/nats.ts";

const seed = Number(process.env.MISSIVE_SEED ?? 20261121);

describe.skipIf(natsUnavailable !== undefined)(`cluster faults on ${runtimeName}`, () => {
  let cluster: TestCluster;
  let server: NatsServer;
  let c: ExampleProcess;
  let system: ActorSystem;
  let events: ClusterEvent[];
  const log = new LogCapture(); // the refusals these tests provoke are asserted on, not printed
  const dead: DeadLetter[] = [];
  const when = (type: string, node: string) =>
    new Promise<void>((resolve) => {
      if (events.some((e) => e.type === type && e.node === node)) return resolve();
      const off = system.cluster!.subscribe((e) => e.type === type && e.node === node && (off(), resolve()));
    });

  beforeAll(async () => {
    cluster = await startTestCluster(log.logger);
    ({ server, c, system, events } = cluster);
    system.deadLetters.subscribe((d) => dead.push(d));
  });

  afterAll(() => cluster?.stop());

  it(`keeps FIFO per sender–receiver pair across nodes (fast-check seed ${seed})`, async () => {
    console.log(`cluster FIFO property: fast-check seed ${seed} (MISSIVE_SEED=${seed} replays it)`);
    const producers = await Promise.all([system.spawn(Producer, "b", { node: "b" }), system.spawn(Producer, "c", { node: "c" })]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 300 })), { minLength: 1, maxLength: 6 }),
        async (plan) => {
          const recorder = await system.spawn(Recorder, undefined, { node: "b" });
          const runs: Promise<unknown>[] = [];
          let local = 0;
          for (const [who, count] of plan) {
            if (who === 2) {
              for (let i = 0; i < count; i++) recorder.tell("add", ["t", local++]); // from this node's main loop
            } else runs.push(producers[who]!.ask("produce", [recorder, count])); // from a worker of b or c
          }
          await Promise.all(runs);
          await recorder.flush();
          const seen = await recorder.ask("seen");
          const byTag = new Map<string, number[]>();
          for (const [tag, i] of seen) (byTag.get(tag) ?? byTag.set(tag, []).get(tag)!).push(i);
          for (const [tag, list] of byTag) {
            for (let i = 1; i < list.length; i++) {
              if (list[i]! !== list[i - 1]! + 1) throw new Error(`${tag}: ${list[i - 1]} then ${list[i]}`);
            }
          }
          expect(byTag.get("t")?.length ?? 0).toBe(local);
        },
      ),
      { seed, numRuns: 5 },
    );
  });

  it("bad frames from a foreign publisher on the subjects are refused and counted; nothing crashes", async () => {
    const before = system.cluster!.stats().refusedFrames;
    const nc = await connect({ servers: server.url });
    nc.publish("missive.f.t.b", new Uint8Array([1, 2, 3])); // too short
    nc.publish("missive.f.t.b", new Uint8Array(64).fill(0xc1)); // a prefix, then garbage
    nc.publish("missive.f.t.mallory", new Uint8Array(64)); // from a node that is not a member
    nc.publish("missive.c.t.b", new Uint8Array([0xc1])); // a control message that is not msgpack
    nc.publish("missive.hb", new TextEncoder().encode("{not json"));
    // Then a well-formed heartbeat of a made-up node: it arrives after the garbage (one publisher's order).
    nc.publish("missive.hb", new TextEncoder().encode(JSON.stringify({ n: "zz", i: "1", s: {} })));
    await nc.flush();
    await when("join", "zz");
    await nc.close();
    expect(system.cluster!.stats().refusedFrames - before).toBe(4);
    expect(log.containing("refused").length).toBeGreaterThanOrEqual(5); // the 4 frames and the bad heartbeat, each logged
    const echo = await system.spawn(Echo, "still", { node: "b" });
    expect(await echo.ask("echo", 3)).toEqual({ from: "still", x: 3 }); // b and this node work on
    await when("down", "zz"); // and the made-up node is declared down once it stays silent
  });

  it("the NATS server restarted mid-stream: the nodes reconnect, and what was lost is counted as dead letters", async () => {
    const recorder = await system.spawn(Recorder); // on this node
    const producer = await system.spawn(Producer, "s", { node: "b" });
    const total = 20_000;
    const stream = producer.ask("stream", [recorder, total, 500], { timeout: Infinity });
    await recorder.ask("untilCount", 2000, { timeout: Infinity }); // mid-stream
    await server.restart("SIGKILL");
    const { sent } = await stream;
    expect(sent).toBe(total);
    await recorder.flush();
    const received = await recorder.ask("count");
    const lost = dead.filter((d) => d.reason === "lost-in-transit").reduce((n, d) => n + d.count, 0);
    console.log(`NATS restart mid-stream: ${received} received, ${lost} counted lost in transit, ${total} sent`);
    expect(received + lost).toBeGreaterThanOrEqual(total); // lost envelopes include the flushes among them
    expect(received).toBeLessThanOrEqual(total);
    const echo = await system.spawn(Echo, "after", { node: "b" });
    expect(await echo.ask("echo", 1)).toEqual({ from: "after", x: 1 });
  });

  it("a node killed with SIGKILL mid-stream: asks reject with a node-down ActorStoppedError, survivors keep working", async () => {
    const hanging = await system.spawn(Echo, "doomed", { node: "c" });
    const pending = hanging.ask("hang", undefined, { timeout: Infinity });
    const recorder = await system.spawn(Recorder);
    const producer = await system.spawn(Producer, "c", { node: "c" });
    void producer.ask("stream", [recorder, 1_000_000, 1000], { timeout: Infinity }).catch(() => {});
    await recorder.ask("untilCount", 1000, { timeout: Infinity });
    c.child.kill("SIGKILL");
    const error = await pending.then(() => null, (e) => e);
    expect(error).toBeInstanceOf(ActorStoppedError);
    expect(String(error.message)).toMatch(/node-down: node c stopped heartbeating/);
    await when("down", "c");
    expect(system.cluster!.members()).toEqual(["b"]);
    await expect(hanging.ask("echo", 1)).rejects.toBeInstanceOf(ActorStoppedError);
    const survivor = await system.spawn(Echo, "alive", { node: "b" });
    expect(await survivor.ask("echo", 2)).toEqual({ from: "alive", x: 2 });
  });
});

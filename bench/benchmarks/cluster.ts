/**
 * Across nodes over NATS, on loopback: two systems in ONE process, each its own cluster
 * node with its own NATS connection (`workers: 1` each), against a nats-server this
 * benchmark starts itself with `scripts/nats-server.mjs` (a case is n/a, with the reason,
 * when the server or the client is missing).
 *
 * - `cluster-tell`: node a tells n small items to a `Sink` spawned on node b (on b's
 *   worker), then `flush()` (the acknowledgement); msgs/s.
 * - `cluster-ask`: sequential asks from node a to an `Echo` on node b's worker; p50, p99 µs.
 *
 * Baseline: a bare NATS request-reply loop with the same client (`@nats-io/transport-node`):
 * one connection answers on a subject, another sends each message as a request and awaits
 * its reply — one request-reply per message, sequentially; the payload is the number.
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { ensureNatsServer, type NatsServer, startNatsServer } from "../../scripts/nats-server.mjs";
import { Echo } from "../actors/echo.ts";
import { type Received, Sink } from "../actors/sink.ts";
import type { BenchmarkFactory, CaseRunner, CaseSpec, Check } from "../harness/types.ts";
import { latencyPercentiles } from "../harness/stats.ts";
import { allOf, expectEqual } from "../util/check.ts";
import { expectedValueSum, item } from "../util/items.ts";
import { rateMetric, startSystem, timed } from "./common.ts";

/** Why the cluster benchmarks cannot run here, or `undefined`. */
function unavailable(): string | undefined {
  const found = ensureNatsServer({ log: () => {} });
  return found.error === undefined ? undefined : `no nats-server: ${found.error}`;
}

/** A nats-server and two systems, nodes `a` and `b`, in this process. */
async function startPair(): Promise<
  { server: NatsServer; a: Awaited<ReturnType<typeof startSystem>>; b: Awaited<ReturnType<typeof startSystem>>; close(): Promise<void> }
> {
  const server = await startNatsServer();
  const cluster = (node: string) => ({ servers: server.url, node, name: "bench" });
  const b = await startSystem({ workers: 1, cluster: cluster("b") });
  const a = await startSystem({ workers: 1, cluster: cluster("a") });
  await a.system.cluster!.whenMember("b");
  return {
    server,
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await server.stop();
    },
  };
}

/** A bare NATS request-reply pair on its own server: `call(i)` sends `i` and resolves with the reply. */
async function startRequestReply(): Promise<{ call: (i: number) => Promise<number>; close(): Promise<void> }> {
  const server = await startNatsServer();
  const { connect } = await import("@nats-io/transport-node");
  const responder: NatsConnection = await connect({ servers: server.url });
  const requester: NatsConnection = await connect({ servers: server.url });
  responder.subscribe("bench.echo", { callback: (_e, msg) => void msg.respond(msg.data) });
  await responder.flush();
  const view = (data: Uint8Array) => new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    async call(i) {
      const out = new Uint8Array(8);
      view(out).setFloat64(0, i);
      const reply = await requester.request("bench.echo", out, { timeout: 10_000 });
      return view(reply.data).getFloat64(0);
    },
    async close() {
      await requester.close();
      await responder.close();
      await server.stop();
    },
  };
}

const requestReplyCase = (
  measure: (call: (i: number) => Promise<number>) => Promise<{ metrics: Record<string, number>; check: Check }>,
): CaseSpec => ({
  name: "NATS request-reply",
  role: "baseline",
  unavailable,
  async setup(): Promise<CaseRunner> {
    const { call, close } = await startRequestReply();
    return { run: () => measure(call), close };
  },
});

/** `cluster-tell`: node a → a `Sink` on node b, msgs/s. */
export const clusterTell: BenchmarkFactory = (size) => {
  const n = size === "full" ? 100_000 : 2_000;
  const missive: CaseSpec = {
    name: "missive",
    role: "missive",
    unavailable,
    async setup(): Promise<CaseRunner> {
      const pair = await startPair();
      const sink = await pair.a.system.spawn(Sink, undefined, { node: "b" });
      return {
        async run() {
          const { value, ms } = await timed(async () => {
            for (let i = 0; i < n; i++) sink.tell("add", item(i));
            await sink.flush({ timeout: 60_000 });
            return (await sink.ask("take")) as Received;
          });
          const check = allOf(expectEqual("items received", value.count, n), expectEqual("sum of values", value.sum, expectedValueSum(n)));
          return { metrics: { rate: (n / ms) * 1000 }, check };
        },
        close: () => pair.close(),
      };
    },
  };
  const baseline = requestReplyCase(async (call) => {
    const m = Math.min(n, size === "full" ? 20_000 : 1_000); // one round trip each: fewer, the rate is what counts
    let sum = 0;
    const { ms } = await timed(async () => {
      for (let i = 0; i < m; i++) sum += await call(i);
    });
    return { metrics: { rate: (m / ms) * 1000 }, check: expectEqual("sum of replies", sum, (m * (m - 1)) / 2) };
  });
  return {
    name: "cluster-tell",
    title: "tell across nodes over NATS (two systems, one process, loopback)",
    metrics: [rateMetric()],
    params: { items: n, topology: "two systems in one process, each its own cluster node; workers: 1 each; one nats-server" },
    notes: ["both nodes share this process's CPU (and the nats-server runs beside it): a lower bound for two machines"],
    cases: [missive, baseline],
    external: "a nats-server (scripts/nats-server.mjs)",
  };
};

/** `cluster-ask`: sequential asks node a → an `Echo` on node b, p50/p99 µs. */
export const clusterAsk: BenchmarkFactory = (size) => {
  const n = size === "full" ? 5_000 : 200;
  const measure = async (call: (i: number) => Promise<number>) => {
    const latencies = new Float64Array(n);
    let wrong = 0;
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      if ((await call(i)) !== i) wrong++;
      latencies[i] = (performance.now() - started) * 1000;
    }
    const { p50, p99 } = latencyPercentiles(latencies);
    return { metrics: { p50, p99 }, check: expectEqual("wrong answers", wrong, 0) };
  };
  const missive: CaseSpec = {
    name: "missive",
    role: "missive",
    unavailable,
    async setup(): Promise<CaseRunner> {
      const pair = await startPair();
      const echo = await pair.a.system.spawn(Echo, undefined, { node: "b" });
      return { run: () => measure((i) => echo.ask("echo", i)), close: () => pair.close() };
    },
  };
  return {
    name: "cluster-ask",
    title: "ask across nodes over NATS, sequential (two systems, one process, loopback)",
    metrics: [
      { key: "p50", label: "p50", unit: "µs", better: "lower" },
      { key: "p99", label: "p99", unit: "µs", better: "lower" },
    ],
    params: { asks: n, topology: "two systems in one process, each its own cluster node; workers: 1 each; one nats-server" },
    notes: ["Missive's ask goes a → NATS → b's main loop → b's worker and back; the baseline's reply comes from a NATS callback"],
    cases: [missive, requestReplyCase(measure)],
    external: "a nats-server (scripts/nats-server.mjs)",
  };
};

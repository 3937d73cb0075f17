/**
 * Work distribution across two processes through NATS, with the same actor code as the
 * single-machine cpu-offload example (`Hasher`, examples/cpu-offload/hasher.ts): this
 * process is node `a`, a second OS process is node `b`; two hashers are spawned on each
 * node and 40 jobs are shared among the four by ask. The results must match the same
 * jobs computed here on the main thread.
 *
 * Run: `node --import tsx examples/cluster/main.ts` (starts its own nats-server through
 * scripts/nats-server.mjs, installing it where missing), or give MISSIVE_NATS_URL.
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { ActorSystem, isMissiveWorker, runtimeName } from "../../mod.ts";
import { startNatsServer } from "../../scripts/nats-server.mjs";
import { Hasher, hashJob } from "../cpu-offload/hasher.ts";

if (!isMissiveWorker()) {
  const server = process.env.MISSIVE_NATS_URL ? null : await startNatsServer();
  const url = process.env.MISSIVE_NATS_URL ?? server!.url;
  const file = fileURLToPath(new URL("./node.ts", import.meta.url));
  const [cmd, args] = runtimeName === "deno"
    ? [process.execPath, ["run", "-A", file]]
    : runtimeName === "bun"
    ? [process.execPath, [file]]
    : [process.execPath, ["--import", "tsx", file]];
  const b = spawn(cmd, args, { env: { ...process.env, MISSIVE_NATS_URL: url, MISSIVE_NODE: "b" }, stdio: ["ignore", "pipe", "inherit"] });
  const bExited = new Promise((resolve) => b.on("close", resolve));

  const system = await ActorSystem.start({ workers: 2, cluster: { servers: url, node: "a" } });
  await system.cluster!.whenMember("b");
  const hashers = [
    await system.spawn(Hasher, undefined, { worker: 0 }),
    await system.spawn(Hasher, undefined, { worker: 1 }),
    await system.spawn(Hasher, undefined, { node: "b" }),
    await system.spawn(Hasher, undefined, { node: "b" }),
  ];
  const jobs = Array.from({ length: 40 }, (_, i) => ({ seed: i, rounds: 200_000 }));
  const started = performance.now();
  const results = await Promise.all(jobs.map((job, i) => hashers[i % hashers.length]!.ask("hash", job)));
  const ms = performance.now() - started;
  const perNode = { a: 0, b: 0 };
  jobs.forEach((_, i) => (hashers[i % hashers.length]!.node === 0 ? perNode.a++ : perNode.b++));
  const checksum = (values: number[]) => values.reduce((h, v) => (Math.imul(h, 31) + v) >>> 0, 7).toString(16);
  const expected = checksum(jobs.map((j) => hashJob(j.seed, j.rounds)));
  console.log(`jobs on node a: ${perNode.a}, on node b: ${perNode.b} (${ms.toFixed(0)} ms)`);
  console.log(
    checksum(results) === expected
      ? `checksum ${expected}: the same results as on one machine`
      : `checksum MISMATCH: ${checksum(results)} != ${expected}`,
  );
  await system.shutdown();
  b.kill("SIGTERM");
  await bExited;
  await server?.stop();
}

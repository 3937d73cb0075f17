/**
 * CPU work off the main loop: an HTTP server keeps answering `/health` while CPU-bound
 * jobs run — first on the main loop (as an asyncio server does, yielding between jobs),
 * then on actors on the workers — and prints the main loop's delay and the health checks
 * answered in each case, side by side.
 *
 * ```sh
 * npx tsx examples/cpu-offload/main.ts     # or: npx deno run -A … / npx bun …
 * ```
 * Figures depend on the machine and its load; the checksum line must match.
 * @module
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { setImmediate } from "node:timers";
import { ActorSystem, availableParallelism } from "../../mod.ts";
import { type DelayStats, LoopDelayMonitor } from "../loop-delay.ts";
import { Hasher, hashJob } from "./hasher.ts";

const JOBS = 40;
/** About 10 ms of CPU per job. */
const ROUNDS = 3_000_000;

const server = createServer((req, res) => {
  if (req.url === "/health") res.end("ok");
  else res.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const health = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;

// One core stays with the main loop: it is the one that must stay responsive.
await using system = await ActorSystem.start({ workers: Math.max(1, availableParallelism() - 1) });
const hashers = await Promise.all(Array.from({ length: system.workers }, (_, w) => system.spawn(Hasher, undefined, { worker: w })));

/** Runs `jobs` while a client checks `/health` every 10 ms; returns the checksum, the loop delay and the checks answered. */
async function measure(jobs: () => Promise<number[]>): Promise<{ checksum: number; delay: DelayStats; answered: number; ms: number }> {
  let running = true, answered = 0;
  const checker = (async () => {
    while (running) {
      if ((await (await fetch(health)).text()) === "ok") answered++;
      await new Promise((resolve) => setTimeout(resolve, 10)); // timer-under-test: the probe interval of a load balancer
    }
  })();
  const delay = new LoopDelayMonitor();
  const started = performance.now();
  const results = await jobs();
  const ms = performance.now() - started;
  running = false;
  await checker;
  return { checksum: results.reduce((a, b) => (a + b) >>> 0, 0), delay: delay.stop(), answered, ms };
}

const onMain = await measure(async () => {
  const out: number[] = [];
  for (let i = 0; i < JOBS; i++) {
    out.push(hashJob(i, ROUNDS));
    await new Promise((resolve) => setImmediate(resolve)); // yield between jobs, as a well-behaved async server does
  }
  return out;
});
const onActors = await measure(() =>
  Promise.all(Array.from({ length: JOBS }, (_, i) => hashers[i % hashers.length]!.ask("hash", { seed: i, rounds: ROUNDS })))
);
server.close();

const row = (name: string, m: typeof onMain): string =>
  `${name.padEnd(22)} ${m.delay.p50Ms.toFixed(1).padStart(8)} ${m.delay.p99Ms.toFixed(1).padStart(8)} ${
    m.delay.maxMs.toFixed(1).padStart(8)
  } ` +
  `${String(m.answered).padStart(9)} ${m.ms.toFixed(0).padStart(8)}`;
console.log(`${JOBS} CPU jobs of ~10 ms, ${system.workers} worker${system.workers === 1 ? "" : "s"}; main-loop delay in ms`);
console.log(
  `${"jobs run".padEnd(22)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"max".padStart(8)} ${"/health".padStart(9)} ${
    "total ms".padStart(8)
  }`,
);
console.log(row("on the main loop", onMain));
console.log(row("on actors (workers)", onActors));
const same = onMain.checksum === onActors.checksum;
console.log(`checksum ${onMain.checksum.toString(16)}: ${same ? "the same results both ways" : "RESULTS DIFFER"}`);
if (!same) process.exitCode = 1;

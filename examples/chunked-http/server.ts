/**
 * A chunked HTTP response that waits for acknowledgements, never for time.
 *
 * The Elixir original wrote `Start`, started its workers, slept, and wrote `End` —
 * a response cut short whenever a job took longer than the sleep. Here the handler writes
 * `Start`, asks 10 {@link Job} actors on other workers for their results, writes each
 * result as soon as it (and the ones before it) has arrived, then `End`, and ends the
 * response only when every job has answered and every chunk has been handed to the socket:
 *
 * ```sh
 * npx tsx examples/chunked-http/server.ts     # or: npx deno run -A … / npx bun …
 * curl -N http://127.0.0.1:8080/              # Start12345678910End
 * ```
 *
 * It listens on `PORT` (default 8080; 0 picks a free port), prints its URL, and serves until
 * SIGINT or SIGTERM: then it stops accepting, lets the responses in flight finish, shuts the
 * actor system down and prints the shutdown report's count.
 * @module
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import process from "node:process";
import { ActorSystem, availableParallelism } from "../../mod.ts";
import { Job } from "./jobs.ts";

const JOBS = 10;
/** CPU per job: about a millisecond. */
const ROUNDS = 300_000;

/** Writes one chunk and resolves once the socket has taken it (the write's own acknowledgement). */
const write = (res: ServerResponse, text: string): Promise<void> =>
  new Promise((resolve, reject) => res.write(text, (e) => (e ? reject(e) : resolve())));

// At least two workers, so the jobs really run beside each other even on one core.
const system = await ActorSystem.start({ workers: Math.max(2, availableParallelism()) });
const jobs = await Promise.all(Array.from({ length: JOBS }, (_, i) => system.spawn(Job, undefined, { worker: i % system.workers })));

const server = createServer(async (req, res) => {
  if (req.method !== "GET" || (req.url ?? "/") !== "/") {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    return;
  }
  // No content-length: HTTP/1.1 sends the body as chunks, one per write.
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  try {
    await write(res, "Start");
    const results = jobs.map((job, i) => job.ask("run", { n: i + 1, rounds: ROUNDS })); // all 10 run at once
    for (const result of results) await write(res, await result); // in order, each as soon as it is in
    await write(res, "End");
  } catch (e) {
    res.write(`\nerror: ${(e as Error).message}\n`);
  }
  res.end();
});

const port = Number(process.env.PORT ?? 8080);
server.listen(port, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing the responses in flight`);
  await new Promise<void>((resolve) => server.close(() => resolve())); // stops accepting; resolves when the last connection ends
  const report = await system.shutdown();
  console.log(`shut down: ${report.processed} messages processed, ${report.deadLetters} dead letters`);
  process.exit(0); // handled the signal: a clean exit (Deno would otherwise end by the signal once the loop is empty)
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));

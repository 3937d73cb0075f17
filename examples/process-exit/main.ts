/**
 * Supervising an external OS process: spawn it, stream its output as messages, await its
 * exit — an event, never a polled exit code — and restart it by supervision when it
 * crashes.
 *
 * The Python original polled `getExitCode()` in a loop and raced the process's end. Here a
 * {@link ProcessRunner} actor on a worker starts the child program; the program exits with
 * code 3 on its first two runs, and the runner's `restart` supervision starts a fresh one
 * each time, until a run exits with 0. The main program reads the runner's reports from a
 * channel until the runner closes it.
 *
 * ```sh
 * npx tsx examples/process-exit/main.ts     # or: npx deno run -A … / npx bun …
 * ```
 * @module
 */
import { ActorSystem, Channel } from "../../mod.ts";
import { Attempts, ProcessRunner, type Report } from "./runner.ts";

// The crashes are the point of this example: keep the log to warnings about anything else.
await using system = await ActorSystem.start({
  workers: 2,
  logger: (e) => {
    if (!/child process exited with code/.test(String(e.error ?? e.message))) console.error(`[${e.level}] ${e.source}: ${e.message}`);
  },
});
await using reports = await Channel.open<Report>(system, { capacity: 16, worker: 0 });
const attempts = await system.spawn(Attempts, undefined, { worker: 0 });
await system.spawn(ProcessRunner, { attempts, crashes: 2, reports }, { worker: 1 });

let lines = 0, restarts = 0, runs = 0;
for await (const report of reports) {
  if (report.kind === "line") {
    lines++;
    console.log(`run ${report.run}: ${report.line}`);
  } else {
    runs++;
    if (report.restart) restarts++;
    console.log(`run ${report.run} exited with code ${report.code}${report.restart ? ": restarting it" : ""}`);
  }
}
console.log(`${runs} runs, ${restarts} restarts by supervision, ${lines} lines of output; the last run exited cleanly`);

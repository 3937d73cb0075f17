/**
 * `npm run bench`: runs Missive's benchmarks against their baselines on the current
 * runtime, prints the tables and the targets, and writes `bench/results/<runtime>.json`.
 *
 * ```sh
 * npm run bench                       # Node 22 (tsx)
 * npx deno run -A bench/main.ts       # Deno
 * npx bun bench/main.ts               # Bun
 * npm run bench -- --quick --only tell
 * ```
 * See `bench/README.md`.
 * @module
 */
import process from "node:process";
import { main } from "./harness/cli.ts";
import { benchmarks } from "./suite.ts";

const code = await main(process.argv.slice(2), benchmarks);
process.exitCode = code;
// Everything is shut down by now; if a leaked handle keeps the process alive, say so and end it.
setTimeout(() => {
  console.error("[bench] the process did not exit by itself 5 s after the last benchmark (a leaked handle); exiting");
  process.exit(code);
}, 5_000).unref();

/**
 * The process-exit example's actors. A {@link ProcessRunner} starts an external OS process
 * when it starts, turns the process's output lines and its exit into messages to itself —
 * so the actor still handles one message at a time — and fails when the process exits
 * with a non-zero code; its supervision (`restart`) then starts a fresh process. The exit
 * is an event the runtime delivers (`exit`), never a poll of an exit code.
 *
 * {@link Attempts} counts the runs: state that must outlive the runner's restarts lives in
 * another actor, as in Erlang.
 *
 * @example
 * ```ts
 * const attempts = await system.spawn(Attempts);
 * const runner = await system.spawn(ProcessRunner, { attempts, crashes: 2, reports });
 * ```
 * @module
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type ActorRef, type Channel, defineActor, runtimeName } from "../../mod.ts";

/** What the runner reports to the main program. */
export type Report =
  | { kind: "line"; run: number; line: string }
  | { kind: "exit"; run: number; code: number; restart: boolean };

/** Hands out run numbers 1, 2, 3, … */
export const Attempts = defineActor(import.meta.url, {
  init: () => ({ n: 0 }),
  handlers: {
    next: (state) => ++state.n,
  },
});

const CHILD = fileURLToPath(new URL("./child.mjs", import.meta.url));
/** The command that runs a JavaScript file on this runtime. */
const command = (
  file: string,
  code: number,
): [string, string[]] => [process.execPath, runtimeName === "deno" ? ["run", "-A", file, String(code)] : [file, String(code)]];

/** Runs the child program; it exits with code 3 on its first `crashes` runs, then with 0. */
export const ProcessRunner = defineActor(import.meta.url, {
  async init(config: { attempts: ActorRef<typeof Attempts>; crashes: number; reports: Channel<Report> }, ctx) {
    const run = await config.attempts.ask("next");
    const [cmd, args] = command(CHILD, run <= config.crashes ? 3 : 0);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let partial = "";
    child.stdout.setEncoding("utf8").on("data", (data: string) => {
      const lines = (partial + data).split("\n");
      partial = lines.pop()!;
      for (const line of lines) ctx.self.tell("line", line);
    });
    // `close` comes after the exit and after the last output: one event, no polling.
    child.on("close", (code) => ctx.self.tell("exited", code ?? 1));
    return { ...config, run };
  },
  handlers: {
    async line(state, line: string) {
      await state.reports.put({ kind: "line", run: state.run, line });
    },
    async exited(state, code: number) {
      const crashed = code !== 0;
      await state.reports.put({ kind: "exit", run: state.run, code, restart: crashed });
      if (crashed) throw new Error(`child process exited with code ${code}`); // supervision restarts us
      await state.reports.close(); // done: the main program's loop ends
    },
  },
  supervision: { strategy: "restart", maxRestarts: 5, withinMs: 60_000, backoff: { minMs: 10, maxMs: 100 } },
});

/**
 * The pipeline example (examples/pipeline.ts) runs as written on the runtime running this
 * suite: every item arrives exactly once, and the process exits by itself.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The command that runs a TypeScript file on the current runtime. */
function runTs(file: string): string[] {
  if (runtimeName === "deno") return [process.execPath, "run", "-A", file];
  if (runtimeName === "bun") return [process.execPath, file];
  return [process.execPath, "--import", "tsx", file];
}

describe(`pipeline example on ${runtimeName}`, () => {
  it("pushes every job through the channels exactly once and exits by itself", () => {
    const [cmd, ...args] = runTs("examples/pipeline.ts");
    const run = spawnSync(cmd!, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^10000 results in [\d.]+ s: \d+ jobs\/s$/m);
    expect(run.stdout).toContain("duplicates 0, missing 0, id checksum ok, spot-checked values ok");
    expect(run.stdout.trim().split("\n").at(-1)).toBe("every item arrived exactly once");
    expect(run.status).toBe(0);
  });
});

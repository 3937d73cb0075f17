/**
 * The pipeline example (examples/pipeline.ts) runs as written on the runtime running this
 * suite: every item arrives exactly once, and the process exits by itself.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { root, tsCommand } from "./fixtures/example-process.ts";

describe(`pipeline example on ${runtimeName}`, () => {
  it("pushes every job through the channels exactly once and exits by itself", () => {
    const [cmd, args] = tsCommand("examples/pipeline.ts");
    const run = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^10000 results in [\d.]+ s: \d+ jobs\/s$/m);
    expect(run.stdout).toContain("duplicates 0, missing 0, id checksum ok, spot-checked values ok");
    expect(run.stdout.trim().split("\n").at(-1)).toBe("every item arrived exactly once");
    expect(run.status).toBe(0);
  });
});

/**
 * examples/cpu-offload: the server answers `/health` in both phases, the jobs give the
 * same results on the main loop and on actors, and the side-by-side table is printed.
 * (The delay figures themselves depend on the machine's load: printed, not asserted.)
 */
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { ExampleProcess } from "./fixtures/example-process.ts";

describe(`cpu-offload example on ${runtimeName}`, () => {
  it("prints main-loop delay and health checks for both placements, with the same results", async () => {
    await using run = new ExampleProcess("examples/cpu-offload/main.ts");
    expect(await run.exited).toBe(0);
    expect(run.stderr).toBe("");
    const row = (name: string) => new RegExp(`^${name}\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+(\\d+)\\s+\\d+$`, "m");
    expect(run.stdout).toMatch(row("on the main loop"));
    const actors = run.stdout.match(row("on actors \\(workers\\)"));
    expect(Number(actors?.[1])).toBeGreaterThan(0); // the server answered while the jobs ran on the workers
    expect(run.stdout).toMatch(/^checksum [0-9a-f]+: the same results both ways$/m);
  });
});

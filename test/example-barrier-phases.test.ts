/**
 * examples/barrier-phases: the parallel relaxation, phased by a barrier, equals the
 * sequential run to the last bit, with exactly two barrier generations per iteration.
 */
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { ExampleProcess } from "./fixtures/example-process.ts";

describe(`barrier-phases example on ${runtimeName}`, () => {
  it("computes the same grid as the sequential run, 2 barrier phases per iteration", async () => {
    await using run = new ExampleProcess("examples/barrier-phases/main.ts");
    expect(await run.exited).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("barrier generations: 600 (2 phases × 300 iterations)");
    expect(run.stdout).toContain("u[0..4] = 0.977620 0.953561 0.933178 0.907747");
    expect(run.stdout.trim().split("\n").at(-1)).toBe("identical to the sequential run");
  });
});

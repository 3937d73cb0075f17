/**
 * examples/select: the first reply wins, priority always takes the first ready case, fair
 * spreads the choice over every case, no item is lost, and a timeout leaves the channels
 * as they were — on the runtime running the suite.
 */
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { ExampleProcess } from "./fixtures/example-process.ts";

describe(`select example on ${runtimeName}`, () => {
  it("prints the first answer, priority vs fair, the item count and the timeout", async () => {
    await using run = new ExampleProcess("examples/select/main.ts");
    expect(await run.exited).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^first answer: (slow|medium|fast): actors#[0-9a-f]+ \(case [0-2] of 3\)$/m);
    expect(run.stdout).toContain("priority: case 0 won 100 of 100 rounds (wins per case: 100 0 0)");
    // fair: each case won at least once (3 · (2/3)^100 ≈ 7e-18 chance of a starved case by luck).
    expect(run.stdout).toMatch(/^fair: every case won some rounds \(wins per case: [1-9]\d* [1-9]\d* [1-9]\d*\)$/m);
    expect(run.stdout).toContain("items: 203 put = 200 selected + 3 left in the channels (none lost)");
    expect(run.stdout).toContain("timeout: WaitTimeoutError after 50 ms; channels untouched: true");
  });
});

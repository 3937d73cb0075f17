/**
 * examples/queue-pipeline: producers and consumers on the workers, a group of consumers
 * stopped while they wait in `get`, shutdown by join + close — and every item consumed
 * exactly once.
 */
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { ExampleProcess } from "./fixtures/example-process.ts";

describe(`queue-pipeline example on ${runtimeName}`, () => {
  it("consumes every produced item exactly once, with consumers cancelled midway and no poison pill", async () => {
    await using run = new ExampleProcess("examples/queue-pipeline/main.ts");
    expect(await run.exited).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^produced 20000 items: 4 producers on \d+ workers/m);
    expect(run.stdout).toMatch(
      /^stopped 3 waiting consumers midway: they had taken \d+ items; items returned to the queue by cancelled gets: \d+$/m,
    );
    expect(run.stdout).toMatch(/^kept 3 consumers: they took \d+ items, then the queue closed and their loops ended$/m);
    expect(run.stdout).toContain("consumed 20000 = produced 20000: exactly once (count, id sum, sum of squares)");
  });
});

/**
 * examples/process-exit: an actor runs an OS process, streams its output as messages,
 * learns of its exit by an event, and is restarted by supervision after each crash until
 * a run exits cleanly.
 */
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { ExampleProcess } from "./fixtures/example-process.ts";

describe(`process-exit example on ${runtimeName}`, () => {
  it("streams every line of three runs, restarts after the two crashes, and ends cleanly", async () => {
    await using run = new ExampleProcess("examples/process-exit/main.ts");
    expect(await run.exited).toBe(0);
    expect(run.stderr).toBe("");
    const expected = [1, 2, 3].flatMap((r) => [
      ...[1, 2, 3].map((i) => `run ${r}: line ${i} of 3`),
      r < 3 ? `run ${r} exited with code 3: restarting it` : `run ${r} exited with code 0`,
    ]);
    expected.push("3 runs, 2 restarts by supervision, 9 lines of output; the last run exited cleanly");
    expect(run.stdout.trim().split("\n")).toEqual(expected);
  });
});

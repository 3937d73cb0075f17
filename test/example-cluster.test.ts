/**
 * examples/cluster: 40 jobs shared by hashers on two nodes (two OS processes, through a
 * nats-server the example starts itself) give the same results as on one machine.
 */
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { ExampleProcess } from "./fixtures/example-process.ts";
import { natsUnavailable } from "./fixtures/nats.ts";

describe.skipIf(natsUnavailable !== undefined)(`cluster example on ${runtimeName}`, () => {
  it("shares the jobs between node a and node b, with the same checksum as on one machine", async () => {
    await using run = new ExampleProcess("examples/cluster/main.ts");
    expect(await run.exited).toBe(0);
    expect(run.stdout).toMatch(/^jobs on node a: 20, on node b: 20 /m);
    expect(run.stdout).toMatch(/^checksum [0-9a-f]+: the same results as on one machine$/m);
  });
});

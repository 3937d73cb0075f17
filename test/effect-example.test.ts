/**
 * examples/effect/ runs as written on the runtime running this suite: an Effect program
 * that provides a Missive system with a Layer, spawns an Effect actor, gets typed failures,
 * has a bad payload refused by its Schema, retries an ask on a Schedule, gives up on one
 * with Effect.timeout (nothing left pending), and streams a channel.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { root, tsCommand } from "./fixtures/example-process.ts";

describe(`examples/effect on ${runtimeName}`, () => {
  it("runs as written and prints what it promises", () => {
    const [cmd, args] = tsCommand("examples/effect/main.ts");
    const run = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 90_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim().split("\n")).toEqual([
      "4 apples cost 12",
      "5 pears: OutOfStock",
      "1.5 pears: InvalidMessage at arg.qty",
      "audited after 3 attempts",
      "report: None pending asks: 0",
      "streamed costs 3 6",
      'stock {"apple":3,"pear":2}',
    ]);
    expect(run.status).toBe(0);
  });
});

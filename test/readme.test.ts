/**
 * The README's quick start is the code in examples/quickstart/, and it runs as written
 * on the runtime running this suite.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { root, tsCommand } from "./fixtures/example-process.ts";

const readme = readFileSync(`${root}/README.md`, "utf8");

describe(`README on ${runtimeName}`, () => {
  for (const file of ["examples/quickstart/counter.ts", "examples/quickstart/main.ts"]) {
    it(`shows ${file} exactly`, () => {
      const code = readFileSync(`${root}/${file}`, "utf8").trim();
      expect(readme).toContain(`// ${file}\n${code}`);
    });
  }

  it("has a quick start that runs as written and prints 10007", () => {
    const [cmd, args] = tsCommand("examples/quickstart/main.ts");
    const run = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("10007");
    expect(run.status).toBe(0);
  });

  for (const file of ["examples/testkit/stack.ts", "examples/testkit/model.ts"]) {
    it(`shows ${file} exactly`, () => {
      const code = readFileSync(`${root}/${file}`, "utf8").trim();
      expect(readme).toContain("```ts\n" + code + "\n```");
    });
  }

  it("has a model-based test that runs as written, in deterministic mode and on real workers", () => {
    const [cmd, args] = tsCommand("examples/testkit/model.ts");
    const run = spawnSync(cmd, args, { cwd: root, encoding: "utf8", timeout: 120_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("the stack agrees with its model in 100 runs");
    expect(run.status).toBe(0);
  });

  it("names the two commands", () => {
    expect(readme).toContain("npm install && npm start");
    expect(readme).toContain("npm test");
  });
});

/**
 * The scaffold (packages/create-missive-actors) writes an app whose own commands work on a
 * fresh run: `npm install`, `npm test` (a vitest + fast-check property test of its actor,
 * with a test probe), `npm start` and its typecheck — against the packed library. The Deno
 * flavour runs its `deno task test` against this checkout's mod.ts.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bin, ok, root, run, scratch } from "./tools.ts";

const create = join(root, "packages/create-missive-actors/index.mjs");
let dir: string;

beforeAll(() => {
  dir = scratch("scaffold");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm create missive-actors (npm flavour)", () => {
  let app: string;
  beforeAll(() => {
    app = join(dir, "my-app");
    ok(bin("node"), [create, app, "--npm", "--library", `file:${inject("tarball")}`], dir);
    ok("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], app, 240_000);
  });

  it("writes the actor, the main, the property test, package.json and a README with its two commands", () => {
    const readme = readFileSync(join(app, "README.md"), "utf8");
    expect(readme).toContain("npm install && npm start");
    expect(readme).toContain("npm test");
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).scripts).toMatchObject({
      start: "tsx src/main.ts",
      test: "vitest run",
    });
  });
  it("passes its own test (vitest + fast-check + the testkit probe)", () => {
    const r = ok("npm", ["test"], app, 240_000);
    expect(r.stdout).toMatch(/Tests\s+2 passed/);
  });
  it("starts: npm start prints the count and shuts down", () => {
    const r = ok("npm", ["start", "--silent"], app);
    expect(r.stdout).toContain("count: 1007");
    expect(r.stdout).toMatch(/shut down: \d+ messages processed/);
  });
  it("type-checks", () => {
    ok("npm", ["run", "typecheck", "--silent"], app);
  });
  it("refuses a directory that is not empty", () => {
    const r = run(bin("node"), [create, app, "--npm"], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("is not empty");
  });
});

describe("deno run -A …/init (Deno flavour)", () => {
  let app: string;
  beforeAll(() => {
    app = join(dir, "my-deno-app");
    ok(bin("deno"), ["run", "-A", create, app, "--library", join(root, "mod.ts")], dir);
  });
  it("writes deno.json with start and test tasks", () => {
    const config = JSON.parse(readFileSync(join(app, "deno.json"), "utf8"));
    expect(Object.keys(config.tasks)).toEqual(["start", "test"]);
  });
  it("starts: deno task start prints the count", () => {
    expect(ok(bin("deno"), ["task", "--quiet", "start"], app, 240_000).stdout).toContain("count: 1007");
  });
  it("passes its own test under Deno (Deno.test + fast-check + the probe)", () => {
    const r = ok(bin("deno"), ["task", "--quiet", "test"], app, 300_000);
    expect(r.stdout).toMatch(/ok \| 2 passed \| 0 failed/);
  });
});

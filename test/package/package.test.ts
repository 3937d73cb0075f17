/**
 * The packed library works for a user who installs it: the tarball holds what it should,
 * a two-file app runs on plain Node (no loader), Bun, and Deno (npm package from the local
 * install), a single-file script that forgets the guard gets an error rather than a runaway,
 * the declarations type-check under common consumer settings, publint and
 * arethetypeswrong find nothing, and `deno publish --dry-run` passes with type checking.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bin, ok, root, run, scratch } from "./tools.ts";
import { rmSync } from "node:fs";

const tarball = inject("tarball");
let app: string;

const COUNTER = `import { defineActor } from "missive-actors";
export const Counter = defineActor(import.meta.url, {
  init: (start) => ({ n: start }),
  handlers: { inc(s, by) { s.n += by; }, get(s) { return s.n; } },
});
`;

// Plain JavaScript as a Node 22 user writes it (no `await using` before Node 24).
const APP = `import { ActorSystem, runtimeName } from "missive-actors";
import { Counter } from "./counter.js";
const system = await ActorSystem.start({ workers: 2 });
try {
  const counter = await system.spawn(Counter, 5, { worker: 1 });
  counter.tell("inc", 2);
  for (let i = 0; i < 1000; i++) counter.tell("inc", 1);
  await counter.flush();
  console.log(runtimeName, await counter.ask("get"));
} finally {
  await system.shutdown();
}
`;

// Actor and main in one file, without the isMissiveWorker() guard.
const NO_GUARD = `import { ActorSystem, defineActor } from "missive-actors";
export const Echo = defineActor(import.meta.url, { init: () => ({}), handlers: { echo: (_s, x) => x } });
const system = await ActorSystem.start({ workers: 2 });
try {
  const echo = await system.spawn(Echo);
  console.log(await echo.ask("echo", 1));
} finally {
  await system.shutdown();
}
`;

// The README's single-file script, guarded (plain JS).
const ONE_FILE = `import { ActorSystem, defineActor, isMissiveWorker } from "missive-actors";
export const Echo = defineActor(import.meta.url, { init: () => ({}), handlers: { echo: (_state, text) => text } });
if (!isMissiveWorker()) {
  const system = await ActorSystem.start({ workers: 2 });
  try {
    const echo = await system.spawn(Echo);
    console.log(await echo.ask("echo", "hello"));
  } finally {
    await system.shutdown();
  }
}
`;

// The ready-made actors from the installed package: a pool, the receptionist (an owner
// actor the workers load from dist/actors/), scatter-gather.
const ACTORS_APP = `import { ActorSystem, runtimeName } from "missive-actors";
import { Pool, Receptionist, scatterGather, serviceKey } from "missive-actors/actors";
import { Counter } from "./counter.js";
const system = await ActorSystem.start({ workers: 2 });
try {
  const pool = await Pool.spawn(system, Counter, { size: 3, arg: 1 });
  pool.broadcast("inc", 1);
  const receptionist = await Receptionist.open(system, { worker: 1 });
  const key = serviceKey("counters");
  for (const ref of pool.routees) await receptionist.register(key, ref);
  const { replies, complete } = await scatterGather(await receptionist.find(key), "get", undefined, { deadline: 30000 });
  console.log(runtimeName, complete, replies.reduce((sum, r) => sum + r.value, 0));
  await pool.close();
} finally {
  await system.shutdown();
}
`;

// A TypeScript consumer, written without host globals so that only the library's declarations are on trial.
const CONSUMER_TS = `import { type ActorRef, ActorSystem, defineActor, isMissiveWorker, MissiveError } from "missive-actors";
import { TestProbe } from "missive-actors/testkit";
import { CircuitBreaker, Router, roundRobin } from "missive-actors/actors";
declare const moduleUrl: string;
export const Counter = defineActor(moduleUrl, {
  init: (start: number) => ({ n: start }),
  handlers: { inc(s, by: number) { s.n += by; }, get(s) { return s.n; } },
});
export async function main(signal: AbortSignal): Promise<number> {
  if (isMissiveWorker()) return 0;
  await using system = await ActorSystem.start({ workers: 1 });
  using probe = TestProbe.create(system);
  const counter: ActorRef<typeof Counter> = await system.spawn(Counter, 5);
  counter.tell("inc", 2);
  await counter.flush({ signal });
  probe.ref.tell("x", 1);
  const router = new Router([counter], roundRobin());
  const breaker = new CircuitBreaker({ maxFailures: 2 });
  router.tell("inc", 1);
  try {
    return await breaker.ask(router.pick("get"), "get");
  } catch (e) {
    if (e instanceof MissiveError) return -1;
    throw e;
  }
}
`;

beforeAll(() => {
  app = scratch("app");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  ok("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], app, 180_000);
  writeFileSync(join(app, "counter.js"), COUNTER);
  writeFileSync(join(app, "app.js"), APP);
  writeFileSync(join(app, "no-guard.js"), NO_GUARD);
  writeFileSync(join(app, "one-file.js"), ONE_FILE);
  writeFileSync(join(app, "consumer.ts"), CONSUMER_TS);
  writeFileSync(join(app, "actors-app.js"), ACTORS_APP);
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe("the tarball", () => {
  it("holds dist/ (JS, declarations, maps), the sources, README and LICENSE, and nothing from test/ or bench/", () => {
    const list = ok("tar", ["-tzf", tarball], root).stdout.split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
    for (
      const f of [
        "package.json",
        "README.md",
        "LICENSE",
        "dist/mod.js",
        "dist/mod.d.ts",
        "dist/mod.js.map",
        "dist/testkit.js",
        "dist/actors/mod.js",
        "dist/actors/mod.d.ts",
        "actors/mod.ts",
      ]
    ) {
      expect(list).toContain(f);
    }
    expect(list).toContain("dist/src/system/worker-main.js");
    expect(list).toContain("dist/src/runtime/node-worker-bootstrap.mjs");
    expect(list).toContain("dist/src/platform.d.ts");
    expect(list).toContain("mod.ts");
    for (const f of ["effect.ts", "dist/effect.js", "dist/effect.d.ts", "dist/src/effect/client.js"]) expect(list).toContain(f);
    expect(list.filter((f) => /^(test|bench|examples|scripts|packages)\/|package-lock|\.tgz$/.test(f))).toEqual([]);
  });

  it("installs without effect (an optional peer) and with its one dependency", () => {
    const installed = run("npm", ["ls", "--all", "--parseable"], app).stdout;
    expect(installed).toContain("node_modules/@msgpack/msgpack");
    expect(installed).not.toContain("node_modules/effect");
  });
});

describe("the core does not need effect", () => {
  it("dist/mod.js's import graph (static and dynamic imports, from the installed package) never reaches effect", () => {
    const pkg = join(app, "node_modules/missive-actors");
    const seen = new Set([join(pkg, "dist/mod.js")]);
    const packages = new Set<string>();
    for (const file of seen) {
      const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, ""); // code, not doc examples
      // Static imports and re-exports (statements at the start of a line), and dynamic `import("…")` calls.
      const statics = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)]
        .map((m) => m[1] ?? m[2]!);
      const dynamics = [...text.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
      for (const [spec, lazy] of [...statics.map((x) => [x, false] as const), ...dynamics.map((x) => [x, true] as const)]) {
        if (spec.startsWith(".")) seen.add(resolve(dirname(file), spec));
        else packages.add(`${spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]}${lazy ? " (lazy)" : ""}`);
      }
    }
    expect(seen.size).toBeGreaterThan(30); // the walk found the library
    expect([...seen].filter((f) => f.includes("/effect"))).toEqual([]);
    // Its one dependency, Node built-ins, and the NATS client loaded only when a system joins a cluster (an optional peer).
    const allowed = (p: string) => p === "@msgpack/msgpack" || p.startsWith("node:") || p === "@nats-io/transport-node (lazy)";
    expect([...packages].filter((p) => !allowed(p))).toEqual([]);
  });
  it("missive-actors/effect without effect installed fails to load, naming the missing package", () => {
    writeFileSync(join(app, "needs-effect.js"), `await import("missive-actors/effect");\n`);
    const r = run(bin("node"), ["needs-effect.js"], app);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Cannot find (package|module) 'effect'/);
  });
});

describe("a two-file app using the installed package", () => {
  it("runs on plain Node with no loader", () => {
    expect(ok(bin("node"), ["app.js"], app).stdout.trim()).toBe("node 1007");
  });
  it("runs on Bun", () => {
    expect(ok(bin("bun"), ["app.js"], app).stdout.trim()).toBe("bun 1007");
  });
  it("runs on Deno, the npm package resolved from the local install", () => {
    expect(ok(bin("deno"), ["run", "-A", "app.js"], app).stdout.trim()).toBe("deno 1007");
  });
});

describe("the ready-made actors (missive-actors/actors) from the installed package", () => {
  for (const [runtime, args] of [["node", []], ["bun", []], ["deno", ["run", "-A"]]] as const) {
    it(`run on ${runtime} (owner actors load from the package on the workers)`, () => {
      expect(ok(bin(runtime), [...args, "actors-app.js"], app).stdout.trim()).toBe(`${runtime} true 6`);
    });
  }
});

describe("a single-file script guarded with isMissiveWorker()", () => {
  for (const [runtime, args] of [["node", []], ["bun", []], ["deno", ["run", "-A"]]] as const) {
    it(`runs on ${runtime}`, () => {
      expect(ok(bin(runtime), [...args, "one-file.js"], app).stdout.trim()).toBe("hello");
    });
  }
});

describe("a single-file script that forgets the guard", () => {
  for (const [runtime, args] of [["node", []], ["bun", []], ["deno", ["run", "-A"]]] as const) {
    it(`fails on ${runtime} with SystemStartError naming the fix, without starting systems in workers`, () => {
      const r = run(bin(runtime), [...args, "no-guard.js"], app, 60_000);
      expect(r.status, r.transcript).not.toBe(0);
      expect(r.status, r.transcript).not.toBe(null); // ended by itself, not by the timeout
      expect(r.stderr).toContain("ActorSystem.start() was called inside a Missive worker");
      expect(r.stderr).toContain("isMissiveWorker()");
    });
  }
});

describe("the declarations, for a TypeScript consumer (tsc --init defaults, skipLibCheck false)", () => {
  beforeAll(() => {
    ok(bin("node"), [join(root, "node_modules/typescript/bin/tsc"), "--init"], app);
  });
  for (
    const [what, flags] of [
      ["the defaults (target esnext, DOM lib)", []],
      ["target ES2022", ["--target", "es2022"]],
      ["target ES2022 without the DOM lib or @types/node", ["--target", "es2022", "--lib", "es2022"]],
    ] as const
  ) {
    it(`type-check with ${what}`, () => {
      const r = run(bin("node"), [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "--skipLibCheck", "false", ...flags], app);
      expect(r.stdout + r.stderr).toBe("");
      expect(r.status).toBe(0);
    });
  }
});

describe("package linters", () => {
  it("publint: all good", () => {
    expect(ok(bin("publint"), [tarball], app).stdout).toContain("All good!");
  });
  it("arethetypeswrong (ESM only: CommonJS require is not supported, as the README says)", () => {
    // Exit 0 under the esm-only profile: every entry point resolves for ESM consumers
    // (node16 from ESM, bundler); `require()` from CommonJS is out of scope by design.
    const r = ok(bin("attw"), [tarball, "--profile", "esm-only"], app);
    expect(r.stdout).toContain('"missive-actors/testkit"');
    expect(r.stdout).toContain('"missive-actors/actors"');
    expect(r.stdout).not.toContain("❌");
  });
  it("deno publish --dry-run passes with type checking and no slow types", () => {
    const r = ok(bin("deno"), ["publish", "--dry-run", "--allow-dirty"], root, 180_000);
    expect(r.stdout + r.stderr).toContain("Checking for slow types");
    expect(r.stdout + r.stderr).toContain("Success");
  });
});

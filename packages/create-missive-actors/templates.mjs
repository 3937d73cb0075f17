// The files of a new Missive app. `files(options)` returns { path: text } for the npm
// flavour (Node and Bun: package.json, tsx, vitest) or the Deno flavour (deno.json).

/** The version range of missive-actors a new app depends on. */
export const LIBRARY_RANGE = "^0.1.0";

const COUNTER = `import { type ActorRef, defineActor } from "missive-actors";

/** A counter that lives on a worker: one message at a time, in the order sent. */
export const Counter = defineActor(import.meta.url, {
  init: (start: number) => ({ n: start }),
  handlers: {
    inc(state, by: number) {
      state.n += by;
    },
    get(state) {
      return state.n;
    },
    /** Tells \`to\` the current count (to a test probe, say). */
    report(state, to: ActorRef) {
      to.tell("count", state.n);
    },
  },
});
`;

const MAIN = `import { ActorSystem } from "missive-actors";
import { Counter } from "./counter.ts";

// Actors live in their own modules (every worker imports them); this file starts the system.
const system = await ActorSystem.start(); // one worker per core
try {
  const counter = await system.spawn(Counter, 5);
  counter.tell("inc", 2); // fire and forget, FIFO
  for (let i = 0; i < 1000; i++) counter.tell("inc", 1);
  await counter.flush(); // an acknowledgement, not a sleep
  console.log(\`count: \${await counter.ask("get")}\`); // count: 1007
} finally {
  const report = await system.shutdown(); // drains every mailbox, then every worker exits
  console.log(\`shut down: \${report.processed} messages processed\`);
}
`;

const TEST = `import fc from "fast-check";
import { ActorSystem } from "missive-actors";
import { TestProbe } from "missive-actors/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Counter } from "../src/counter.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(() => system.shutdown());

describe("Counter", () => {
  it("ends at the start plus the sum of every increment, in any order of tells", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -1000, max: 1000 }), fc.array(fc.integer({ min: -100, max: 100 })), async (start, steps) => {
        const counter = await system.spawn(Counter, start);
        for (const by of steps) counter.tell("inc", by);
        expect(await counter.ask("get")).toBe(start + steps.reduce((a, b) => a + b, 0));
        await system.stop(counter);
      }),
      { numRuns: 50, verbose: true }, // a failure prints the seed and the shrunk counterexample
    );
  });

  it("reports its count to a probe", async () => {
    using probe = TestProbe.create(system);
    const counter = await system.spawn(Counter, 1);
    counter.tell("inc", 41);
    counter.tell("report", probe.ref); // refs travel inside messages
    const { name, arg } = await probe.receive();
    expect([name, arg]).toEqual(["count", 42]);
    await system.stop(counter);
  });
});
`;

// The same two tests for Deno's own test runner (no vitest: one npm package less to fetch).
const DENO_TEST = `import assert from "node:assert/strict";
import fc from "fast-check";
import { ActorSystem } from "missive-actors";
import { TestProbe } from "missive-actors/testkit";
import { Counter } from "../src/counter.ts";

Deno.test("Counter ends at the start plus the sum of every increment", async () => {
  await using system = await ActorSystem.start({ workers: 2 });
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: -1000, max: 1000 }), fc.array(fc.integer({ min: -100, max: 100 })), async (start, steps) => {
      const counter = await system.spawn(Counter, start);
      for (const by of steps) counter.tell("inc", by);
      assert.equal(await counter.ask("get"), start + steps.reduce((a, b) => a + b, 0));
      await system.stop(counter);
    }),
    { numRuns: 50, verbose: true }, // a failure prints the seed and the shrunk counterexample
  );
});

Deno.test("Counter reports its count to a probe", async () => {
  await using system = await ActorSystem.start({ workers: 1 });
  using probe = TestProbe.create(system);
  const counter = await system.spawn(Counter, 1);
  counter.tell("inc", 41);
  counter.tell("report", probe.ref); // refs travel inside messages
  const { name, arg } = await probe.receive();
  assert.deepEqual([name, arg], ["count", 42]);
});
`;

const README = (name, deno) =>
  `# ${name}

An actor app built on [Missive](https://www.npmjs.com/package/missive-actors): actors with FIFO
mailboxes on every core, tell/ask with acknowledgements, deterministic shutdown.

${
    deno
      ? "```sh\ndeno task start   # runs src/main.ts\ndeno task test    # the property test of the counter (Deno.test + fast-check)\n```"
      : "```sh\nnpm install && npm start   # runs src/main.ts\nnpm test                   # the property test of the counter (vitest + fast-check)\n```"
  }

- \`src/counter.ts\` — an actor. Keep actors in their own modules: every worker imports them.
- \`src/main.ts\` — starts the system, talks to the actor, shuts down.
- \`test/counter.test.ts\` — a fast-check property test and a test probe (\`missive-actors/testkit\`).
${deno ? "" : "\nRequires Node.js >= 22 (or Bun >= 1.2: `bun install && bun run start`).\n"}
`;

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2024",
    "lib": ["ES2024", "ESNext.Disposable"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "allowImportingTsExtensions": true,
    "noEmit": true,
    "strict": true,
    "skipLibCheck": true,
    "types": ["node"]
  },
  "include": ["src", "test"]
}
`;

const VITEST_CONFIG = `import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests start worker threads; give them room on a busy machine.
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
`;

/**
 * @param {{ name: string, deno: boolean, library: string }} options `library`: the
 *   dependency spec of missive-actors (a version range, a `file:` tarball, or for Deno a
 *   `jsr:` specifier or a path to the library's mod.ts)
 * @returns {Record<string, string>}
 */
export function files({ name, deno, library }) {
  const common = {
    "src/counter.ts": COUNTER,
    "src/main.ts": MAIN,
    "test/counter.test.ts": deno ? DENO_TEST : TEST,
    "README.md": README(name, deno),
    ".gitignore": "node_modules/\n",
  };
  if (deno) {
    const testkit = library.endsWith("mod.ts") ? library.replace(/mod\.ts$/, "testkit.ts") : `${library}/testkit`;
    const denoJson = {
      tasks: { start: "deno run -A src/main.ts", test: "deno test -A" },
      imports: {
        "missive-actors": library,
        "missive-actors/testkit": testkit,
        "fast-check": "npm:fast-check@^4.10.2",
        // A local checkout of the library (mod.ts) brings its own dependency through this map.
        ...(library.endsWith("mod.ts") ? { "@msgpack/msgpack": "npm:@msgpack/msgpack@3.1.3" } : {}),
      },
      nodeModulesDir: "auto",
    };
    return { ...common, "deno.json": `${JSON.stringify(denoJson, null, 2)}\n` };
  }
  const packageJson = {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: { start: "tsx src/main.ts", test: "vitest run", typecheck: "tsc" },
    dependencies: { "missive-actors": library },
    devDependencies: {
      "@types/node": "^22.19.3",
      "fast-check": "^4.10.2",
      "tsx": "^4.23.15",
      "typescript": "^5.9.3",
      "vitest": "^5.1.1",
    },
  };
  return {
    ...common,
    "vitest.config.ts": VITEST_CONFIG,
    "package.json": `${JSON.stringify(packageJson, null, 2)}\n`,
    "tsconfig.json": TSCONFIG,
  };
}

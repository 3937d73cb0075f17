import { defineConfig } from "vitest/config";

// The package checks (test/package/): pack the library once (global setup), install the tarball into
// scratch projects outside the repo, and run them on Node, Deno and Bun as a user would. They start
// the other runtimes themselves, so `npm test` runs them once, under Node (scripts/test-all.mjs).
export default defineConfig({
  test: {
    include: ["test/package/**/*.test.ts"],
    globalSetup: ["test/package/pack.setup.ts"],
    pool: "forks",
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});

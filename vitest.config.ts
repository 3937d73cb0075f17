import { defineConfig } from "vitest/config";

// Bun cannot run vitest's default "forks" pool (child.channel.unref is missing there);
// its worker threads work, so Bun uses the "threads" pool.
const isBun = "Bun" in globalThis;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Packaging checks run once, under Node, with their own config (vitest.package.config.ts).
    exclude: ["test/package/**", "**/node_modules/**"],
    pool: isBun ? "threads" : "forks",
    // Tests start worker threads (one per simulated core); give them room on a busy 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

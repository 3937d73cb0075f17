#!/usr/bin/env node
// `npm run build`: compiles the library into dist/ — ESM `.js`, `.d.ts` and source maps
// for mod.ts, testkit.ts, effect.ts and src/ — so the package runs on plain Node (no loader) and
// type-checks for consumers without `allowImportingTsExtensions`.
//
// Steps: clean dist/, `tsc -p tsconfig.build.json` (relative `.ts` imports become `.js`
// in the JS), copy the Node worker bootstrap (`.mjs`, not compiled), and rewrite the
// relative `.ts` specifiers tsc leaves in the `.d.ts` files to `.js`.
import { spawnSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

copyFileSync(join(root, "src/runtime/node-worker-bootstrap.mjs"), join(dist, "src/runtime/node-worker-bootstrap.mjs"));
// The host types the declarations mention (see the file): referenced from each entry point.
copyFileSync(join(root, "src/platform.d.ts"), join(dist, "src/platform.d.ts"));
for (const entry of ["mod.d.ts", "testkit.d.ts", "effect.d.ts", "actors/mod.d.ts"]) {
  const file = join(dist, entry);
  const up = "../".repeat(entry.split("/").length - 1) || "./";
  writeFileSync(file, `/// <reference path="${up}src/platform.d.ts" />\n${readFileSync(file, "utf8")}`);
}

/** Relative specifiers ending in `.ts` inside import/export/`import()` clauses of a declaration file. */
const TS_SPECIFIER = /((?:from|import)\s*\(?\s*["'])(\.\.?\/[^"']*)\.ts(["'])/g;
let files = 0;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
  const file = join(entry.parentPath, entry.name);
  const text = readFileSync(file, "utf8");
  const fixed = text.replace(TS_SPECIFIER, "$1$2.js$3");
  if (fixed !== text) writeFileSync(file, fixed);
  files++;
}
console.log(`build: dist/ written (${files} declaration files)`);

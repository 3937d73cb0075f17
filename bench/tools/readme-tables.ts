/**
 * The README's performance tables, generated from the saved full runs
 * (`bench/results/{node,deno,bun}.json`): every benchmark on Node, the targets on all three
 * runtimes, and the round-by-round ratios of the targets near their line
 * (bench/harness/markdown.ts renders them).
 *
 * ```sh
 * npx tsx bench/tools/readme-tables.ts           # prints the block
 * npx tsx bench/tools/readme-tables.ts --write   # replaces it in README.md, then: npx deno fmt README.md
 * ```
 * The block sits between the markers `<!-- bench-tables:start … -->` and
 * `<!-- bench-tables:end -->`; `test/bench-tables.test.ts` checks that it is what the saved
 * runs produce, so full runs committed without regenerating the README fail the suite.
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { findBlock, renderBlock, type SavedRun } from "../harness/markdown.ts";

const runs = ["node", "deno", "bun"].map((r) =>
  JSON.parse(readFileSync(new URL(`../results/${r}.json`, import.meta.url), "utf8")) as SavedRun
);
const block = renderBlock(runs);
if (process.argv.includes("--write")) {
  const path = new URL("../../README.md", import.meta.url);
  const readme = readFileSync(path, "utf8");
  const old = findBlock(readme);
  if (old === null) throw new Error("README.md has no bench-tables block (see bench/harness/markdown.ts for its markers)");
  writeFileSync(path, readme.replace(old, () => block));
  console.log("README.md: the tables are replaced; now run `npx deno fmt README.md`");
} else console.log(block);

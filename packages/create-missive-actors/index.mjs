#!/usr/bin/env node
// @ts-self-types="./index.d.ts"
// Starts a new Missive app in a new directory:
//   npm create missive-actors@latest my-app        (Node, Bun: package.json, tsx, vitest)
//   deno run -A jsr:@missive/actors/init my-app    (Deno: deno.json)
// Options: --deno / --npm pick the flavour (default: the runtime running this script);
//          --library <spec> the missive-actors dependency (default ^0.1.0; a file: tarball or, for
//          Deno, a jsr: specifier or the path of a local mod.ts, to try an unreleased build).
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { files, LIBRARY_RANGE } from "./templates.mjs";

const USAGE = "usage: create-missive-actors <directory> [--deno | --npm] [--library <spec>]";

/** Parses the command line; throws with the usage on a mistake. */
export function parse(argv) {
  const options = { dir: undefined, deno: "Deno" in globalThis, library: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--deno") options.deno = true;
    else if (a === "--npm") options.deno = false;
    else if (a === "--library") options.library = argv[++i];
    else if (a === "--help" || a === "-h") throw new Error(USAGE);
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (options.dir === undefined) options.dir = a;
    else throw new Error(`one directory only (got ${options.dir} and ${a})\n${USAGE}`);
  }
  if (options.dir === undefined) throw new Error(`which directory? e.g. my-app\n${USAGE}`);
  if (options.library === "") throw new Error(`--library needs a value\n${USAGE}`);
  options.library ??= options.deno ? `jsr:@missive/actors@${LIBRARY_RANGE}` : LIBRARY_RANGE;
  return options;
}

/** Writes the app into `dir` (which must not exist or be empty); returns the files written. */
export function create({ dir, deno, library }) {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`${target} is not empty; pick a new directory`);
  }
  const name = basename(target).toLowerCase().replace(/[^a-z0-9-._]/g, "-");
  const written = [];
  for (const [path, text] of Object.entries(files({ name, deno, library }))) {
    const file = join(target, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(path);
  }
  return written;
}

/** Run as a program (`npm create` calls it through a bin symlink; Deno says so itself), not imported. */
function isMain() {
  if (import.meta.main === true) return true;
  try {
    return process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    const options = parse(process.argv.slice(2));
    const written = create(options);
    console.log(`Created ${options.dir} (${options.deno ? "Deno" : "npm"}): ${written.join(", ")}`);
    console.log(
      options.deno
        ? `Next: cd ${options.dir} && deno task start && deno task test`
        : `Next: cd ${options.dir} && npm install && npm start && npm test`,
    );
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}

/**
 * Summarises V8 `.cpuprofile` files (from `node --cpu-prof`, one per thread): the
 * functions with the most self time, and self time per source file. Used to find what a
 * missed target spends its time on.
 *
 * ```sh
 * node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/main.ts --only tell-1to1 --reps 3
 * npx tsx bench/tools/cpuprofile-top.ts /tmp/prof/*.cpuprofile [--top 25] [--filter src/]
 * ```
 * Each file is reported separately (the main thread and every worker have their own).
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time in ms per function key and per file, and the profile's duration. */
export function selfTimes(profile: CpuProfile): { total: number; byFunction: Map<string, number>; byFile: Map<string, number> } {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i + 1] is the time until the next sample: the time spent in sample i.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const f = frames.get(id);
    if (f === undefined) return;
    const file = f.url === "" ? `(${f.functionName || "native"})` : shortUrl(f.url);
    const key = `${f.functionName || "(anonymous)"}  ${file}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    total += ms;
  });
  return { total, byFunction, byFile };
}

function shortUrl(url: string): string {
  const at = url.search(/\/(src|bench|node_modules|test)\//);
  return at >= 0 ? url.slice(at + 1) : url.replace(/^file:\/\//, "");
}

function top(map: Map<string, number>, n: number, total: number, filter: string | undefined): string[] {
  return [...map]
    .filter(([k]) => filter === undefined || k.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}

function main(argv: string[]): void {
  let n = 20;
  let filter: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--top") n = Number(argv[++i]);
    else if (argv[i] === "--filter") filter = argv[++i];
    else files.push(argv[i]!);
  }
  for (const file of files) {
    const { total, byFunction, byFile } = selfTimes(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
    console.log(`\n== ${file}: ${total.toFixed(0)} ms sampled`);
    console.log("-- self time by function");
    for (const line of top(byFunction, n, total, filter)) console.log(line);
    console.log("-- self time by file");
    for (const line of top(byFile, Math.min(n, 12), total, filter)) console.log(line);
  }
}

if (import.meta.main ?? process.argv[1]?.endsWith("cpuprofile-top.ts")) main(process.argv.slice(2));

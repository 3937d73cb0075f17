/**
 * The encoder alone: `FrameEncoder.writeEnvelope` of the tell benchmarks' message (a tell
 * named `"add"` carrying `item(i)`, `{ id, value, tag }`; bench/util/items.ts) into frames
 * taken at a link's flush size (64 KiB), 2 000 000 envelopes per run. No worker, no link,
 * no decoding: what a sender spends writing one message. Each run's figure is its wall
 * time per envelope; the first two runs (compiling) are not counted.
 *
 * ```sh
 * npx tsx bench/tools/encode-envelope.ts        # deno run -A …, bun …; RUNS=8 by default
 * ```
 * Prints every counted run and their median (ns per envelope).
 * @module
 */
import process from "node:process";
import { runtimeName } from "../../src/runtime/adapters.ts";
import { systemBase } from "../../src/system/system-options.ts";
import { FLUSH_BYTES } from "../../src/transport/link.ts";
import { Kind } from "../../src/wire/envelope.ts";
import { FrameEncoder } from "../../src/wire/frame-encoder.ts";
import { summarize } from "../harness/stats.ts";
import { item } from "../util/items.ts";

const RUNS = Number(process.env.RUNS ?? 8);
const WARM_RUNS = 2;
const ENVELOPES = 2_000_000;
/** The default `maxMessageBytes`, as a system started without options has it. */
const MAX_BYTES = systemBase({}).maxMessageBytes;

const writer = new FrameEncoder(() => {
  throw new Error("the tell message holds no refs");
});

/** ns per envelope over one run. */
function run(): number {
  const started = performance.now();
  for (let i = 0; i < ENVELOPES; i++) {
    writer.writeEnvelope(Kind.Tell, 1025, 1026, 0, "add", item(i), MAX_BYTES);
    if (writer.byteLength >= FLUSH_BYTES) writer.take();
  }
  writer.take();
  return ((performance.now() - started) * 1e6) / ENVELOPES;
}

const counted: number[] = [];
for (let r = 0; r < RUNS + WARM_RUNS; r++) {
  const ns = run();
  if (r >= WARM_RUNS) counted.push(ns);
  console.error(`run ${r + 1}/${RUNS + WARM_RUNS}${r < WARM_RUNS ? " (not counted)" : ""}: ${ns.toFixed(1)} ns per envelope`);
}
const median = summarize(counted).median.toFixed(1);
console.log(`${runtimeName}: writeEnvelope of tell's { id, value, tag }: median ${median} ns per envelope (${RUNS} runs)`);

/**
 * The same-loop copy alone: `Codec.copyEnvelope` of the `pingpong-refs-object` request,
 * `{ replyTo, n }` with a ref the loop may carry as it is, 2 000 000 copies per run. No
 * worker, no dispatcher: what a tell between two actors of one loop spends making the
 * receiver's copy. Two cases, each in a process of its own (the compiled code is the process's):
 *
 * - `one shape` (the default): only that request is ever copied;
 * - `mixed` (`MIXED=1`): five other request shapes are copied first (100 000 copies), as on
 *   a loop that hosts other conversations too, so the code is compiled for several shapes.
 *
 * Each run's figure is its wall time per copy; the first two runs (compiling) are not counted.
 *
 * ```sh
 * npx tsx bench/tools/copy-envelope.ts          # deno run -A …, bun …; RUNS=8 by default
 * MIXED=1 npx tsx bench/tools/copy-envelope.ts
 * ```
 * Prints every counted run and their median (ns per copy).
 * @module
 */
import process from "node:process";
import { runtimeName } from "../../src/runtime/adapters.ts";
import { Codec } from "../../src/wire/codec.ts";
import { Kind } from "../../src/wire/envelope.ts";
import { summarize } from "../harness/stats.ts";

const RUNS = Number(process.env.RUNS ?? 8);
const WARM_RUNS = 2;
const COPIES = 2_000_000;

/** A stand-in for an `ActorRef` of the loop (immutable; the codec carries it as it is). */
class LoopRef {
  readonly label: string;
  constructor(label: string) {
    this.label = label;
    Object.freeze(this);
  }
}

function newCodec(): Codec {
  return new Codec({
    isRef: (v) => v instanceof LoopRef,
    toWire: (v) => [0, 1, 7, (v as LoopRef).label],
    fromWire: (_node, _loop, _id, label) => new LoopRef(label),
    local: (v) => v instanceof LoopRef,
  });
}

const self = new LoopRef("Ping#7@w0");

/** ns per copy over one run. */
function run(codec: Codec): number {
  let sum = 0;
  const started = performance.now();
  for (let i = 0; i < COPIES; i++) {
    const copy = codec.copyEnvelope(Kind.Tell, 2049, 1025, 0, "pingObject", { replyTo: self, n: i }, 1 << 20)[5] as { n: number };
    sum += copy.n;
  }
  const ns = ((performance.now() - started) * 1e6) / COPIES;
  if (sum !== (COPIES * (COPIES - 1)) / 2) throw new Error(`the copies summed to ${sum}`);
  return ns;
}

/** Copies five other request shapes with `codec`, 100 000 in all. */
function otherShapes(codec: Codec): void {
  const shapes = [
    () => ({ pings: 1, latch: 2, mode: "ref" }),
    () => ({ text: "hello" }),
    () => ({ x: 1, y: 2, z: 3, owner: self }),
    () => ({ pings: 1, mode: "sender", pongWorker: undefined }),
    () => ({ done: null, ok: true }),
  ];
  for (let i = 0; i < 100_000; i++) codec.copyEnvelope(Kind.Tell, 2049, 1025, 0, "other", shapes[i % shapes.length]!(), 1 << 20);
}

const mixed = process.env.MIXED === "1";
const c = newCodec();
if (mixed) otherShapes(c);
const counted: number[] = [];
for (let r = 0; r < RUNS + WARM_RUNS; r++) {
  const ns = run(c);
  if (r >= WARM_RUNS) counted.push(ns);
  console.error(`run ${r + 1}/${RUNS + WARM_RUNS}${r < WARM_RUNS ? " (not counted)" : ""}: ${ns.toFixed(1)} ns per copy`);
}
const median = summarize(counted).median.toFixed(1);
console.log(
  `${runtimeName}: copyEnvelope of { replyTo, n }, ${mixed ? "mixed" : "one shape"}: median ${median} ns per copy (${RUNS} runs)`,
);

/**
 * How far Missive's codec is from a floor: the tell benchmarks' envelope
 * (`[kind, to, from, id, "add", { id, value, tag }]`) written and read by Missive's frame
 * encoder and reader, and by a hand-written encoder and decoder that know this one shape
 * and check nothing (the decoder skips each key's bytes instead of comparing them, trusts
 * every header byte and builds the object with one literal). No real reader of untrusted
 * frames can be that fast, so `missive − floor` is more than any codec change can save
 * per message; the tell benchmarks' `CPU/msg` minus that is a lower bound on what a
 * message can cost with this wire format. Both write one run: a whole envelope, then
 * repeats `[id, payload]` (src/wire/envelope.ts).
 *
 * ```sh
 * npx tsx bench/tools/codec-floor.ts            # deno run -A …, bun …
 * ```
 * Prints the medians in ns per message (item allocation included on the encoding side,
 * as in the benchmarks) and writes them to `bench/results/codec-floor-<runtime>.json`.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { Codec } from "../../src/wire/codec.ts";
import { FrameEncoder } from "../../src/wire/frame-encoder.ts";
import { runtimeName } from "../../src/runtime/adapters.ts";
import { type Item, item } from "../util/items.ts";

/** Messages per timed pass, and passes (the first {@link WARM} are not counted). */
const N = 400_000;
const PASSES = 14;
const WARM = 4;
const FRAME_BYTES = 64 * 1024;

// The hand-written floor: module functions over one buffer (JSC runs them faster than a
// class's private methods), no checks.
const floorBytes = new Uint8Array(1 << 24);
let at = 0;
const floorKeys = new Map<string, Uint8Array>();

function floorEncode(to: number, name: string, payload: Item): void {
  const b = floorBytes;
  if (at === 0) {
    b[at++] = 0x96;
    b[at++] = 1;
    writeUint(to);
    writeUint(2049);
    b[at++] = 0;
    writeAscii(name);
  } else {
    b[at++] = 0x92; // a repeat, as Missive writes every envelope of a run after the first
    b[at++] = 0;
  }
  const header = at++;
  let n = 0;
  for (const k in payload) {
    writeKey(k);
    const v = (payload as unknown as Record<string, unknown>)[k];
    if (typeof v === "number") writeUint(v);
    else writeAscii(v as string);
    n++;
  }
  b[header] = 0x80 | n;
}

/** The fields of the last whole envelope, which a repeat reuses. */
let run: [number, number, number] = [0, 0, 0];
let lastName = "";
function floorDecode(): [number, number, number, number, string, Item] {
  const b = floorBytes;
  let kind = run[0];
  let to = run[1];
  let from = run[2];
  let id: number;
  if (b[at++] === 0x96) {
    kind = b[at++]!;
    to = readUint();
    from = readUint();
    id = b[at++]!;
    lastName = readAscii();
    run = [kind, to, from];
  } else id = b[at++]!; // a repeat
  const name = lastName;
  at++; // fixmap 3
  skipKey();
  const itemId = readUint();
  skipKey();
  const value = readUint();
  skipKey();
  const tag = readAscii();
  return [kind, to, from, id, name, { id: itemId, value, tag }];
}

function writeUint(n: number): void {
  const b = floorBytes;
  if (n < 0x80) b[at++] = n;
  else if (n < 0x10000) {
    b[at++] = 0xcd;
    b[at++] = n >> 8;
    b[at++] = n & 0xff;
  } else {
    b[at++] = 0xce;
    b[at++] = n >>> 24;
    b[at++] = (n >> 16) & 0xff;
    b[at++] = (n >> 8) & 0xff;
    b[at++] = n & 0xff;
  }
}

function writeAscii(s: string): void {
  floorBytes[at++] = 0xa0 | s.length;
  for (let i = 0; i < s.length; i++) floorBytes[at++] = s.charCodeAt(i);
}

function writeKey(k: string): void {
  let encoded = floorKeys.get(k);
  if (encoded === undefined) {
    encoded = new Uint8Array([0xa0 | k.length, ...Array.from(k, (c) => c.charCodeAt(0))]);
    floorKeys.set(k, encoded);
  }
  for (let i = 0; i < encoded.length; i++) floorBytes[at++] = encoded[i]!;
}

function readUint(): number {
  const b = floorBytes;
  const p = at;
  const h = b[p]!;
  if (h < 0x80) {
    at = p + 1;
    return h;
  }
  if (h === 0xcd) {
    at = p + 3;
    return (b[p + 1]! << 8) | b[p + 2]!;
  }
  at = p + 5;
  return ((b[p + 1]! << 24) >>> 0) + (b[p + 2]! << 16) + (b[p + 3]! << 8) + b[p + 4]!;
}

function readAscii(): string {
  const b = floorBytes;
  const n = b[at++]! & 0x1f;
  const p = at;
  at = p + n;
  return n === 3 ? String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!) : String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
}

function skipKey(): void {
  at += 1 + (floorBytes[at]! & 0x1f);
}

const median = (xs: number[]): number => {
  const s = xs.slice(WARM).sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

/** One pass of each, interleaved; returns ns per message for the four parts. */
function pass(codec: Codec, writer: FrameEncoder): { floorEnc: number; floorDec: number; enc: number; dec: number } {
  let t = performance.now();
  at = 0;
  for (let i = 0; i < N; i++) floorEncode(1025, "add", item(i));
  const floorEnc = performance.now() - t;
  t = performance.now();
  at = 0;
  let floorSum = 0;
  for (let i = 0; i < N; i++) floorSum += floorDecode()[5].value;
  const floorDec = performance.now() - t;
  let enc = 0;
  let dec = 0;
  let sum = 0;
  for (let done = 0; done < N;) {
    const t0 = performance.now();
    let k = 0;
    while (writer.byteLength < FRAME_BYTES && done + k < N) {
      writer.writeEnvelope(1, 1025, 2049, 0, "add", item(done + k));
      k++;
    }
    const frame = writer.take(0);
    const t1 = performance.now();
    const cursor = codec.openFrame(frame);
    for (let env = cursor.next(); env !== null; env = cursor.next()) sum += (env[5] as Item).value;
    dec += performance.now() - t1;
    enc += t1 - t0;
    done += k;
  }
  if (sum !== floorSum) throw new Error(`the floor and the codec disagree: value sums ${floorSum} and ${sum}`);
  const ns = (ms: number) => (ms * 1e6) / N;
  return { floorEnc: ns(floorEnc), floorDec: ns(floorDec), enc: ns(enc), dec: ns(dec) };
}

function main(): void {
  const codec = new Codec({
    isRef: () => false,
    toWire: () => {
      throw new Error("no refs here");
    },
    fromWire: () => {
      throw new Error("no refs here");
    },
  });
  const writer = new FrameEncoder(codec.delegate);
  const runs = { floorEnc: [] as number[], floorDec: [] as number[], enc: [] as number[], dec: [] as number[] };
  for (let i = 0; i < PASSES; i++) {
    const r = pass(codec, writer);
    runs.floorEnc.push(r.floorEnc);
    runs.floorDec.push(r.floorDec);
    runs.enc.push(r.enc);
    runs.dec.push(r.dec);
  }
  const result = {
    runtime: runtimeName,
    messages: N,
    passes: PASSES - WARM,
    nsPerMessage: {
      missive: { encode: median(runs.enc), decode: median(runs.dec) },
      floor: { encode: median(runs.floorEnc), decode: median(runs.floorDec) },
    },
  };
  const { missive, floor: f } = result.nsPerMessage;
  const row = (what: string, e: number, d: number) =>
    `${what.padEnd(10)} ${e.toFixed(1).padStart(8)} ${d.toFixed(1).padStart(8)} ${(e + d).toFixed(1).padStart(8)}`;
  console.log(`codec floor, ${result.runtime}: ns per { id, value, tag } message, medians of ${result.passes} passes of ${N}`);
  console.log(`${"".padEnd(10)} ${"encode".padStart(8)} ${"decode".padStart(8)} ${"both".padStart(8)}`);
  console.log(row("missive", missive.encode, missive.decode));
  console.log(row("floor", f.encode, f.decode));
  console.log(row("gap", missive.encode - f.encode, missive.decode - f.decode));
  const out = new URL(`../results/codec-floor-${result.runtime}.json`, import.meta.url);
  mkdirSync(new URL(".", out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${out.pathname}`);
}

main();

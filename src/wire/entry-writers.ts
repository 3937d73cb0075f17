/**
 * Compiled writers of one key list: for a plain object whose keys the frame encoder has
 * written in the same order often enough at one depth, one generated function writes the
 * whole map — the keys checked against the list as `for…in` yields them, each value read
 * once, the map header and every key's bytes stored as constants, an unsigned integer of
 * up to 32 bits and a string of up to 31 ASCII chars written in place — instead of the
 * encoder's loop, which looks each key up in its slots, reserves room per key and
 * dispatches every value through `#value`. The writer's bytes are the encoder's, byte for
 * byte.
 *
 * Why: on the tell benchmarks' `{ id, value, tag }` that bookkeeping was ~20 ns per key
 * where the `for…in` step, the value's load and the key's stores cost ~7 (a scratch split
 * of the encoder's time, bench/PERFORMANCE.md), and the encoder stood 18–36 ns per message
 * above the hand-written floor of `bench/tools/codec-floor.ts`; with these writers, 7–13
 * (bench/results/ab-writer). Writing the short string in place too (its `tag`) took another
 * 3–8 ns per message off (bench/results/ab-writer-text).
 *
 * Exact as the encoder's loop: every value is read once, in `for…in` order, by `o[k]` (a
 * getter runs once, and what it throws names its key); at the first key that differs from
 * the list (or one past its end) the writer stops before writing anything and hands the
 * values read so far to the encoder ({@link EntrySink.spill}), which writes the map its own
 * way without reading them again. The caller keeps the cases the encoder refuses or routes
 * elsewhere away from it: a polluted `Object.prototype`, a map deeper than the limit, and
 * `"__proto__"`, which never enters a key list (the encoder refuses it before a list is
 * learnt). Keys enter the source only as `JSON.stringify`d literals.
 *
 * @example
 * ```ts
 * const write = compileEntryWriter(["n"], [[0xa1, 0x6e]]);  // the key "n"
 * // write(sink, { n: 1 }, p, depth) → the position after the map, or -1 - i (see WriteEntries)
 * ```
 * @module
 */
import { canGenerateCode } from "./object-shapes.ts";

/** What a compiled writer needs of the encoder it writes for. */
export interface EntrySink {
  /** The encoder's buffer, with room for `n` bytes from byte `p` (a larger buffer when it grew). */
  room(p: number, n: number): Uint8Array;
  /**
   * The encoder's buffer, with room for a string of `n` chars (one byte each, after its
   * one-byte header) at byte `p` and `rest` bytes after it; null when `n` bytes from `p`
   * could be over the message's size limit (the encoder's own path refuses it).
   */
  text(p: number, n: number, rest: number): Uint8Array | null;
  /** Writes `v` at byte `p`, nested at depth `d`, as the encoder does any value; returns the position after it. */
  value(p: number, v: unknown, d: number): number;
  /** Keeps the values read before the writer stopped at a key outside its list, for the encoder's own loop. */
  spill(values: unknown[]): void;
  /** The failure for `e`, thrown while reading the keys of `o` (`key` undefined: a Proxy's trap) or the value of `key`. */
  failed(e: unknown, o: object, key: string | undefined): unknown;
}

/**
 * Writes plain object `o`, whose map header goes at byte `p` and whose values are at
 * depth `d + 1`; returns the position after it. When `o`'s keys are not the writer's list,
 * writes nothing and returns `-1 - i`: the first `i` keys were the list's, and their values,
 * read, went to {@link EntrySink.spill} (for `i` = 0, -1, nothing was read or spilled).
 */
export type WriteEntries = (s: EntrySink, o: Record<string, unknown>, p: number, d: number) => number;

/** A compiled writer and the key list it writes. */
export interface EntryWriter {
  readonly keys: readonly string[];
  readonly write: WriteEntries;
}

/** Key lists longer than this are not compiled (the encoder's loop hands a map of more keys to its slower path). */
export const MAX_WRITER_KEYS = 15;
/** Keys longer than this (header included) are not compiled: their list is written by the encoder's loop. */
export const MAX_WRITER_KEY_BYTES = 32;
/** Compiled writers kept (shared by every encoder of the thread); past it, new lists are written by the loop. */
export const MAX_COMPILED_WRITERS = 256;

const compiled = new Map<string, EntryWriter>();

/**
 * The writer of key list `keys` (encoded as `encoded`, header included), compiled once per
 * thread; null when the list is not compiled (empty, too long, a key over
 * {@link MAX_WRITER_KEY_BYTES}, the cache full, or code generation disabled).
 */
export function entryWriter(keys: readonly string[], encoded: readonly (readonly number[])[]): EntryWriter | null {
  const n = keys.length;
  if (n === 0 || n > MAX_WRITER_KEYS || !canGenerateCode) return null;
  for (let i = 0; i < n; i++) if (encoded[i]!.length > MAX_WRITER_KEY_BYTES || keys[i] === "__proto__") return null;
  const id = JSON.stringify(keys);
  let writer = compiled.get(id);
  if (writer === undefined) {
    if (compiled.size >= MAX_COMPILED_WRITERS) return null;
    const list = keys.slice();
    writer = { keys: list, write: compileEntryWriter(list, encoded) };
    compiled.set(id, writer);
  }
  return writer;
}

/** Room for a value written in place: an unsigned integer takes at most 5 bytes, a value outside that path asks for its own. */
const VALUE_ROOM = 5;

/**
 * The source that writes value `v${i}` at `p`: an unsigned integer of up to 32 bits (not
 * `-0`) as the encoder's `#number` writes it, a string of up to 31 ASCII chars as its
 * `#string` does (a fixstr: header, then one byte per char), anything else by the encoder
 * (a short string with a non-ASCII char too: the encoder writes over the chars written
 * before it); `rest` bytes of room are needed after it.
 */
function writeValue(i: number, rest: number): string {
  const v = `v${i}`;
  const other = `at = ${i}; p = s.value(p, ${v}, d + 1);${rest > 0 ? ` b = s.room(p, ${rest});` : ""}`;
  return `if (typeof ${v} === "number" && (${v} >>> 0) === ${v} && (${v} !== 0 || 1 / ${v} > 0)) {
  if (${v} < 0x80) b[p++] = ${v};
  else if (${v} < 0x100) { b[p] = 0xcc; b[p + 1] = ${v}; p += 2; }
  else if (${v} < 0x10000) { b[p] = 0xcd; b[p + 1] = ${v} >>> 8; b[p + 2] = ${v} & 0xff; p += 3; }
  else { b[p] = 0xce; b[p + 1] = ${v} >>> 24; b[p + 2] = (${v} >>> 16) & 0xff; b[p + 3] = (${v} >>> 8) & 0xff; b[p + 4] = ${v} & 0xff; p += 5; }
} else if (typeof ${v} === "string" && ${v}.length < 32 && (t = s.text(p, ${v}.length, ${rest})) !== null) {
  b = t;
  const n = ${v}.length;
  let j = 0;
  for (; j < n; j++) { const c = ${v}.charCodeAt(j); if (c >= 0x80) break; b[p + 1 + j] = c; }
  if (j === n) { b[p] = 0xa0 | n; p += 1 + n; }
  else { ${other} }
} else {
  ${other}
}
`;
}

/**
 * The writer of `keys` (string keys, at most {@link MAX_WRITER_KEYS}, no `"__proto__"`),
 * whose encodings are `encoded` (header included); the writer keeps `keys` (to name a key
 * in a failure), so it must not change. Needs code generation from strings (see
 * {@link entryWriter}).
 */
export function compileEntryWriter(keys: readonly string[], encoded: readonly (readonly number[])[]): WriteEntries {
  const n = keys.length;
  const locals = keys.map((_, i) => `v${i}`);
  let steps = "";
  for (let i = 0; i < n; i++) {
    steps += `if (i === ${i}) { if (k !== ${JSON.stringify(keys[i])}) break; at = ${i}; v${i} = o[k]; i = ${i + 1}; continue; }\n`;
  }
  // Room still needed after value i: each later key and its value written in place.
  const rest: number[] = new Array<number>(n).fill(0);
  for (let i = n - 2; i >= 0; i--) rest[i] = rest[i + 1]! + encoded[i + 1]!.length + VALUE_ROOM;
  let writes = `b[p] = ${0x80 | n};\n`;
  let offset = 1;
  for (let i = 0; i < n; i++) {
    const bytes = encoded[i]!;
    for (let j = 0; j < bytes.length; j++) writes += `b[p + ${offset + j}] = ${bytes[j]}; `;
    writes += `p += ${offset + bytes.length};\n${writeValue(i, rest[i]!)}`;
    offset = 0;
  }
  const first = 1 + encoded[0]!.length + VALUE_ROOM + rest[0]!;
  const source = `"use strict";
return function write(s, o, p, d) {
  let i = 0, at = -1, t${locals.map((v) => `, ${v}`).join("")};
  try {
    for (const k in o) {
      ${steps}      i = ${n + 1};
      break;
    }
    if (i !== ${n}) {
      if (i === 0) return -1;
      s.spill([${locals.join(", ")}]);
      return i > ${n} ? ${-1 - n} : -1 - i;
    }
    let b = s.room(p, ${first});
    ${writes}    return p;
  } catch (e) {
    throw s.failed(e, o, at < 0 ? undefined : KEYS[at]);
  }
};`;
  return new Function("KEYS", source)(keys) as WriteEntries;
}

/** True when this thread has compiled a writer of `keys` (for tests and diagnostics). */
export function compiledWriterFor(keys: readonly string[]): boolean {
  return compiled.has(JSON.stringify(keys));
}

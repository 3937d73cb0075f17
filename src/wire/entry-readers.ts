/**
 * Compiled readers of one key list: for a map shape the reader has built often enough,
 * one generated function reads the whole map — each key compared with its expected bytes
 * as constants, an unsigned integer of up to 32 bits read in place, a short string and any
 * other value by the reader, one object literal at the end — instead of walking the shape
 * tree key by key (object-shapes.ts) with a scratch array of values.
 *
 * Why: on the tell benchmarks' `{ id, value, tag }` the tree walk was most of a map's
 * decode — a loop over each node's children, a byte loop per key against an array, the
 * values stored and cleared — and a reader written for that one shape decoded a message
 * in ~75% of the time on V8 and ~85% on JSC (`bench/tools/codec-floor.ts`). Reading the
 * integers in place (no call into the reader, no seek before and no position read after
 * each) and a short string through `stringAt` (no dispatch on its header byte) took
 * another 6–13 ns per message off on V8 and ~17 on JSC (decode: Node 73 → 60, Deno
 * 64 → 57, Bun 80 → 62).
 *
 * Safe with untrusted bytes: the generated source holds only numbers (the keys' bytes and
 * lengths) and the keys as `JSON.stringify`d literals; `"__proto__"` never reaches a key
 * list (the reader refuses it before), every comparison is bounds-checked, and a key that
 * differs hands the map back to the tree walk with the entries read so far — nothing is
 * read twice.
 *
 * @example
 * ```ts
 * const encoded = [new Uint8Array([0xa1, 0x6e])];           // the key "n"
 * const read = compileEntryReader(["n"], encoded);
 * // read(reader, bytes, offsetAfterMapHeader, end, depth, scratch) → { n: … } or the entries read
 * ```
 * @module
 */

/** What a compiled reader needs of the reader it reads for. */
export interface ValueSource {
  /** The read position. */
  readonly offset: number;
  /** Moves the read position to byte `p`. */
  seek(p: number): void;
  /** Reads the next value, nested at `depth`. */
  value(depth: number): unknown;
  /** Reads a string of `n` bytes at byte `p` (its header read already) and moves the read position past it. */
  stringAt(p: number, n: number): string;
}

/**
 * Reads the entries of a map whose keys are one key list's, from byte `p` (just past the
 * map's header) of `bytes` (readable up to `end`), its values at `depth`. Returns the
 * object; or, at the first key whose bytes differ, the number of entries read before it —
 * their values in `values[0…]`, the source positioned at that key (0: nothing was read).
 */
export type ReadEntries = (
  source: ValueSource,
  bytes: Uint8Array,
  p: number,
  end: number,
  depth: number,
  values: unknown[],
) => Record<string, unknown> | number;

/**
 * The source of an object literal `{ keys[i]: value(i) }`: each key `JSON.stringify`d, so
 * an untrusted key cannot break out of its literal (the caller keeps `"__proto__"` out).
 */
export function objectLiteral(keys: readonly (string | number)[], value: (i: number) => string): string {
  let source = "{";
  for (let i = 0; i < keys.length; i++) source += `${JSON.stringify(keys[i])}: ${value(i)},`;
  return `${source}}`;
}

/**
 * The source that reads the value at `p` into `let name`, as `FrameReader.value` would: an
 * unsigned integer of up to 32 bits (a positive fixint, uint 8, 16 or 32: the encoder's
 * integers from 0 to 2³² − 1) right here, a string of up to 31 bytes (fixstr) by the
 * reader's `stringAt` (its limits, its cache), anything else — or an integer cut off by
 * the end `e` — by the reader's `value`. Leaves `p` past the value.
 */
const READ_VALUE = (name: string): string =>
  `let ${name};
if (p < e && b[p] < 0x80) ${name} = b[p++];
else if (p < e && (b[p] & 0xe0) === 0xa0) { const n = b[p] & 0x1f; ${name} = r.stringAt(p + 1, n); p += 1 + n; }
else if (p + 2 < e && b[p] === 0xcd) { ${name} = (b[p + 1] << 8) | b[p + 2]; p += 3; }
else if (p + 4 < e && b[p] === 0xce) { ${name} = b[p + 1] * 0x1000000 + ((b[p + 2] << 16) | (b[p + 3] << 8) | b[p + 4]); p += 5; }
else if (p + 1 < e && b[p] === 0xcc) { ${name} = b[p + 1]; p += 2; }
else { r.seek(p); ${name} = r.value(d); p = r.offset; }
`;

/** Keys longer than this (header included) are not compiled: their list is read by the tree. */
export const MAX_COMPILED_KEY_BYTES = 32;

/**
 * The reader of the key list `keys` (string keys, no `"__proto__"`), whose encodings on
 * the wire are `encoded` (header included, at most {@link MAX_COMPILED_KEY_BYTES} each).
 * Needs code generation from strings (the caller checks that it is allowed).
 */
export function compileEntryReader(keys: readonly string[], encoded: readonly Uint8Array[]): ReadEntries {
  let body = "";
  for (let i = 0; i < keys.length; i++) {
    const bytes = encoded[i]!;
    const n = bytes.length;
    let test = `p + ${n} > e`;
    for (let j = 0; j < n; j++) test += ` || b[p${j === 0 ? "" : ` + ${j}`}] !== ${bytes[j]}`;
    let partial = "";
    for (let j = 0; j < i; j++) partial += `vs[${j}] = v${j}; `;
    body += `if (${test}) { r.seek(p); ${partial}return ${i}; }\np += ${n};\n${READ_VALUE(`v${i}`)}`;
  }
  body += `r.seek(p);\nreturn ${objectLiteral(keys, (i) => `v${i}`)};`;
  return new Function("r", "b", "p", "e", "d", "vs", `"use strict";\n${body}`) as ReadEntries;
}

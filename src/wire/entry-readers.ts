/**
 * Compiled readers of one key list: for a map shape the reader has built often enough,
 * one generated function reads the whole map — each key compared with its expected bytes
 * as constants, each value read by the reader, one object literal at the end — instead of
 * walking the shape tree key by key (object-shapes.ts) with a scratch array of values.
 *
 * Why: on the tell benchmarks' `{ id, value, tag }` the tree walk was most of a map's
 * decode — a loop over each node's children, a byte loop per key against an array, the
 * values stored and cleared — and a reader written for that one shape decoded a message
 * in ~75% of the time on V8 and ~85% on JSC (`bench/tools/codec-floor.ts`).
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
    body += `if (${test}) { ${partial}return ${i}; }\n`;
    body += `r.seek(p + ${n});\nconst v${i} = r.value(d);\n`;
    if (i < keys.length - 1) body += "p = r.offset;\n";
  }
  body += `return ${objectLiteral(keys, (i) => `v${i}`)};`;
  return new Function("r", "b", "p", "e", "d", "vs", `"use strict";\n${body}`) as ReadEntries;
}

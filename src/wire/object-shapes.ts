/**
 * Decoded msgpack maps built as objects of a known shape. The reader walks a tree of
 * key lists: at each step it compares the *encoded bytes* of the next key with the keys
 * seen before at that point (usually one), so a known key costs a few byte compares
 * instead of a string decode and a keyed store; at the end of the list a constructor
 * made of one object literal, generated once per list, builds the object.
 *
 * Why: on the tell benchmark's `{ id, value, tag }` payload, decoding the keys and
 * assigning them one by one (`out[key] = value`, a megamorphic keyed store) was more
 * than half of the receiving worker's decode time. The idea is msgpackr's generated
 * record readers, without a change of the wire format: the sender writes plain maps.
 *
 * A key list built {@link COMPILE_AFTER} times gets a compiled reader (entry-readers.ts):
 * the reader tries the list it last read at that depth and size first, one generated
 * function for the whole map, and falls back to this tree at the first key that differs.
 *
 * Untrusted keys are safe in the generated source: each is a `JSON.stringify`d string
 * literal, and `"__proto__"` is refused before a key enters the tree (a literal with that
 * key would set the prototype). Number keys and lists past the limits are built key by
 * key, as is everything where code generation from strings is disabled
 * (`--disallow-code-generation-from-strings`, a CSP).
 *
 * @example
 * ```ts
 * const budget = { nodes: 0 };                          // shared by one reader's tree
 * const root = new ShapeNode(null, null, null);
 * const id = root.add(encodedKeyBytes, "id", budget);   // first time: the reader decoded the key
 * root.matchNext(bytes, pos, bytes.length);             // later: the same key bytes → `id` again
 * id?.build([7]);                                       // { id: 7 }
 * ```
 * @module
 */

import { compileEntryReader, MAX_COMPILED_KEY_BYTES, objectLiteral, type ReadEntries } from "./entry-readers.ts";

/** Maps with at most this many keys are read through the tree. */
export const MAX_SHAPE_KEYS = 16;
/** Nodes per reader (key positions over all lists); past it, new lists are built key by key. */
export const MAX_SHAPE_NODES = 4096;
/** Different keys remembered after one key list prefix. */
const MAX_CHILDREN = 8;
/** A key list gets a compiled reader (entry-readers.ts) once this many maps of it were built through the tree. */
export const COMPILE_AFTER = 8;
/** Compiled readers per reader's tree (each is a generated function). */
export const MAX_COMPILED_READERS = 256;

export type Make = (values: unknown[]) => Record<string, unknown>;

/** False where code generation from strings is disabled (`--disallow-code-generation-from-strings`, a CSP). */
export const canGenerateCode: boolean = (() => {
  try {
    return new Function("return 1")() === 1;
  } catch {
    return false;
  }
})();

/** One position in a key list: the key that led here and the keys seen after it. */
export class ShapeNode {
  /** The key that led to this node (null at a root). */
  readonly key: string | number | null;
  /** This node's depth below its root (the number of keys in its list). */
  readonly length: number;
  /** True when every key on the path is a string (a generated constructor can build it). */
  readonly stringKeys: boolean;
  /** Bytes of {@link key} on the wire, msgpack header included. */
  readonly keyBytes: number;
  /** Those bytes (null at a root). */
  readonly encoded: Uint8Array | null;
  /** Encoded bytes (msgpack header included) of each child's key, and the child. */
  readonly #childBytes: Uint8Array[] = [];
  readonly #children: ShapeNode[] = [];
  readonly #parent: ShapeNode | null;
  #make: Make | null = null;
  /** Maps of this key list built through the tree, until it has a compiled reader. */
  #built = 0;
  #reader: ReadEntries | null = null;

  constructor(parent: ShapeNode | null, key: string | number | null, encoded: Uint8Array | null) {
    this.#parent = parent;
    this.key = key;
    this.encoded = encoded;
    this.keyBytes = encoded === null ? 0 : encoded.length;
    this.length = parent === null ? 0 : parent.length + 1;
    this.stringKeys = parent === null ? true : parent.stringKeys && typeof key === "string";
  }

  /** The child whose encoded key equals `bytes[pos, …)` (up to `end`), if there is one. */
  matchNext(bytes: Uint8Array, pos: number, end: number): ShapeNode | undefined {
    const all = this.#childBytes;
    for (let c = 0; c < all.length; c++) {
      const want = all[c]!;
      const n = want.length;
      if (pos + n > end) continue;
      let i = 0;
      while (i < n && bytes[pos + i] === want[i]) i++;
      if (i === n) return this.#children[c];
    }
    return undefined;
  }

  /**
   * Adds a child for a key read the slow way (`encoded`: its bytes as they were on the
   * wire, copied). Returns undefined when the limits are reached: `budget` is shared by
   * one reader's tree.
   */
  add(encoded: Uint8Array, key: string | number, budget: { nodes: number }): ShapeNode | undefined {
    if (this.#children.length >= MAX_CHILDREN || budget.nodes >= MAX_SHAPE_NODES) return undefined;
    budget.nodes++;
    const child = new ShapeNode(this, key, encoded);
    this.#childBytes.push(encoded);
    this.#children.push(child);
    return child;
  }

  /** Builds the object for this node's key list from `values` (one per key, in order). */
  build(values: unknown[]): Record<string, unknown> {
    const make = this.#make;
    if (make !== null) return make(values);
    if (this.stringKeys && canGenerateCode) {
      this.#make = compile(this.keys());
      return this.#make(values);
    }
    return byAssignment(this.keys(), values, this.length);
  }

  /**
   * The compiled reader of this node's key list (entry-readers.ts), made once
   * {@link COMPILE_AFTER} maps of it were built through the tree (call after each), while
   * `budget` allows; null until then, and for lists it cannot compile (a number key, a key
   * over {@link MAX_COMPILED_KEY_BYTES}, code generation disabled).
   */
  compiledReader(budget: { compiled: number }): ReadEntries | null {
    if (this.#reader !== null || ++this.#built < COMPILE_AFTER) return this.#reader;
    if (this.#built > COMPILE_AFTER || !this.stringKeys || !canGenerateCode || budget.compiled >= MAX_COMPILED_READERS) return null;
    if (this.encoded === null || this.encoded.length > MAX_COMPILED_KEY_BYTES) return null;
    const encoded: Uint8Array[] = [this.encoded];
    for (let node = this.#parent; node !== null && node.encoded !== null; node = node.#parent) {
      if (node.encoded.length > MAX_COMPILED_KEY_BYTES) return null;
      encoded.push(node.encoded);
    }
    budget.compiled++;
    this.#reader = compileEntryReader(this.keys() as string[], encoded.reverse());
    return this.#reader;
  }

  /** The compiled reader of this node's key list, once {@link compiledReader} has made it. */
  get reader(): ReadEntries | null {
    return this.#reader;
  }

  /** The node of this node's key list's first `length` keys. */
  ancestor(length: number): ShapeNode {
    if (this.length <= length) return this;
    let node = this.#parent!;
    while (node.length > length) node = node.#parent!;
    return node;
  }

  /** The key list from the root to this node. */
  keys(): (string | number)[] {
    const out: (string | number)[] = [];
    if (this.key === null) return out;
    out.push(this.key);
    for (let node = this.#parent; node !== null && node.key !== null; node = node.#parent) out.push(node.key);
    return out.reverse();
  }
}

/** Builds `{ keys[i]: values[i] }` one assignment at a time (a later duplicate key wins). */
export function byAssignment(keys: readonly (string | number)[], values: readonly unknown[], n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[keys[i]!] = values[i];
  return out;
}

/**
 * A function that builds `{ keys[i]: values[i] }` (string keys, no `"__proto__"`): one
 * object literal generated for the list, or key-by-key assignment where code generation
 * is disabled.
 */
export function shapeMaker(keys: readonly string[]): Make {
  if (canGenerateCode) return compile(keys);
  const n = keys.length;
  return (values) => byAssignment(keys, values, n);
}

function compile(keys: readonly (string | number)[]): Make {
  return new Function("v", `return ${objectLiteral(keys, (i) => `v[${i}]`)};`) as Make;
}

/**
 * The same-loop copy of a flat plain object — primitives and refs of the loop, the usual
 * request `{ replyTo, n }` — made without bytes: its values read once, in `for…in` order,
 * the copy built from them by a constructor generated once per key list. It gives what
 * `Codec.copyEnvelope`'s writer and reader would: numbers (-0, NaN), strings (lone
 * surrogates), booleans, null and `undefined` are immutable; a ref of the loop arrives as
 * the very object (as there, see format.ts `Ext.LocalRef`).
 *
 * Anything else inside (a nested object or array, another ref, a bigint, a function…), 16
 * keys or more, or a size that may be over the limit: the values read so far make a
 * snapshot (a plain object of the same keys, in the same order) that the byte path
 * encodes instead, so that no getter runs twice and every check and error is the
 * writer's own. The size: an upper bound (3 bytes per UTF-16 unit and the longest header
 * per key and string, 9 per number, a ref's own bytes); only when it is within the limit
 * is the byte path skipped.
 *
 * A key list copied flat once gets a copier of its own, generated (one function): the keys
 * compared with constants as `for…in` lists them, the values kept in locals, the copy one
 * object literal. The copier of the list copied last is tried first, then the one whose
 * first key is the object's; at the first key that differs it goes on with the generic
 * loop (below), keeping what it read, so no getter runs twice either way. (A first key
 * that no copier knows costs one more `for…in` start, before any value is read; on a
 * Proxy, its traps that list the keys run again.) Where code cannot be generated, every
 * object takes the generic loop.
 *
 * Why: on `pingpong-refs` the copy of `{ replyTo, n }` (encode, decode) was most of the
 * difference between a reply ref in a request object and `ctx.sender`; with the generic
 * loop alone (values through arrays, the constructor looked up by comparing key lists) it
 * still was (`bench/results/ab-flat-copy`).
 *
 * @example
 * ```ts
 * declare function refBytes(ref: object): Uint8Array; // a ref's encoding (the codec's delegate)
 * declare function isLocalRef(v: object): boolean; // RefCodec.local
 * declare function encodeAndDecode(v: unknown): unknown; // the byte path
 * declare const self: object; // a ref of this loop
 * const flat = new FlatCopier((ref) => refBytes(ref).byteLength, (v) => isLocalRef(v));
 * const copy = flat.copy({ replyTo: self, n: 1 }, 1 << 20); // a new object; `replyTo` is `self`
 * if (flat.snapshot) encodeAndDecode(copy); // not flat: `copy` is the snapshot to encode
 * ```
 * @module
 */
import { entryFailure } from "./encode-failure.ts";
import { failed, protoKey } from "./frame-encoder.ts";
import { canGenerateCode, type Make, shapeMaker } from "./object-shapes.ts";
import { objectLiteral } from "./entry-readers.ts";

/** Key lists with a constructor (and, where code can be generated, a copier) kept at hand. */
const SHAPES = 8;
/** Flat objects up to this many keys are built by a constructor (the writer's own map fast path stops at 15 too). */
const MAX_KEYS = 15;

/**
 * A key list's generated copier: the copy (or, past the first key, whatever the generic
 * path made of the object); or, when the object's first key is not the list's, that key
 * (nothing was read).
 */
type ShapeCopier = (o: Record<string, unknown>, room: number, c: FlatCopier) => Record<string, unknown> | string;

interface Shape {
  keys: string[];
  make: Make;
  copy: ShapeCopier | null;
}

/** Thrown by {@link FlatCopier.read} at a `"__proto__"` key; {@link FlatCopier.failed} makes it the writer's failure. */
const PROTO_KEY = Symbol("__proto__ key");

export class FlatCopier {
  /** True when the last {@link copy} returned a snapshot to encode, not a copy. */
  snapshot = false;
  readonly #refBytes: (ref: object) => number;
  readonly #local: (value: object) => boolean;
  readonly #keys: string[] = [];
  readonly #values: unknown[] = [];
  readonly #shapes: (Shape | undefined)[] = new Array<Shape | undefined>(SHAPES).fill(undefined);
  #nextShape = 0;
  /** The shape copied last (its copier is tried first). */
  #last = 0;
  /** The generic path's state: entries read, their size bound, whether all are flat, the key read last. */
  #n = 0;
  #bound = 0;
  #flat = true;
  #key: string | undefined = undefined;
  /** The last ref met and its bytes (a conversation sends the same one again and again). */
  #lastRef: object | null = null;
  #lastRefBytes = 0;

  /**
   * @param refBytes the bytes a ref takes in a message (its extension, header included)
   * @param local true for a ref the copy may carry as it is (`RefCodec.local`)
   */
  constructor(refBytes: (ref: object) => number, local: (value: object) => boolean) {
    this.#refBytes = refBytes;
    this.#local = local;
  }

  /**
   * A copy of `o` (a plain object, `Object.prototype` clean: the caller checked) when it is
   * flat and certainly within `room` bytes (set aside for the envelope around it); else,
   * with {@link snapshot} set, the snapshot to encode instead. Throws the writer's failure
   * when reading a value throws, or for a `"__proto__"` key.
   */
  copy(o: Record<string, unknown>, room: number): Record<string, unknown> {
    const shapes = this.#shapes;
    const last = shapes[this.#last];
    if (last !== undefined && last.copy !== null) {
      const out = last.copy(o, room, this);
      if (typeof out !== "string") return out;
      const other = this.#withFirstKey(out);
      if (other !== -1) {
        this.#last = other;
        const again = shapes[other]!.copy!(o, room, this);
        if (typeof again !== "string") return again;
      }
    }
    this.#begin();
    try {
      for (const k in o) this.read(o, k);
    } catch (e) {
      throw this.failed(e, o, true, undefined);
    }
    return this.finish(room);
  }

  /**
   * The bytes `v` takes in a message when it is a ref a copy carries as it is; -1 for any
   * other object, and for one that throws when asked (the writer then says why). The last
   * such ref is remembered: a conversation sends the same one again and again, and refs
   * are immutable.
   */
  carriedRefBytes(v: object): number {
    if (v !== this.#lastRef) {
      try {
        if (!this.#local(v)) return -1;
        this.#lastRefBytes = this.#refBytes(v);
      } catch {
        return -1;
      }
      this.#lastRef = v;
    }
    return this.#lastRefBytes;
  }

  /** At most the bytes value `v` takes in a flat copy; -1 when it is not flat (the snapshot then goes to the writer). */
  valueBound(v: unknown): number {
    // `typeof v === "…"` tests, not a `switch (typeof v)`: V8 called its Typeof builtin for the switch.
    if (typeof v === "number") return 9;
    if (typeof v === "string") return 3 * v.length + 6;
    if (typeof v === "object") return v === null ? 1 : this.carriedRefBytes(v);
    if (typeof v === "boolean" || v === undefined) return 3;
    return -1;
  }

  // ---- the generic path (also where a generated copier goes on from) ----------------------

  /**
   * Generic path, one entry: reads `o[k]` (once) and records it. Throws for a `"__proto__"`
   * key (see {@link failed}).
   * @internal called by the generated copiers too
   */
  read(o: Record<string, unknown>, k: string): void {
    if (k === "__proto__") throw PROTO_KEY;
    this.#key = k;
    this.#record(k, o[k]);
  }

  /**
   * A generated copier hands over to the generic path: `values` read for the first `n` of
   * `keys`, in order.
   * @internal
   */
  spill(keys: readonly string[], n: number, values: readonly unknown[]): void {
    this.#begin();
    for (let i = 0; i < n; i++) this.#record(keys[i]!, values[i]);
    if (n > 0) this.#key = keys[n - 1];
  }

  /**
   * The generic path's end: a copy of the entries read (by their key list's constructor)
   * when they are flat and within `room`, else their snapshot.
   * @internal
   */
  finish(room: number): Record<string, unknown> {
    const keys = this.#keys;
    const values = this.#values;
    const n = this.#n;
    this.snapshot = !this.#flat || n > MAX_KEYS || this.#bound > room;
    const out = this.snapshot ? snapshotOf(keys, values, n) : this.#shape(keys, n).make(values);
    clear(values, n);
    this.#n = 0;
    return out;
  }

  /**
   * The writer's failure for `e`, thrown while copying `o`: a `"__proto__"` key, or reading
   * a value (or listing the keys: a Proxy) threw. The key named is the one read last:
   * the generic path's own when `generic`, else `key`.
   * @internal
   */
  failed(e: unknown, o: object, generic: boolean, key: string | undefined): unknown {
    clear(this.#values, this.#n);
    this.#n = 0;
    if (e === PROTO_KEY) return failed(protoKey(o));
    const at = generic ? this.#key : key;
    // As the writer: no key yet, listing the keys threw (a Proxy); else reading that key's value did.
    return failed(entryFailure(e, o, at));
  }

  #record(k: string, v: unknown): void {
    const n = this.#n;
    this.#keys[n] = k;
    this.#values[n] = v;
    this.#n = n + 1;
    this.#bound += 3 * k.length + 6;
    if (this.#flat) {
      const bytes = this.valueBound(v);
      if (bytes >= 0) this.#bound += bytes;
      else this.#flat = false;
    }
  }

  #begin(): void {
    this.#n = 0;
    this.#bound = 5; // the map header
    this.#flat = true;
    this.#key = undefined;
  }

  /** The index of the shape (with a copier) whose first key is `key`; -1 if none. */
  #withFirstKey(key: string): number {
    const shapes = this.#shapes;
    for (let s = 0; s < SHAPES; s++) {
      const shape = shapes[s];
      if (shape === undefined) break;
      if (shape.keys[0] === key && shape.copy !== null) return s;
    }
    return -1;
  }

  /** The shape of `keys[0, n)`, made the first to try. */
  #shape(keys: string[], n: number): Shape {
    const shapes = this.#shapes;
    for (let s = 0; s < SHAPES; s++) {
      const shape = shapes[s];
      if (shape === undefined) break;
      const known = shape.keys;
      if (known.length !== n) continue;
      let i = 0;
      while (i < n && known[i] === keys[i]) i++;
      if (i === n) {
        this.#last = s;
        return shape;
      }
    }
    const list = keys.slice(0, n);
    const shape: Shape = { keys: list, make: shapeMaker(list), copy: canGenerateCode ? compileCopier(list) : null };
    this.#last = this.#nextShape;
    shapes[this.#nextShape] = shape;
    this.#nextShape = (this.#nextShape + 1) % SHAPES;
    return shape;
  }
}

/**
 * The source of a copier for `keys` (see the module's doc). Keys enter the source only as
 * `JSON.stringify`d literals (no `"__proto__"`: the generic path refuses it before a list
 * is made).
 */
function compileCopier(keys: readonly string[]): ShapeCopier {
  const m = keys.length;
  const locals = keys.map((_, i) => `v${i}`);
  const all = `[${locals.join(", ")}]`;
  let steps = "";
  for (let i = 0; i < m; i++) {
    const key = JSON.stringify(keys[i]);
    steps += i === 0
      ? `if (i === 0) { if (k === ${key}) { at = 0; v0 = o[k]; i = 1; continue; } return k; }\n`
      : `if (i === ${i} && k === ${key}) { at = ${i}; v${i} = o[k]; i = ${i + 1}; continue; }\n`;
  }
  if (m === 0) steps = "return k;\n";
  let keyBound = 5;
  for (const k of keys) keyBound += 3 * k.length + 6;
  const bounds = locals.map((v, i) => `const b${i} = c.valueBound(${v});`).join(" ");
  const flat = locals.map((_, i) => `b${i} >= 0`).join(" && ") || "true";
  const sum = locals.map((_, i) => `b${i}`).join(" + ") || "0";
  const source = `"use strict";
return function copy(o, room, c) {
  let i = 0, at = -1, slow = false${locals.map((v) => `, ${v}`).join("")};
  try {
    for (const k in o) {
      if (!slow) {
        ${steps}        slow = true;
        c.spill(KEYS, i, ${all});
      }
      c.read(o, k);
    }
  } catch (e) {
    throw c.failed(e, o, slow, at < 0 ? undefined : KEYS[at]);
  }
  if (!slow) {
    if (i === ${m}) {
      ${bounds}
      if (${flat} && ${keyBound} + ${sum} <= room) {
        c.snapshot = false;
        return ${objectLiteral(keys, (i) => `v${i}`)};
      }
    }
    c.spill(KEYS, i, ${all});
  }
  return c.finish(room);
};`;
  return new Function("KEYS", source)(keys) as ShapeCopier;
}

/** The reader keeps no value alive. */
function clear(values: unknown[], n: number): void {
  for (let i = 0; i < n; i++) values[i] = undefined;
}

function snapshotOf(keys: string[], values: unknown[], n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[keys[i]!] = values[i];
  return out;
}

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
 * Why: on `pingpong-refs` the copy of `{ replyTo, n }` (encode, decode) was most of the
 * difference between a reply ref in a request object and `ctx.sender`.
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
import { EncodeFailure, keyStep } from "./encode-failure.ts";
import { failed, protoKey } from "./frame-encoder.ts";
import { type Make, shapeMaker } from "./object-shapes.ts";

/** Key lists with a constructor kept at hand (the last ones used). */
const SHAPES = 8;
/** Flat objects up to this many keys are built by a constructor (the writer's own map fast path stops at 15 too). */
const MAX_KEYS = 15;

interface Shape {
  keys: string[];
  make: Make;
}

export class FlatCopier {
  /** True when the last {@link copy} returned a snapshot to encode, not a copy. */
  snapshot = false;
  readonly #refBytes: (ref: object) => number;
  readonly #local: (value: object) => boolean;
  readonly #keys: string[] = [];
  readonly #values: unknown[] = [];
  readonly #shapes: (Shape | undefined)[] = new Array<Shape | undefined>(SHAPES).fill(undefined);
  #nextShape = 0;
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
    const keys = this.#keys;
    const values = this.#values;
    let n = 0;
    let flat = true;
    let bound = 5; // the map header
    let key: string | undefined;
    let proto = false;
    try {
      for (const k in o) {
        if (k === "__proto__") {
          proto = true;
          break;
        }
        key = k;
        const v = o[k];
        keys[n] = k;
        values[n] = v;
        n++;
        bound += 3 * k.length + 6;
        if (!flat) continue;
        switch (typeof v) {
          case "number":
            bound += 9;
            break;
          case "boolean":
          case "undefined":
            bound += 3;
            break;
          case "string":
            bound += 3 * v.length + 6;
            break;
          case "object": {
            if (v === null) {
              bound += 1;
              break;
            }
            const bytes = this.carriedRefBytes(v);
            if (bytes >= 0) bound += bytes;
            else flat = false;
            break;
          }
          default:
            flat = false;
        }
      }
    } catch (e) {
      clear(values, n);
      // As the writer: no key yet, listing the keys threw (a Proxy); else reading that key's value did.
      throw failed(key === undefined ? EncodeFailure.from(e) : EncodeFailure.from(e).at(o, keyStep(key)));
    }
    if (proto) {
      clear(values, n);
      throw failed(protoKey(o));
    }
    this.snapshot = !flat || n > MAX_KEYS || bound > room;
    const out = this.snapshot ? snapshotOf(keys, values, n) : this.#make(keys, n)(values);
    clear(values, n);
    return out;
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

  /** The constructor for `keys[0, n)`. */
  #make(keys: string[], n: number): Make {
    const shapes = this.#shapes;
    for (let s = 0; s < SHAPES; s++) {
      const shape = shapes[s];
      if (shape === undefined) break;
      const known = shape.keys;
      if (known.length !== n) continue;
      let i = 0;
      while (i < n && known[i] === keys[i]) i++;
      if (i === n) return shape.make;
    }
    const list = keys.slice(0, n);
    const make = shapeMaker(list);
    shapes[this.#nextShape] = { keys: list, make };
    this.#nextShape = (this.#nextShape + 1) % SHAPES;
    return make;
  }
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

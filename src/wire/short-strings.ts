/**
 * A cache for short UTF-8 strings (message names, keys, tags): decoding them is a hash and
 * a byte compare instead of a UTF-8 pass and a new string each time. Used by the frame
 * reader.
 *
 * The table is direct-mapped (one slot per hash value, a newer string evicts an older
 * one with the same slot): no `Map` lookup and no object per entry, a few ns per string
 * faster than a `Map` of entries (an envelope with a string payload: ~51 → ~45 ns). A
 * string of up to 4 bytes (a tag, an enum value) is one 32-bit integer: hashed and
 * compared as such, with no loop over its bytes (the tell benchmarks' decode: 1.5–4 ns
 * less per message).
 *
 * @example
 * ```ts
 * const strings = new ShortStrings();
 * strings.decode(bytes, 10, 4); // "echo", decoded once, then served from the cache
 * ```
 * @module
 */

/** Strings up to this many bytes are cached. */
export const SHORT_STRING_BYTES = 16;
const SLOT_BITS = 12;
const SLOTS = 1 << SLOT_BITS;
const utf8 = new TextDecoder();

/** Strings of at most {@link SHORT_STRING_BYTES} bytes by a hash of their bytes (a hit compares the bytes). */
export class ShortStrings {
  /** Per slot: the string's bytes, `SHORT_STRING_BYTES` per slot. */
  readonly #bytes = new Uint8Array(SLOTS * SHORT_STRING_BYTES);
  /** Per slot: the string's byte length (0: empty slot). */
  readonly #lengths = new Uint8Array(SLOTS);
  readonly #values: string[] = new Array<string>(SLOTS).fill("");
  /** Per slot holding a string of at most 4 bytes: those bytes as one integer (little-endian). */
  readonly #packed = new Int32Array(SLOTS);

  /** The string in `bytes[start, start + length)`; `length` must be 1..{@link SHORT_STRING_BYTES}. */
  decode(bytes: Uint8Array, start: number, length: number): string {
    if (length <= 4) {
      // Up to 4 bytes: one integer is the hash's input and the whole comparison.
      let key = bytes[start]!;
      if (length > 1) key |= bytes[start + 1]! << 8;
      if (length > 2) key |= bytes[start + 2]! << 16;
      if (length > 3) key |= bytes[start + 3]! << 24;
      const small = Math.imul(key ^ length, 0x9e3779b1) >>> (32 - SLOT_BITS); // the product's top bits
      if (this.#lengths[small] === length && this.#packed[small] === key) return this.#values[small]!;
      const value = utf8.decode(bytes.subarray(start, start + length));
      this.#packed[small] = key;
      this.#lengths[small] = length;
      this.#values[small] = value;
      return value;
    }
    let hash = 0x811c9dc5 ^ length;
    const end = start + length;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 16777619);
    const slot = (hash ^ (hash >>> 15)) & (SLOTS - 1);
    const base = slot * SHORT_STRING_BYTES;
    const cached = this.#bytes;
    if (this.#lengths[slot] === length) {
      let i = 0;
      while (i < length && cached[base + i] === bytes[start + i]) i++;
      if (i === length) return this.#values[slot]!;
    }
    const value = utf8.decode(bytes.subarray(start, end));
    for (let i = 0; i < length; i++) cached[base + i] = bytes[start + i]!;
    this.#lengths[slot] = length;
    this.#values[slot] = value;
    return value;
  }
}

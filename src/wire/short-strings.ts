/**
 * A cache for short UTF-8 strings (message names, keys, tags): decoding them is a hash and
 * a byte compare instead of a UTF-8 pass and a new string each time. Used by the frame
 * reader.
 *
 * The table is direct-mapped (one slot per hash value, a newer string evicts an older
 * one with the same slot): no `Map` lookup and no object per entry, a few ns per string
 * faster than a `Map` of entries (an envelope with a string payload: ~51 → ~45 ns).
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
const SLOTS = 4096;
const utf8 = new TextDecoder();

/** Strings of at most {@link SHORT_STRING_BYTES} bytes by a hash of their bytes (a hit compares the bytes). */
export class ShortStrings {
  /** Per slot: the string's bytes, `SHORT_STRING_BYTES` per slot. */
  readonly #bytes = new Uint8Array(SLOTS * SHORT_STRING_BYTES);
  /** Per slot: the string's byte length (0: empty slot). */
  readonly #lengths = new Uint8Array(SLOTS);
  readonly #values: string[] = new Array<string>(SLOTS).fill("");

  /** The string in `bytes[start, start + length)`; `length` must be 1..{@link SHORT_STRING_BYTES}. */
  decode(bytes: Uint8Array, start: number, length: number): string {
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

/**
 * A cache for short UTF-8 strings (message names, keys, tags): decoding them is a hash and
 * a byte compare instead of a UTF-8 pass and a new string each time. Used by the frame
 * reader and by the msgpack decoder's fast path.
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
const MAX_ENTRIES = 4096;
const utf8 = new TextDecoder();

/** Strings of at most {@link SHORT_STRING_BYTES} bytes by an FNV-1a hash of their bytes (collisions compare the bytes). */
export class ShortStrings {
  readonly #entries = new Map<number, { bytes: Uint8Array; value: string }>();

  /** The string in `bytes[start, start + length)`; `length` must be 1..{@link SHORT_STRING_BYTES}. */
  decode(bytes: Uint8Array, start: number, length: number): string {
    let hash = 0x811c9dc5 ^ length;
    for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ bytes[i]!, 16777619);
    const hit = this.#entries.get(hash);
    if (hit !== undefined && hit.bytes.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (hit.bytes[i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit.value;
    }
    const own = bytes.slice(start, start + length);
    const value = utf8.decode(own);
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(hash, { bytes: own, value });
    return value;
  }
}

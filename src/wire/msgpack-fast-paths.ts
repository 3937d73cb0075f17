/**
 * Two fast paths patched onto our own `Encoder`/`Decoder` instances of @msgpack/msgpack
 * (pinned at 3.1.3; the patch checks the methods it needs and does nothing otherwise).
 *
 * - Encode: `encodeObject` first tries every registered extension encoder — eight calls
 *   per object here (refs, errors, Map, Set, bigint, ArrayBuffer, handles, the guard) plus
 *   msgpack's own timestamp check — before it writes a map or an array. Plain objects and
 *   arrays, the bulk of every message, now go straight to `encodeMap`/`encodeArray`.
 *   Measured on the tell benchmark ({ id, value, tag } items): this was ~25% of the
 *   sender's time.
 * - Decode: msgpack caches short strings only in map-key position; message names and
 *   short string values were decoded from UTF-8 every time. Short strings (≤ 16 bytes)
 *   now go through a small cache keyed by a hash of their bytes.
 *
 * @example
 * ```ts
 * const encoder = withFastEncode(new Encoder({ extensionCodec }));
 * const decoder = withStringCache(new Decoder({ extensionCodec }));
 * ```
 * @module
 */
import type { Decoder, Encoder } from "@msgpack/msgpack";

interface EncoderInternals {
  encodeObject(object: unknown, depth: number): void;
  encodeMap(object: Record<string, unknown>, depth: number): void;
  encodeArray(object: unknown[], depth: number): void;
}

/** Sends plain objects and arrays straight to the map/array writers. */
export function withFastEncode<E extends Encoder<undefined>>(encoder: E): E {
  const e = encoder as unknown as EncoderInternals;
  if (typeof e.encodeObject !== "function" || typeof e.encodeMap !== "function" || typeof e.encodeArray !== "function") return encoder;
  const slow = e.encodeObject.bind(e);
  e.encodeObject = (object, depth) => {
    if (Array.isArray(object)) {
      e.encodeArray(object, depth);
      return;
    }
    // An own "__proto__" key takes the slow path, where the guard refuses it.
    if (Object.getPrototypeOf(object) === Object.prototype && !Object.hasOwn(object as object, "__proto__")) {
      e.encodeMap(object as Record<string, unknown>, depth);
      return;
    }
    slow(object, depth);
  };
  return encoder;
}

interface DecoderInternals {
  bytes: Uint8Array;
  pos: number;
  maxStrLength: number;
  decodeUtf8String(byteLength: number, headerOffset: number): string;
}

const MAX_CACHED = 16;
const MAX_ENTRIES = 4096;
const utf8 = new TextDecoder();

/** Strings of at most 16 bytes by an FNV-1a hash of their bytes (collisions compare the bytes). */
class ShortStrings {
  readonly #entries = new Map<number, { bytes: Uint8Array; value: string }>();

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

/** Decodes short strings through a cache (as msgpack does for map keys). */
export function withStringCache<D extends Decoder<undefined>>(decoder: D): D {
  const d = decoder as unknown as DecoderInternals;
  if (typeof d.decodeUtf8String !== "function" || !("pos" in d) || !("bytes" in d)) return decoder;
  const cache = new ShortStrings();
  const slow = d.decodeUtf8String.bind(d);
  d.decodeUtf8String = (byteLength, headerOffset) => {
    const start = d.pos + headerOffset;
    if (byteLength === 0 || byteLength > MAX_CACHED || byteLength > d.maxStrLength || d.bytes.byteLength < start + byteLength) {
      return slow(byteLength, headerOffset);
    }
    const s = cache.decode(d.bytes, start, byteLength);
    d.pos = start + byteLength;
    return s;
  };
  return decoder;
}

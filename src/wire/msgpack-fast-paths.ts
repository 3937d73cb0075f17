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
import { SHORT_STRING_BYTES, ShortStrings } from "./short-strings.ts";

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

/** Decodes short strings through a cache (as msgpack does for map keys). */
export function withStringCache<D extends Decoder<undefined>>(decoder: D): D {
  const d = decoder as unknown as DecoderInternals;
  if (typeof d.decodeUtf8String !== "function" || !("pos" in d) || !("bytes" in d)) return decoder;
  const cache = new ShortStrings();
  const slow = d.decodeUtf8String.bind(d);
  d.decodeUtf8String = (byteLength, headerOffset) => {
    const start = d.pos + headerOffset;
    if (byteLength === 0 || byteLength > SHORT_STRING_BYTES || byteLength > d.maxStrLength || d.bytes.byteLength < start + byteLength) {
      return slow(byteLength, headerOffset);
    }
    const s = cache.decode(d.bytes, start, byteLength);
    d.pos = start + byteLength;
    return s;
  };
  return decoder;
}

/**
 * A lean msgpack writer for the hot path: it encodes envelopes straight into the frame
 * buffer of a link — no intermediate buffer, no copy — with the common types written
 * inline (nil, booleans, numbers, strings, plain objects, arrays, byte arrays), object
 * keys encoded once and cached, and an ASCII fast path for strings. Every other value
 * (refs, errors, Map, Set, Date, bigint, registered handles, and anything to refuse) is
 * handed to the full codec (`delegate`), whose bytes are copied in, so the wire format is
 * exactly what @msgpack/msgpack's decoder with our extension codec reads.
 *
 * Why not @msgpack/msgpack's `Encoder` here: measured on the tell benchmark it cost
 * ~0.8 µs per `{ id, value, tag }` message (extension checks per object, a UTF-8 pass
 * per key, a copy into the frame); this writer is the difference between the codec and
 * the port being the bottleneck (see `bench/`).
 *
 * A failed encode leaves the frame as it was: `writeEnvelope` rolls back on error.
 *
 * @example
 * ```ts
 * const w = new FrameEncoder((v) => codec.encode(v));
 * w.writeEnvelope(Kind.Tell, 1025, 0, 0, "inc", { by: 1 });
 * const frame = w.take(ack);
 * ```
 * @module
 */
import { FRAME_HEADER_BYTES } from "./frame-header.ts";

const MAX_DEPTH = 100;
const MIN_CAPACITY = 256;
const MAX_REMEMBERED_CAPACITY = 1 << 20;
/**
 * Room for a typical envelope past the last frame's size. The next frame is sized like the
 * last one plus this, not twice it: a flood's frames end just past the link's 64 KiB flush
 * size, and a 128 KiB+ buffer per frame went to mmap/munmap with a page fault per page
 * (~39 µs per frame, 5% of the sender's time on the tell benchmark).
 */
const CAPACITY_SLACK = 4096;
const KEY_CACHE_LIMIT = 4096;
const textEncoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** Encodes values the writer does not handle itself (a complete msgpack value). */
export type Delegate = (value: unknown) => Uint8Array;

/**
 * True while `Object.prototype` has no enumerable properties (nobody polluted it), so
 * `for…in` over a plain object sees only its own keys.
 */
function prototypeClean(): boolean {
  for (const _ in Object.prototype) return false;
  return true;
}

export class FrameEncoder {
  #bytes: Uint8Array = EMPTY;
  #view: DataView = new DataView(EMPTY.buffer);
  /** The buffer of the last frame taken, and whether {@link recycle} gave it back. */
  #taken: Uint8Array = EMPTY;
  #takenView: DataView = this.#view;
  #takenReusable = false;
  #pos = 0;
  #count = 0;
  #nextCapacity = 1024;
  readonly #delegate: Delegate;
  /** The last message name written and its encoding (messages come in runs). */
  #lastName = "";
  #lastNameBytes = new Uint8Array([0xa0]);
  /** Encoded map keys (header included). */
  readonly #keys = new Map<string, Uint8Array>();
  /** Per (depth < 8, key position < 16): the last key written there and its encoding. */
  readonly #slotKeys: (string | null)[] = new Array<string | null>(128).fill(null);
  readonly #slotBytes: (Uint8Array | null)[] = new Array<Uint8Array | null>(128).fill(null);

  constructor(delegate: Delegate) {
    this.#delegate = delegate;
  }

  /** Envelopes written since the last {@link take}. */
  get count(): number {
    return this.#count;
  }

  /** Bytes used, header included (0 when the frame is empty). */
  get byteLength(): number {
    return this.#count === 0 ? 0 : this.#pos;
  }

  /**
   * Appends `[kind, to, from, id, name, payload]` and returns its encoded size. Throws (and
   * leaves the frame unchanged) when the payload cannot be encoded.
   */
  writeEnvelope(kind: number, to: number, from: number, id: number, name: string | null, payload: unknown): number {
    if (this.#count === 0) this.#begin();
    const start = this.#pos;
    try {
      this.#ensure(1);
      this.#bytes[this.#pos++] = 0x96; // fixarray of 6
      this.#number(kind);
      this.#number(to);
      this.#number(from);
      this.#number(id);
      if (name === null) this.#u8(0xc0);
      else if (name === this.#lastName) this.#copy(this.#lastNameBytes);
      else {
        const at = this.#pos;
        this.#string(name);
        this.#lastName = name;
        this.#lastNameBytes = this.#bytes.slice(at, this.#pos);
      }
      this.#value(payload, 1);
    } catch (e) {
      this.#pos = start;
      throw e;
    }
    this.#count++;
    return this.#pos - start;
  }

  /** Appends an envelope encoded elsewhere. */
  appendEncoded(envelope: Uint8Array): void {
    if (this.#count === 0) this.#begin();
    this.#ensure(envelope.byteLength);
    this.#bytes.set(envelope, this.#pos);
    this.#pos += envelope.byteLength;
    this.#count++;
  }

  /** Removes the last envelope again (it was `length` bytes). */
  dropLast(length: number): void {
    this.#pos -= length;
    this.#count--;
  }

  /** The last `length` bytes written (a copy), e.g. to decode a local delivery. */
  lastBytes(length: number): Uint8Array {
    return this.#bytes.slice(this.#pos - length, this.#pos);
  }

  /** Returns the finished frame (a view over its own ArrayBuffer, header filled in) and starts a new one. */
  take(ack = 0): Uint8Array {
    const view = this.#view;
    view.setUint32(0, this.#count, true);
    view.setUint32(4, ack >>> 0, true);
    const frame = this.#bytes.subarray(0, this.#pos);
    this.#nextCapacity = Math.min(MAX_REMEMBERED_CAPACITY, Math.max(MIN_CAPACITY, this.#pos + CAPACITY_SLACK));
    this.#taken = this.#bytes;
    this.#takenView = view;
    this.#takenReusable = false;
    this.#bytes = EMPTY;
    this.#pos = 0;
    this.#count = 0;
    return frame;
  }

  /**
   * The frame just returned by {@link take} was copied, not transferred (a small frame
   * posted as a string): its buffer is written again by the next frame instead of a new
   * one being allocated (an ask and its reply allocated two per round trip).
   */
  recycle(frame: Uint8Array): void {
    if (this.#taken.buffer === frame.buffer && this.#count === 0) this.#takenReusable = true;
  }

  #begin(): void {
    // A recycled buffer is at least as large as the last frame (and grows if need be).
    if (this.#takenReusable) {
      this.#bytes = this.#taken;
      this.#view = this.#takenView;
      this.#takenReusable = false;
    } else {
      this.#bytes = new Uint8Array(this.#nextCapacity);
      this.#view = new DataView(this.#bytes.buffer);
    }
    this.#pos = FRAME_HEADER_BYTES;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#bytes.byteLength) return;
    const grown = new Uint8Array(Math.max(this.#bytes.byteLength * 2, this.#pos + n));
    grown.set(this.#bytes.subarray(0, this.#pos));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  #u8(b: number): void {
    this.#ensure(1);
    this.#bytes[this.#pos++] = b;
  }

  #value(v: unknown, depth: number): void {
    switch (typeof v) {
      case "number":
        this.#number(v);
        return;
      case "string":
        this.#string(v);
        return;
      case "boolean":
        this.#u8(v ? 0xc3 : 0xc2);
        return;
      case "undefined":
        this.#u8(0xc0);
        return;
      case "object": {
        if (v === null) {
          this.#u8(0xc0);
          return;
        }
        if (depth > MAX_DEPTH) throw new Error(`Too deep objects in depth ${depth}`);
        if (Array.isArray(v)) {
          this.#array(v, depth);
          return;
        }
        const proto = Object.getPrototypeOf(v);
        if (proto === Object.prototype || proto === null) {
          this.#map(v as Record<string, unknown>, depth);
          return;
        }
        if (v instanceof Uint8Array) {
          this.#binary(v);
          return;
        }
        this.#raw(this.#delegate(v));
        return;
      }
      default:
        // bigint → the codec's extension; functions and symbols → the codec refuses them.
        this.#raw(this.#delegate(v));
    }
  }

  #raw(bytes: Uint8Array): void {
    this.#ensure(bytes.byteLength);
    this.#bytes.set(bytes, this.#pos);
    this.#pos += bytes.byteLength;
  }

  #number(n: number): void {
    this.#ensure(9);
    const b = this.#bytes;
    const view = this.#view;
    let p = this.#pos;
    // As @msgpack/msgpack does (the local path uses it): safe integers, -0 included, as ints.
    if (Number.isSafeInteger(n)) {
      if (n >= 0) {
        if (n < 0x80) b[p++] = n;
        else if (n < 0x100) {
          b[p++] = 0xcc;
          b[p++] = n;
        } else if (n < 0x10000) {
          b[p++] = 0xcd;
          view.setUint16(p, n);
          p += 2;
        } else if (n < 0x100000000) {
          b[p++] = 0xce;
          view.setUint32(p, n);
          p += 4;
        } else {
          b[p++] = 0xcf;
          view.setUint32(p, Math.floor(n / 0x100000000));
          view.setUint32(p + 4, n >>> 0);
          p += 8;
        }
      } else if (n >= -0x20) b[p++] = n & 0xff;
      else if (n >= -0x80) {
        b[p++] = 0xd0;
        view.setInt8(p++, n);
      } else if (n >= -0x8000) {
        b[p++] = 0xd1;
        view.setInt16(p, n);
        p += 2;
      } else if (n >= -0x80000000) {
        b[p++] = 0xd2;
        view.setInt32(p, n);
        p += 4;
      } else {
        b[p++] = 0xd3;
        view.setBigInt64(p, BigInt(n));
        p += 8;
      }
    } else {
      b[p++] = 0xcb;
      view.setFloat64(p, n);
      p += 8;
    }
    this.#pos = p;
  }

  #string(s: string): void {
    const length = s.length;
    // ASCII fast path: one byte per char, header sized by the char count.
    if (length < 0x10000) {
      const header = length < 32 ? 1 : length < 0x100 ? 2 : 3;
      // Room for the characters and for #strHeader's own reservation (5), so that writing
      // the header never grows the buffer and drops the characters written past #pos.
      this.#ensure(Math.max(5, header + length));
      const b = this.#bytes;
      let p = this.#pos + header;
      let i = 0;
      for (; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === length) {
        this.#strHeader(length);
        this.#pos += length;
        return;
      }
    }
    const utf8 = textEncoder.encode(s);
    this.#strHeader(utf8.byteLength);
    this.#raw(utf8);
  }

  /** Writes a str header for `n` bytes at the current position and moves past it. */
  #strHeader(n: number): void {
    if (n < 32) {
      this.#ensure(5); // as #lengthHeader: the caller's reservation covers it (see #string)
      this.#bytes[this.#pos++] = 0xa0 | n;
    } else this.#lengthHeader(n, 0xd9, 0xda, 0xdb);
  }

  /** Writes a str/bin header for `n` bytes in its 8-, 16- or 32-bit form (`x8`, `x16`, `x32`). */
  #lengthHeader(n: number, x8: number, x16: number, x32: number): void {
    this.#ensure(5);
    const b = this.#bytes;
    if (n < 0x100) {
      b[this.#pos++] = x8;
      b[this.#pos++] = n;
    } else if (n < 0x10000) {
      b[this.#pos++] = x16;
      this.#view.setUint16(this.#pos, n);
      this.#pos += 2;
    } else {
      b[this.#pos++] = x32;
      this.#view.setUint32(this.#pos, n);
      this.#pos += 4;
    }
  }

  /** Copies a short byte sequence (`Uint8Array.set` costs more than a loop for a few bytes). */
  #copy(encoded: Uint8Array): void {
    const n = encoded.length;
    if (n > 24) {
      this.#raw(encoded);
      return;
    }
    this.#ensure(n);
    const b = this.#bytes;
    const p = this.#pos;
    for (let i = 0; i < n; i++) b[p + i] = encoded[i]!;
    this.#pos = p + n;
  }

  /** Writes key `k` and returns its encoding (header included). */
  #key(k: string): Uint8Array {
    let encoded = this.#keys.get(k);
    if (encoded === undefined) {
      const utf8 = textEncoder.encode(k);
      const n = utf8.byteLength;
      const header = n < 32 ? [0xa0 | n] : n < 0x100 ? [0xd9, n] : n < 0x10000 ? [0xda, n >> 8, n & 0xff] : [0xdb, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
      encoded = new Uint8Array(header.length + n);
      encoded.set(header);
      encoded.set(utf8, header.length);
      if (k.length <= 64) {
        if (this.#keys.size >= KEY_CACHE_LIMIT) this.#keys.clear();
        this.#keys.set(k, encoded);
      }
    }
    this.#copy(encoded);
    return encoded;
  }

  #container(n: number, fix: number, x16: number, x32: number): void {
    this.#ensure(5);
    const b = this.#bytes;
    if (n < 16) b[this.#pos++] = fix | n;
    else if (n < 0x10000) {
      b[this.#pos++] = x16;
      this.#view.setUint16(this.#pos, n);
      this.#pos += 2;
    } else {
      b[this.#pos++] = x32;
      this.#view.setUint32(this.#pos, n);
      this.#pos += 4;
    }
  }

  #array(a: unknown[], depth: number): void {
    this.#container(a.length, 0x90, 0xdc, 0xdd);
    for (let i = 0; i < a.length; i++) this.#value(a[i], depth + 1);
  }

  /**
   * A plain object as a map. The keys come from `for…in` rather than `Object.keys`: no
   * array per object, and V8 reads `o[k]` inside the loop through the enum cache instead
   * of a keyed lookup (~2× faster on small objects). The count is patched into the
   * header afterwards; an object of 16 keys or more, an own `"__proto__"` key (the
   * decoder refuses it, so the codec's guard reports it), or a polluted `Object.prototype`
   * (`for…in` would see inherited keys) takes the slower path.
   */
  #map(o: Record<string, unknown>, depth: number): void {
    if (!prototypeClean()) {
      this.#mapByKeys(o, depth);
      return;
    }
    this.#ensure(1);
    const start = this.#pos++;
    let n = 0;
    for (const k in o) {
      if (n === 15 || k === "__proto__") {
        this.#pos = start;
        this.#mapByKeys(o, depth);
        return;
      }
      // The key at this position of the last map at this depth is likely the same string.
      const slot = depth < 8 ? (depth << 4) | n : -1;
      if (slot >= 0 && this.#slotKeys[slot] === k) this.#copy(this.#slotBytes[slot]!);
      else {
        const bytes = this.#key(k);
        if (slot >= 0) {
          this.#slotKeys[slot] = k;
          this.#slotBytes[slot] = bytes;
        }
      }
      this.#value(o[k], depth + 1);
      n++;
    }
    this.#bytes[start] = 0x80 | n;
  }

  #mapByKeys(o: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(o);
    if (keys.includes("__proto__")) {
      this.#raw(this.#delegate(o));
      return;
    }
    this.#container(keys.length, 0x80, 0xde, 0xdf);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      this.#key(k);
      this.#value(o[k], depth + 1);
    }
  }

  #binary(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    this.#ensure(5 + n);
    this.#lengthHeader(n, 0xc4, 0xc5, 0xc6);
    this.#bytes.set(bytes, this.#pos);
    this.#pos += n;
  }
}

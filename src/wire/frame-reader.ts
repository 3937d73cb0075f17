/**
 * The msgpack reader of the wire, the counterpart of `FrameEncoder`: every msgpack format
 * and every extension type Missive writes (format.ts) read inline, strict about untrusted
 * bytes — each read is bounds-checked (an extension's data may not run past its length),
 * nesting is limited and counted as the encoder counts it (an extension's data at the
 * extension's own depth), a length larger than the bytes left is refused before anything
 * is allocated, `__proto__` keys and unknown extension types are refused, and every
 * problem is a {@link WireError}.
 *
 * Differences from @msgpack/msgpack's decoder, on purpose: byte arrays are copies (a
 * received message owns its memory instead of pinning the whole frame), and short strings
 * (≤ 16 bytes: message names, keys, tags) come from a cache.
 *
 * Why: on the tell benchmark the generic decoder cost ~0.46 µs per `{ id, value, tag }`
 * envelope and was the receiving worker's bottleneck.
 *
 * Why over 400 lines: one concept, a msgpack reader with Missive's extension types, kept in
 * one class whose private methods share the read position (the hot path stays inlinable).
 *
 * @example
 * ```ts
 * const reader = new FrameReader(refs.fromWire, limits);
 * reader.reset(frame, 8);
 * const envelope = reader.envelope();
 * ```
 * @module
 */
import { RemoteError, WireError } from "../errors.ts";
import { errorClassNamed } from "../error-registry.ts";
import type { Envelope } from "./envelope.ts";
import { Ext, MAX_DEPTH, type RefCodec } from "./format.ts";
import { handleCodecNamed } from "./handles.ts";
import { byAssignment, MAX_SHAPE_KEYS, ShapeNode } from "./object-shapes.ts";
import { RefCache } from "./ref-cache.ts";
import { SHORT_STRING_BYTES, ShortStrings } from "./short-strings.ts";

/** Limits for untrusted input. */
export interface ReaderLimits {
  maxStrLength?: number;
  maxBinLength?: number;
  maxArrayLength?: number;
  maxMapLength?: number;
}

const utf8 = new TextDecoder();

export class FrameReader {
  #bytes: Uint8Array = new Uint8Array(0);
  /** Made on first use: most frames (small ints, strings, maps) never need one. */
  #view: DataView | null = null;
  #pos = 0;
  #end = 0;
  readonly #refs: RefCodec["fromWire"];
  readonly #maxStr: number;
  readonly #maxBin: number;
  readonly #maxArray: number;
  readonly #maxMap: number;
  readonly #strings = new ShortStrings();
  /** Refs this reader decoded, by their bytes (see ref-cache.ts): its own, as its limits are. */
  readonly #refCache = new RefCache();
  /** The last message name read and its bytes (header included). */
  #lastName = "";
  #lastNameBytes = new Uint8Array([0xa0]);
  /** Per map size: the key lists seen (see object-shapes.ts). */
  readonly #shapes: ShapeNode[] = [];
  readonly #shapeBudget = { nodes: 0, compiled: 0 };
  /**
   * Per (depth < 8, map size): the key list last read there that has a compiled reader
   * (entry-readers.ts), tried before the tree: maps come in runs of one shape.
   */
  readonly #lastLists: (ShapeNode | undefined)[] = [];
  /** Per nesting depth: a map's values until its object is built. */
  readonly #values: unknown[][] = [];

  /** The fields of the last whole envelope read since {@link reset}, which a repeat reuses (`#runKind` -1: none). */
  #runKind = -1;
  #runTo = 0;
  #runFrom = 0;
  #runName: string | null = null;

  /**
   * The same-loop copy's refs (extension LocalRef is an index into it); `null` for every
   * other reader, which refuses that extension as one Missive does not write.
   */
  readonly #refTable: readonly object[] | null;

  /**
   * @param refs rebuilds an ActorRef from its wire form
   * @param refTable only for the reader of the same-loop copy: the table its writer filled
   */
  constructor(refs: RefCodec["fromWire"], limits: ReaderLimits = {}, refTable: readonly object[] | null = null) {
    this.#refs = refs;
    this.#refTable = refTable;
    this.#maxStr = limits.maxStrLength ?? 0xffffffff;
    this.#maxBin = limits.maxBinLength ?? 0xffffffff;
    this.#maxArray = limits.maxArrayLength ?? 0xffffffff;
    this.#maxMap = limits.maxMapLength ?? 0xffffffff;
  }

  /** Reads from `bytes`, starting at `offset`, up to `end`. */
  reset(bytes: Uint8Array, offset: number, end = bytes.byteLength): void {
    this.#bytes = bytes;
    this.#view = null;
    this.#pos = offset;
    this.#end = end;
    this.#runKind = -1;
  }

  /** The read position (for compiled map readers, entry-readers.ts). */
  get offset(): number {
    return this.#pos;
  }

  /** Moves the read position to `p`, which the caller has checked is within the bytes (for compiled map readers). */
  seek(p: number): void {
    this.#pos = p;
  }

  /**
   * The string of `n` bytes at `p`, read as {@link value} reads a str's bytes (limits, a
   * `WireError` when cut off), and the read position past it (for compiled map readers).
   */
  stringAt(p: number, n: number): string {
    this.#pos = p;
    return this.#str(n);
  }

  /** True when every byte has been read. */
  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /**
   * The next envelope `[kind, to, from, id, name, payload]` (envelope.ts): a fixarray of
   * six, four non-negative integers, a name (string or nil), any payload; or a repeat,
   * `[id, payload]`, with the kind, addresses and name of the last whole envelope read
   * since {@link reset} (envelope.ts). Read field by field rather than as a generic array:
   * it is the one shape every message has.
   */
  envelope(): Envelope {
    this.#need(1);
    const head = this.#bytes[this.#pos]!;
    if (head === 0x92 && this.#runKind >= 0) {
      this.#pos++;
      const id = this.#index();
      return [this.#runKind, this.#runTo, this.#runFrom, id, this.#runName, this.value(2)];
    }
    if (head !== 0x96) {
      throw new WireError(
        head === 0x92
          ? `a repeated envelope [id, payload] at offset ${this.#pos} with no whole envelope before it in the frame`
          : `byte 0x${
            head.toString(16)
          } at offset ${this.#pos} does not start an envelope: not [kind, to, from, id, name, payload] (a fixarray of 6) nor a repeat [id, payload] (a fixarray of 2)`,
      );
    }
    this.#pos++;
    const kind = this.#index();
    const to = this.#index();
    const from = this.#index();
    const id = this.#index();
    const name = this.#name();
    this.#runKind = kind;
    this.#runTo = to;
    this.#runFrom = from;
    this.#runName = name;
    return [kind, to, from, id, name, this.value(2)];
  }

  /**
   * A non-negative integer field of an envelope. A positive fixint, uint8 or uint16 (kinds,
   * ids, addresses) is read here, bounds checked; any other byte goes through
   * {@link value} and the checks below.
   */
  #index(): number {
    this.#need(1);
    const bytes = this.#bytes;
    const p = this.#pos;
    const b = bytes[p]!;
    if (b < 0x80) {
      this.#pos = p + 1;
      return b;
    }
    if (b === 0xcd && p + 3 <= this.#end) {
      this.#pos = p + 3;
      return (bytes[p + 1]! << 8) | bytes[p + 2]!;
    }
    if (b === 0xcc && p + 2 <= this.#end) {
      this.#pos = p + 2;
      return bytes[p + 1]!;
    }
    const v = this.value(2);
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new WireError(`an envelope field is ${typeof v === "number" ? v : typeof v}, not a non-negative integer`);
    }
    return v;
  }

  /** An envelope's message name: nil, or a string (the last one is remembered: messages come in runs). */
  #name(): string | null {
    this.#need(1);
    const bytes = this.#bytes;
    const p = this.#pos;
    const b = bytes[p]!;
    if (b === 0xc0) {
      this.#pos++;
      return null;
    }
    const last = this.#lastNameBytes;
    const n = last.length;
    if (p + n <= this.#end) {
      let i = 0;
      while (i < n && bytes[p + i] === last[i]) i++;
      if (i === n) {
        this.#pos += n;
        return this.#lastName;
      }
    }
    const name = this.value(2);
    if (typeof name !== "string") throw new WireError(`an envelope's message name is ${typeof name}, not a string`);
    this.#lastNameBytes = bytes.slice(p, this.#pos);
    this.#lastName = name;
    return name;
  }

  /** The next value. */
  value(depth = 1): unknown {
    this.#need(1);
    const b = this.#bytes[this.#pos++]!;
    if (b < 0x80) return b;
    if (b < 0x90) return this.#map(b & 0x0f, depth);
    if (b < 0xa0) return this.#array(b & 0x0f, depth);
    if (b < 0xc0) return this.#str(b & 0x1f);
    if (b >= 0xe0) return b - 0x100;
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.#bin(this.#u(1));
      case 0xc5:
        return this.#bin(this.#u(2));
      case 0xc6:
        return this.#bin(this.#u(4));
      case 0xca:
        this.#need(4);
        this.#pos += 4;
        return this.#dv().getFloat32(this.#pos - 4);
      case 0xcb:
        this.#need(8);
        this.#pos += 8;
        return this.#dv().getFloat64(this.#pos - 8);
      case 0xcc:
        return this.#u(1);
      case 0xcd:
        return this.#u(2);
      case 0xce:
        return this.#u(4);
      case 0xcf:
        this.#need(8);
        this.#pos += 8;
        return this.#dv().getUint32(this.#pos - 8) * 0x100000000 + this.#dv().getUint32(this.#pos - 4);
      case 0xd0:
        this.#need(1);
        return this.#dv().getInt8(this.#pos++);
      case 0xd1:
        this.#need(2);
        this.#pos += 2;
        return this.#dv().getInt16(this.#pos - 2);
      case 0xd2:
        this.#need(4);
        this.#pos += 4;
        return this.#dv().getInt32(this.#pos - 4);
      case 0xd3:
        this.#need(8);
        this.#pos += 8;
        return this.#dv().getInt32(this.#pos - 8) * 0x100000000 + this.#dv().getUint32(this.#pos - 4);
      case 0xd9:
        return this.#str(this.#u(1));
      case 0xda:
        return this.#str(this.#u(2));
      case 0xdb:
        return this.#str(this.#u(4));
      case 0xdc:
        return this.#array(this.#u(2), depth);
      case 0xdd:
        return this.#array(this.#u(4), depth);
      case 0xde:
        return this.#map(this.#u(2), depth);
      case 0xdf:
        return this.#map(this.#u(4), depth);
      default:
        return this.#rare(b, depth);
    }
  }

  /** Extension types (kept out of {@link value}, whose switch stays small for the common types), and bad bytes. */
  #rare(b: number, depth: number): unknown {
    switch (b) {
      case 0xc7:
        return this.#extension(this.#u(1), depth);
      case 0xc8:
        return this.#extension(this.#u(2), depth);
      case 0xc9:
        return this.#extension(this.#u(4), depth);
      case 0xd4:
        return this.#extension(1, depth);
      case 0xd5:
        return this.#extension(2, depth);
      case 0xd6:
        return this.#extension(4, depth);
      case 0xd7:
        return this.#extension(8, depth);
      case 0xd8:
        return this.#extension(16, depth);
      default:
        throw new WireError(`byte 0x${b.toString(16)} at offset ${this.#pos - 1} is not a msgpack type`);
    }
  }

  #dv(): DataView {
    const b = this.#bytes;
    return (this.#view ??= new DataView(b.buffer, b.byteOffset, b.byteLength));
  }

  #need(n: number): void {
    if (this.#pos + n > this.#end) this.#truncated(n);
  }

  /** Kept out of {@link #need} so that the hot check stays small enough to inline. */
  #truncated(n: number): never {
    throw new WireError(`truncated: ${n} more bytes needed at offset ${this.#pos}, ${this.#end - this.#pos} left`);
  }

  #u(n: 1 | 2 | 4): number {
    this.#need(n);
    const p = this.#pos;
    this.#pos += n;
    const b = this.#bytes;
    if (n === 1) return b[p]!;
    if (n === 2) return (b[p]! << 8) | b[p + 1]!;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  #str(n: number): string {
    if (n > this.#maxStr) throw new WireError(`a string of ${n} bytes is over the limit of ${this.#maxStr}`);
    this.#need(n);
    const start = this.#pos;
    this.#pos += n;
    if (n === 0) return "";
    if (n > SHORT_STRING_BYTES) return utf8.decode(this.#bytes.subarray(start, start + n));
    return this.#strings.decode(this.#bytes, start, n);
  }

  #bin(n: number): Uint8Array {
    if (n > this.#maxBin) throw new WireError(`a byte array of ${n} bytes is over the limit of ${this.#maxBin}`);
    this.#need(n);
    this.#pos += n;
    return this.#bytes.slice(this.#pos - n, this.#pos);
  }

  #array(n: number, depth: number): unknown[] {
    if (depth > MAX_DEPTH) throw new WireError(`nested deeper than ${MAX_DEPTH} levels`);
    if (n > this.#maxArray) throw new WireError(`an array of ${n} items is over the limit of ${this.#maxArray}`);
    if (n > this.#end - this.#pos) throw new WireError(`an array of ${n} items cannot fit in the ${this.#end - this.#pos} bytes left`);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  #map(n: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new WireError(`nested deeper than ${MAX_DEPTH} levels`);
    if (n > this.#maxMap) throw new WireError(`a map of ${n} entries is over the limit of ${this.#maxMap}`);
    if (2 * n > this.#end - this.#pos) throw new WireError(`a map of ${n} entries cannot fit in the ${this.#end - this.#pos} bytes left`);
    if (n === 0) return {};
    if (n > MAX_SHAPE_KEYS) return this.#mapByAssignment(n, depth);
    // Keys are matched by their bytes against the key lists seen before (object-shapes.ts);
    // values wait in this depth's scratch array until one object of the right shape is built.
    const values = (this.#values[depth] ??= new Array<unknown>(MAX_SHAPE_KEYS).fill(null));
    const bytes = this.#bytes;
    const slot = depth < 8 ? depth * (MAX_SHAPE_KEYS + 1) + n : -1;
    let node = (this.#shapes[n] ??= new ShapeNode(null, null, null));
    let i = 0;
    // The key list last read here, by its compiled reader: the whole map, or the entries
    // before the first key that differs (their values in `values`), from which the tree goes on.
    const last = slot >= 0 ? this.#lastLists[slot] : undefined;
    if (last !== undefined) {
      const done = last.reader!(this, bytes, this.#pos, this.#end, depth + 1, values);
      if (typeof done !== "number") return done;
      if (done > 0) {
        i = done;
        node = last.ancestor(done);
      }
    }
    for (; i < n; i++) {
      let next = node.matchNext(bytes, this.#pos, this.#end);
      if (next === undefined) {
        const start = this.#pos;
        const key = this.#key(depth);
        next = node.add(bytes.slice(start, this.#pos), key, this.#shapeBudget);
        if (next === undefined) return this.#finishByAssignment(node, key, values, i, n, depth);
      } else this.#pos += next.keyBytes;
      values[i] = this.value(depth + 1);
      node = next;
    }
    const out = node.build(values);
    for (let j = 0; j < n; j++) values[j] = null; // the reader keeps no decoded value alive
    if (slot >= 0 && node.compiledReader(this.#shapeBudget) !== null) this.#lastLists[slot] = node;
    return out;
  }

  /** The shape tree is full: builds the rest of a map (entry `i` on, its key already read) key by key. */
  #finishByAssignment(
    node: ShapeNode,
    key: string | number,
    values: unknown[],
    i: number,
    n: number,
    depth: number,
  ): Record<string, unknown> {
    const out = byAssignment(node.keys(), values, i);
    for (let j = 0; j < i; j++) values[j] = null;
    out[key] = this.value(depth + 1);
    return this.#mapByAssignment(n, depth, out, i + 1);
  }

  /** Reads map entries `from` to `n` into `out`, one assignment each. */
  #mapByAssignment(n: number, depth: number, out: Record<string, unknown> = {}, from = 0): Record<string, unknown> {
    for (let i = from; i < n; i++) {
      const key = this.#key(depth);
      out[key] = this.value(depth + 1);
    }
    return out;
  }

  #key(depth: number): string | number {
    const key = this.value(depth + 1);
    if (typeof key !== "string" && typeof key !== "number") {
      throw new WireError(`a map key must be a string or a number, not ${typeof key}`);
    }
    if (key === "__proto__") throw new WireError(`the map key "__proto__" is refused`);
    return key;
  }

  /** Extension `type` with `n` bytes of data, at `depth` (its data, if structured, is read at that depth too). */
  #extension(n: number, depth: number): unknown {
    this.#need(1 + n);
    const type = (this.#bytes[this.#pos]! << 24) >> 24;
    const start = this.#pos + 1;
    const end = start + n;
    this.#pos = end;
    switch (type) {
      case Ext.Undefined:
        if (n !== 0) break;
        return undefined;
      case Ext.InvalidDate:
        if (n !== 0) break;
        return new Date(NaN);
      case Ext.Timestamp:
        return this.#timestamp(start, n);
      case Ext.BigInt:
        return this.#bigint(start, n);
      case Ext.ArrayBuffer:
        if (n > this.#maxBin) throw new WireError(`an ArrayBuffer of ${n} bytes is over the limit of ${this.#maxBin}`);
        return this.#bytes.slice(start, end).buffer;
      case Ext.Utf16:
        return this.#utf16(start, n);
      case Ext.Ref: {
        if (depth > MAX_DEPTH) return this.#structured(type, start, end, depth); // refused there
        const cached = this.#refCache.get(this.#bytes, start, n);
        if (cached !== undefined) return cached;
        const ref = this.#structured(type, start, end, depth) as object;
        this.#refCache.set(this.#bytes, start, n, ref);
        return ref;
      }
      case Ext.LocalRef: {
        const table = this.#refTable;
        if (table === null) throw new WireError(`extension type ${type} is not one Missive writes`);
        const ref = n === 1 ? table[this.#bytes[start]!] : undefined;
        if (ref === undefined) throw new WireError("a same-loop ref is not in its copy's table");
        return ref;
      }
      case Ext.Error:
      case Ext.Map:
      case Ext.Set:
      case Ext.Handle:
      case Ext.NullProto:
        return this.#structured(type, start, end, depth);
      default:
        throw new WireError(`extension type ${type} is not one Missive writes`);
    }
    throw new WireError(`extension type ${type} must have no data, not ${n} bytes`);
  }

  /** An extension whose data is one msgpack value, read at the extension's depth and within its length. */
  #structured(type: number, start: number, end: number, depth: number): unknown {
    const outerEnd = this.#end;
    this.#pos = start;
    this.#end = end;
    let data: unknown;
    try {
      if (type === Ext.NullProto) {
        const b = start < end ? this.#bytes[start]! : 0;
        if (!((b & 0xf0) === 0x80 || b === 0xde || b === 0xdf)) throw new WireError("a null-prototype object's data is not a map");
      }
      data = this.value(depth);
      if (this.#pos !== end) throw new WireError(`extension type ${type} has ${end - this.#pos} bytes past its data`);
    } finally {
      this.#end = outerEnd;
    }
    this.#pos = end;
    try {
      return this.#build(type, data);
    } catch (e) {
      if (e instanceof WireError) throw e;
      throw new WireError(`extension type ${type}: ${(e as Error)?.message ?? e}`, { cause: e });
    }
  }

  #build(type: number, data: unknown): unknown {
    if (type === Ext.NullProto) return Object.assign(Object.create(null) as object, data);
    if (!Array.isArray(data)) throw new WireError(`the data of extension type ${type} is not an array`);
    switch (type) {
      case Ext.Map: {
        if (data.length % 2 !== 0) throw new WireError("a Map's data has an odd number of items");
        const m = new Map();
        for (let i = 0; i < data.length; i += 2) m.set(data[i], data[i + 1]);
        return m;
      }
      case Ext.Set:
        return new Set(data);
      case Ext.Ref: {
        const [node, loop, id, label] = data as [number, number, number, string];
        if (
          data.length !== 4 || typeof node !== "number" || typeof loop !== "number" || typeof id !== "number" || typeof label !== "string"
        ) {
          throw new WireError("a ref is not [node, loop, id, label]");
        }
        return this.#refs(node, loop, id, label);
      }
      case Ext.Error:
        if (data.length !== 4 && data.length !== 5) throw new WireError("an error is not [name, message, stack, fields, cause?]");
        return errorFromWire(data as ErrorWire);
      default: {
        const [name, wire] = data as [string, unknown];
        if (data.length !== 2 || typeof name !== "string") throw new WireError("a handle is not [name, data]");
        const codec = handleCodecNamed(name);
        if (codec === undefined) {
          throw new WireError(`no codec is registered for handle type "${name}" on this worker (import the module that defines it)`);
        }
        return codec.fromWire(wire);
      }
    }
  }

  /** msgpack's timestamp (32, 64 or 96 bits) as a Date, as @msgpack/msgpack reads it. */
  #timestamp(start: number, n: number): Date {
    const v = this.#dv();
    let sec: number;
    let nsec: number;
    if (n === 4) {
      sec = v.getUint32(start);
      nsec = 0;
    } else if (n === 8) {
      const high = v.getUint32(start);
      sec = (high & 0x3) * 0x100000000 + v.getUint32(start + 4);
      nsec = high >>> 2;
    } else if (n === 12) {
      nsec = v.getUint32(start);
      sec = v.getInt32(start + 4) * 0x100000000 + v.getUint32(start + 8);
    } else throw new WireError(`a timestamp of ${n} bytes (must be 4, 8 or 12)`);
    return new Date(sec * 1e3 + nsec / 1e6);
  }

  #bigint(start: number, n: number): bigint {
    if (n > this.#maxStr) throw new WireError(`a bigint of ${n} digits is over the limit of ${this.#maxStr}`);
    const digits = utf8.decode(this.#bytes.subarray(start, start + n));
    if (!/^-?[0-9]+$/.test(digits)) throw new WireError("a bigint's data is not decimal digits");
    return BigInt(digits);
  }

  /** A string that is not well-formed UTF-16, from its code units (little endian). */
  #utf16(start: number, n: number): string {
    if (n % 2 !== 0) throw new WireError(`UTF-16 data of an odd length (${n} bytes)`);
    if (n > this.#maxStr) throw new WireError(`a string of ${n} bytes is over the limit of ${this.#maxStr}`);
    const b = this.#bytes;
    const units = new Uint16Array(n / 2);
    for (let i = 0, p = start; i < units.length; i++, p += 2) units[i] = b[p]! | (b[p + 1]! << 8);
    let s = "";
    for (let i = 0; i < units.length; i += 8192) s += String.fromCharCode.apply(null, units.subarray(i, i + 8192) as unknown as number[]);
    return s;
  }
}

/** `[name, message, stack, fields, cause]`; the cause is left out when the error has none. */
type ErrorWire = [name: unknown, message: unknown, stack: unknown, fields: unknown, cause?: unknown];

/** The error: of the class registered under its name (errors.ts), else a {@link RemoteError} that keeps the name. */
function errorFromWire(wire: ErrorWire): Error {
  const [name, message, stack, fields] = wire;
  const cls = (typeof name === "string" ? errorClassNamed(name) : undefined) ?? RemoteError;
  const text = typeof message === "string" ? message : String(message);
  const err = wire.length > 4 ? new Error(text, { cause: wire[4] }) : new Error(text);
  Object.setPrototypeOf(err, cls.prototype);
  Object.defineProperty(err, "name", { value: name, writable: true, configurable: true, enumerable: false });
  if (stack !== undefined && stack !== null) Object.defineProperty(err, "stack", { value: stack, writable: true, configurable: true });
  if (fields !== null && typeof fields === "object") {
    for (const key of Object.keys(fields)) {
      if (key === "__proto__" || key === "constructor") continue;
      (err as unknown as Record<string, unknown>)[key] = (fields as Record<string, unknown>)[key];
    }
  }
  return err;
}

/**
 * The msgpack writer of the wire: it encodes envelopes straight into the frame buffer of a
 * link — no intermediate buffer, no copy — and, on its own, spawn arguments and control
 * values (`encodeValue`). The common types are written inline (nil, booleans, numbers,
 * strings, plain objects, arrays, byte arrays), object keys encoded once and cached, with
 * an ASCII fast path for strings; the rarer ones as extension types (see format.ts): Map,
 * Set, Error, Date, bigint, ArrayBuffer, registered handles, `undefined`, null-prototype
 * objects, strings that are not well-formed UTF-16. Only refs go to `delegate` (the codec
 * of the loop knows them), which refuses every other class instance.
 *
 * Why one writer for everything: the sender must refuse exactly what the receiver refuses.
 * With @msgpack/msgpack's `Encoder` for the rare types, depth was counted afresh inside
 * every Map, Set and Error, errors were probed by encoding them once per level
 * (exponential in the length of a `cause` chain) and the two writers disagreed on `-0`,
 * `undefined` and invalid dates. Speed: measured on the tell benchmark, that `Encoder` cost
 * ~0.8 µs per `{ id, value, tag }` message (extension checks per object, a UTF-8 pass per
 * key, a copy into the frame); this writer is the difference between the codec and the
 * port being the bottleneck (see `bench/`).
 *
 * Plain objects: a key list written 8 times in a row at one depth is written from then on by
 * a function generated for it (entry-writers.ts: keys and header as constants, small
 * integers in place), the same bytes as this writer's loop; two lists per depth.
 *
 * Failures: everything thrown is an {@link EncodeFailure} that knows the way to the value
 * (each container adds its step while it unwinds), including what a getter or a Proxy trap
 * throws. A failed write leaves the frame as it was. With `maxBytes`, a message over the
 * limit fails as soon as that is certain: an array of `n` items is at least `n` bytes, a
 * string of `n` chars at least `n`, so a huge sparse array or string is refused before a
 * byte of it is written, and every container checks the bytes written so far.
 *
 * Why over 400 lines: one concept, a msgpack writer with Missive's extension types, the
 * depth and size limits and the path of a refusal, in one class so that its hot paths inline.
 *
 * @example
 * ```ts
 * const w = new FrameEncoder((v) => codec.encode(v));
 * w.writeEnvelope(Kind.Tell, 1025, 0, 0, "inc", { by: 1 }, maxMessageBytes);
 * const frame = w.take(ack);
 * ```
 * @module
 */
import { EncodeFailure, entryFailure, keyStep, mapKeyStep } from "./encode-failure.ts";
import { Ext, MAX_DEPTH } from "./format.ts";
import { type EntrySink, type EntryWriter, entryWriter } from "./entry-writers.ts";
import { FRAME_HEADER_BYTES } from "./frame-header.ts";
import { type HandleCodec, handleCodecFor, registrySize } from "./handles.ts";

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
/** Refs one same-loop copy carries as they are (a one-byte index); more are encoded. */
export const MAX_LOCAL_REFS = 256;
/** "No limit": msgpack lengths are 32-bit anyway. */
const NO_LIMIT = 2 ** 32;
const textEncoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const NOTHING: unknown[] = [];
/** Maps in a row of one key list at one depth after which the encoder writes that list by a compiled writer. */
export const WRITE_COMPILED_AFTER = 8;

/**
 * Encodes a class instance the writer has no codec for as one complete msgpack value (the
 * loop's codec writes refs), or throws an {@link EncodeFailure}.
 */
export interface Delegate {
  (value: unknown): Uint8Array;
  /**
   * True for the values the delegate writes (refs). When given, the writer asks it first
   * for a class instance, before the registered handle codecs and the built-in classes.
   */
  isRef?: (value: object) => boolean;
}

/**
 * True while `Object.prototype` has no enumerable properties (nobody polluted it), so
 * `for…in` over a plain object sees only its own keys.
 */
export function prototypeClean(): boolean {
  for (const _ in Object.prototype) return false;
  return true;
}

/** The keys of an error that travel as its fields (the others have places of their own, or are dropped). */
function errorFieldKey(key: string): boolean {
  return key !== "name" && key !== "message" && key !== "stack" && key !== "cause" && key !== "__proto__" && key !== "constructor";
}

/** The failure for an own `"__proto__"` key of `o` (refused: it could change the receiver's prototype). */
export const protoKey = (o: object): EncodeFailure =>
  new EncodeFailure("type", `a "__proto__" key, which is refused (it could change the receiver's prototype); rename the key`, undefined).at(
    o,
    '["__proto__"]',
  );

const changed = (o: object): EncodeFailure =>
  new EncodeFailure("unreadable", "changed while it was being encoded (entries added or removed meanwhile)", o);

export class FrameEncoder {
  #bytes: Uint8Array = EMPTY;
  #view: DataView = new DataView(EMPTY.buffer);
  /**
   * `#bytes.byteLength`, kept beside it: #ensure runs several times per message, and V8
   * reads a typed array's length through its buffer's flags (resizable, detached); on the
   * tell benchmark's envelope that read held 18% of #map's samples (`perf annotate`).
   */
  #capacity = 0;
  /** The buffer of the last frame taken, and whether {@link recycle} gave it back. */
  #taken: Uint8Array = EMPTY;
  #takenView: DataView = this.#view;
  #takenReusable = false;
  #pos = 0;
  #count = 0;
  #nextCapacity = 1024;
  readonly #delegate: Delegate;
  readonly #isRef: ((value: object) => boolean) | undefined;
  /** The last message name written and its encoding (messages come in runs). */
  #lastName = "";
  #lastNameBytes: readonly number[] = [0xa0];
  /**
   * Encoded map keys (header included), as arrays of byte values: #copy reads a plain
   * array of small integers faster than a `Uint8Array` (V8, tell's envelope: ~7 ns less
   * per key).
   */
  readonly #keys = new Map<string, readonly number[]>();
  /** Per (depth < 8, key position < 16): the last key written there and its encoding. */
  readonly #slotKeys: (string | null)[] = new Array<string | null>(128).fill(null);
  readonly #slotBytes: (readonly number[] | null)[] = new Array<readonly number[] | null>(128).fill(null);
  /**
   * Per slot, a key of at most 8 bytes (header included) as two big-endian words, written
   * by two 4-byte stores: a copy byte by byte cost ~10 ns more per key (V8).
   */
  readonly #slotWord0 = new Int32Array(128);
  readonly #slotWord1 = new Int32Array(128);
  /**
   * Per depth < 8: the key count of the last map written there by the loop, how many maps
   * in a row since had that many keys all found in their slots (the same key list), and the
   * compiled writer of that list once the run reached {@link WRITE_COMPILED_AFTER}
   * (entry-writers.ts).
   */
  readonly #slotCounts = new Int32Array(8).fill(-1);
  readonly #runs = new Int32Array(8);
  readonly #writers: (EntryWriter | null)[] = new Array<EntryWriter | null>(8).fill(null);
  /** Per depth < 8: the writer {@link #writers} had before its current one (messages of two kinds interleave). */
  readonly #otherWriters: (EntryWriter | null)[] = new Array<EntryWriter | null>(8).fill(null);
  /** The values a compiled writer read before it met a key outside its list. */
  #spilled: unknown[] = NOTHING;
  /** What the compiled writers use of this encoder. */
  readonly #sink: EntrySink = {
    room: (p, n) => {
      this.#pos = p;
      this.#ensure(n);
      return this.#bytes;
    },
    text: (p, n, rest) => {
      if (n > this.#limit - p) return null; // as #string's first check
      this.#pos = p;
      this.#ensure(1 + n + rest);
      return this.#bytes;
    },
    value: (p, v, d) => {
      this.#pos = p;
      this.#value(v, d);
      return this.#pos;
    },
    spill: (values) => {
      this.#spilled = values;
    },
    failed: entryFailure,
  };
  /** Where the envelope or value being written began, and the position past which it is over its size limit. */
  #start = 0;
  #limit = NO_LIMIT;
  /**
   * The fields of the last whole envelope of the frame in progress (`#runKind` -1: none),
   * and the bytes of its kind, addresses and name, which a repeat leaves out.
   */
  #runKind = -1;
  #runTo = 0;
  #runFrom = 0;
  #runName: string | null = null;
  #runOmitted = 0;
  /** Where the payload of the last envelope written began. */
  #payloadAt = 0;

  /**
   * The same-loop copy's refs carried as they are (extension LocalRef, their index here),
   * and which refs may be (see `RefCodec.local`, format.ts); `null` for every other writer.
   */
  readonly #refTable: object[] | null;
  readonly #isLocal: ((ref: object) => boolean) | undefined;
  /**
   * Bytes the refs in {@link #refTable} would have taken past their 3 bytes: the size
   * limit counts a message as it would be on a link, whatever path it takes.
   */
  #refSavings = 0;
  /** {@link #refSavings} when each extension being written was opened (the same-loop copy only). */
  readonly #extSavings: number[] = [];
  /** The last ref carried as it is, and its {@link #refSavings} share. */
  #lastLocal: object | null = null;
  #lastLocalSaved = 0;

  /**
   * @param refTable for the same-loop copy only (`Codec.copyEnvelope`): refs `isLocal`
   * accepts are pushed here and written as their index (up to {@link MAX_LOCAL_REFS} per
   * envelope), for a reader given the same table.
   */
  constructor(delegate: Delegate, refTable: object[] | null = null, isLocal?: (ref: object) => boolean) {
    this.#delegate = delegate;
    this.#isRef = delegate.isRef;
    this.#refTable = isLocal === undefined ? null : refTable;
    this.#isLocal = isLocal;
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
   * Appends `[kind, to, from, id, name, payload]` and returns its encoded size. Throws an
   * {@link EncodeFailure} (and leaves the frame unchanged) when the payload cannot be
   * encoded, or when the envelope would be over `maxBytes` (kind `size`).
   *
   * An envelope with the kind, addresses and name of the one before it in this frame is
   * written as a repeat, `[id, payload]` (envelope.ts); `maxBytes` still counts the fields it
   * leaves out, so whether a message fits never depends on its neighbours.
   */
  writeEnvelope(kind: number, to: number, from: number, id: number, name: string | null, payload: unknown, maxBytes = NO_LIMIT): number {
    if (this.#count === 0) this.#begin();
    const start = this.#pos;
    try {
      if (kind === this.#runKind && to === this.#runTo && from === this.#runFrom && name === this.#runName) {
        this.#repeat(start, maxBytes, id, payload);
      } else {
        const omitted = this.#envelope(start, maxBytes, kind, to, from, id, name, payload);
        this.#runKind = kind;
        this.#runTo = to;
        this.#runFrom = from;
        this.#runName = name;
        this.#runOmitted = omitted;
      }
    } catch (e) {
      this.#pos = start;
      throw failed(e);
    }
    this.#count++;
    return this.#pos - start;
  }

  /**
   * Encodes one envelope on its own, not into a frame: a view of this writer's buffer,
   * valid until its next use (not for a writer with a frame in progress). Throws as
   * {@link writeEnvelope} does.
   */
  encodeEnvelope(
    kind: number,
    to: number,
    from: number,
    id: number,
    name: string | null,
    payload: unknown,
    maxBytes = NO_LIMIT,
  ): Uint8Array {
    this.writeStandalone(kind, to, from, id, name, payload, maxBytes);
    return this.#bytes.subarray(0, this.#pos);
  }

  /**
   * Encodes `value` on its own (a spawn argument, control data) at depth 1: a view of this
   * writer's buffer, valid until its next use. Throws an {@link EncodeFailure}.
   */
  encodeValue(value: unknown, maxBytes = NO_LIMIT): Uint8Array {
    this.#standalone();
    this.#setLimit(0, maxBytes);
    try {
      this.#value(value, 1);
      if (this.#pos > maxBytes) throw EncodeFailure.size(this.#pos, maxBytes, false);
    } catch (e) {
      this.#pos = 0;
      throw failed(e);
    }
    return this.#bytes.subarray(0, this.#pos);
  }

  /** Encodes extension `type` with `data` (a msgpack value, depth 1) on its own, as {@link encodeValue}. */
  encodeExtension(type: number, data: unknown): Uint8Array {
    this.#standalone();
    this.#setLimit(0, NO_LIMIT);
    try {
      const at = this.#extOpen();
      this.#value(data, 1);
      this.#extClose(type, at);
    } catch (e) {
      this.#pos = 0;
      throw failed(e);
    }
    return this.#bytes.subarray(0, this.#pos);
  }

  /**
   * Writes an envelope on its own, as {@link encodeEnvelope}, for a reader that reads its
   * payload in place: {@link buffer} from {@link payloadAt} to {@link length} (valid until
   * this writer's next use). Throws as {@link writeEnvelope} does.
   */
  writeStandalone(
    kind: number,
    to: number,
    from: number,
    id: number,
    name: string | null,
    payload: unknown,
    maxBytes: number,
  ): void {
    this.#standalone();
    try {
      this.#envelope(0, maxBytes, kind, to, from, id, name, payload);
    } catch (e) {
      this.#pos = 0;
      throw failed(e);
    }
  }

  /** This writer's buffer (see {@link writeStandalone}). */
  get buffer(): Uint8Array {
    return this.#bytes;
  }

  /** Bytes written in {@link buffer} by the last standalone write. */
  get length(): number {
    return this.#pos;
  }

  /** Where the payload of the last envelope written begins in {@link buffer}. */
  get payloadAt(): number {
    return this.#payloadAt;
  }

  /** Appends an envelope encoded elsewhere. */
  appendEncoded(envelope: Uint8Array): void {
    if (this.#count === 0) this.#begin();
    this.#runKind = -1; // its fields are not known here: the next envelope is written whole
    this.#ensure(envelope.byteLength);
    this.#bytes.set(envelope, this.#pos);
    this.#pos += envelope.byteLength;
    this.#count++;
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
    this.#capacity = 0;
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
    this.#runKind = -1; // a frame starts with a whole envelope
    // A recycled buffer is at least as large as the last frame (and grows if need be).
    if (this.#takenReusable) {
      this.#bytes = this.#taken;
      this.#view = this.#takenView;
      this.#takenReusable = false;
    } else {
      this.#bytes = new Uint8Array(this.#nextCapacity);
      this.#view = new DataView(this.#bytes.buffer);
    }
    this.#capacity = this.#bytes.byteLength;
    this.#pos = FRAME_HEADER_BYTES;
  }

  /** Writing something on its own: from the start of this writer's buffer. */
  #standalone(): void {
    if (this.#count !== 0) throw new Error("FrameEncoder: a frame is in progress; encode standalone values with another writer");
    if (this.#bytes === EMPTY) {
      this.#bytes = new Uint8Array(MIN_CAPACITY);
      this.#view = new DataView(this.#bytes.buffer);
      this.#capacity = MIN_CAPACITY;
    }
    this.#pos = 0;
  }

  #setLimit(start: number, maxBytes: number): void {
    this.#start = start;
    this.#limit = start + maxBytes;
    this.#refSavings = 0;
    // Only the same-loop copy's writer ever fills it; a store to `length` is a call even when it is 0 already.
    if (this.#extSavings.length !== 0) this.#extSavings.length = 0;
  }

  #envelope(
    start: number,
    maxBytes: number,
    kind: number,
    to: number,
    from: number,
    id: number,
    name: string | null,
    payload: unknown,
  ): number {
    this.#setLimit(start, maxBytes);
    // The array header and the four integer fields, room reserved once: each field is at
    // most 9 bytes, and a field outside the fast path is written by #number (as before).
    // Written here rather than by a helper per field: with the rest of a send inlined
    // around it, V8 did not inline the helper (four calls per message).
    this.#ensure(37);
    const b = this.#bytes;
    let p = this.#pos;
    b[p++] = 0x96; // fixarray of 6
    if (kind >= 0 && kind < 0x80) b[p++] = kind;
    else p = this.#numberAt(p, kind);
    if (to >= 0x100 && to < 0x10000 && (to & 0xffff) === to) {
      b[p] = 0xcd;
      b[p + 1] = to >>> 8;
      b[p + 2] = to & 0xff;
      p += 3;
    } else p = this.#numberAt(p, to);
    if (from >= 0x100 && from < 0x10000 && (from & 0xffff) === from) {
      b[p] = 0xcd;
      b[p + 1] = from >>> 8;
      b[p + 2] = from & 0xff;
      p += 3;
    } else p = this.#numberAt(p, from);
    const beforeId = p;
    if (id >= 0 && id < 0x80) b[p++] = id;
    else p = this.#numberAt(p, id);
    const idBytes = p - beforeId;
    this.#pos = p;
    if (name === null) this.#u8(0xc0);
    else if (name === this.#lastName) this.#copy(this.#lastNameBytes);
    else {
      const at = this.#pos;
      this.#string(name);
      this.#lastName = name;
      this.#lastNameBytes = Array.from(this.#bytes.subarray(at, this.#pos));
    }
    // `undefined` (a missing argument, a void handler's reply) stays `undefined`, as on the
    // same loop, where the loop delivers it without the codec.
    this.#payloadAt = this.#pos;
    this.#value(payload, 2); // the envelope is depth 1 (format.ts)
    const size = this.#pos - start + this.#refSavings;
    if (size > maxBytes) throw EncodeFailure.size(size, maxBytes, false);
    return this.#payloadAt - start - 1 - idBytes; // kind, to, from and name
  }

  /**
   * A repeat of the last whole envelope's kind, addresses and name: `[id, payload]`. Sizes
   * count from where the whole envelope would have begun, `#runOmitted` bytes before
   * `start`, as if those fields were written.
   */
  #repeat(start: number, maxBytes: number, id: number, payload: unknown): void {
    const wholeStart = start - this.#runOmitted;
    this.#setLimit(wholeStart, maxBytes);
    this.#ensure(10);
    const b = this.#bytes;
    let p = this.#pos;
    b[p++] = 0x92; // fixarray of 2
    if (id >= 0 && id < 0x80) b[p++] = id;
    else p = this.#numberAt(p, id);
    this.#pos = p;
    this.#payloadAt = p;
    this.#value(payload, 2);
    const size = this.#pos - wholeStart + this.#refSavings;
    if (size > maxBytes) throw EncodeFailure.size(size, maxBytes, false);
  }

  /**
   * An envelope field outside #envelope's fast paths, at `p`, in #number's bytes (a field
   * below 128 is a positive fixint, as #number writes it; so is -0, as the reader expects
   * of an index); returns the position after it.
   */
  #numberAt(p: number, n: number): number {
    this.#pos = p;
    if (n >= 0 && n < 0x80) this.#bytes[this.#pos++] = n;
    else this.#number(n);
    return this.#pos;
  }

  /**
   * Back to `pos`, forgetting what was written past it: with the refs carried as they are
   * since (`savings`, `refs`: {@link #refSavings} and the table's length then; `exts`: the
   * extensions still open then).
   */
  #rewind(pos: number, savings: number, refs: number, exts: number): void {
    this.#pos = pos;
    const table = this.#refTable;
    if (table === null) return;
    this.#limit += this.#refSavings - savings;
    this.#refSavings = savings;
    table.length = refs;
    this.#extSavings.length = exts;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#capacity) return;
    const grown = new Uint8Array(Math.max(this.#capacity * 2, this.#pos + n));
    grown.set(this.#bytes.subarray(0, this.#pos));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
    this.#capacity = grown.byteLength;
  }

  #u8(b: number): void {
    this.#ensure(1);
    this.#bytes[this.#pos++] = b;
  }

  /** A size failure: what is written so far plus at least `more` bytes is over the limit. */
  #tooLarge(more: number): EncodeFailure {
    const saved = this.#refSavings;
    return EncodeFailure.size(this.#pos - this.#start + saved + more, this.#limit - this.#start + saved, true);
  }

  /** Why container `v` (at least `minBytes` long) is refused: too deep, or certain to be too large. */
  #refused(v: object, depth: number, minBytes: number): EncodeFailure {
    return depth > MAX_DEPTH ? EncodeFailure.depth(v) : this.#tooLarge(minBytes);
  }

  #value(v: unknown, depth: number): void {
    // `typeof v === "…"` tests rather than a `switch (typeof v)`: V8 turns each test into
    // a type check, where the switch called its Typeof builtin for every value.
    if (typeof v === "number") this.#number(v);
    else if (typeof v === "string") this.#string(v);
    else if (typeof v === "object") {
      if (v === null) this.#u8(0xc0);
      else if (Array.isArray(v)) this.#array(v, depth);
      else {
        const proto = Object.getPrototypeOf(v);
        if (proto === Object.prototype) this.#map(v as Record<string, unknown>, depth);
        else this.#object(v, proto, depth);
      }
    } else if (typeof v === "boolean") this.#u8(v ? 0xc3 : 0xc2);
    else if (v === undefined) this.#extEmpty(Ext.Undefined);
    else if (typeof v === "bigint") this.#bigint(v);
    else throw EncodeFailure.type(v); // functions and symbols
  }

  /** Every object but arrays and plain objects. */
  #object(o: object, proto: object | null, depth: number): void {
    const table = this.#refTable;
    if (table !== null && table.length < MAX_LOCAL_REFS && this.#isLocal!(o)) {
      if (depth > MAX_DEPTH) throw EncodeFailure.depth(o); // as below
      // The limit counts the ref's full bytes, as a link would (the delegate caches them per
      // ref; the last ref's are kept here: a conversation sends the same one again and again).
      let saved = this.#lastLocalSaved;
      if (o !== this.#lastLocal) {
        saved = this.#delegate(o).byteLength - 3;
        this.#lastLocal = o;
        this.#lastLocalSaved = saved;
      }
      this.#refSavings += saved;
      this.#limit -= saved;
      this.#ensure(3);
      const b = this.#bytes;
      b[this.#pos] = 0xd4; // fixext 1
      b[this.#pos + 1] = Ext.LocalRef;
      b[this.#pos + 2] = table.push(o) - 1;
      this.#pos += 3;
    } else if (this.#isRef !== undefined && this.#isRef(o)) {
      if (depth > MAX_DEPTH) throw EncodeFailure.depth(o); // a ref's data is an array at its depth
      this.#raw(this.#delegate(o));
    } else if (ArrayBuffer.isView(o)) this.#binary(o);
    else if (proto === null) this.#nullProto(o as Record<string, unknown>, depth);
    else if (o instanceof Date) this.#date(o);
    else if (o instanceof Map) this.#mapExt(o, depth);
    else if (o instanceof Set) this.#setExt(o, depth);
    else if (o instanceof Error) this.#error(o, depth);
    else if (o instanceof ArrayBuffer) this.#arrayBuffer(o);
    else {
      const handle = registrySize() === 0 ? undefined : handleCodecFor(o);
      if (handle !== undefined) this.#handle(o, handle[0], handle[1], depth);
      else if (depth > MAX_DEPTH) throw EncodeFailure.depth(o); // a ref's data is an array at its depth
      else this.#raw(this.#delegate(o)); // refs; every other class instance is refused there
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
    if ((n >>> 0) === n && (n !== 0 || 1 / n > 0)) {
      // The common case first: an integer in 0 .. 2^32-1 (not -0).
      if (n < 0x80) b[p++] = n;
      else if (n < 0x100) {
        b[p] = 0xcc;
        b[p + 1] = n;
        p += 2;
      } else if (n < 0x10000) {
        b[p] = 0xcd;
        b[p + 1] = n >>> 8;
        b[p + 2] = n & 0xff;
        p += 3;
      } else {
        b[p++] = 0xce;
        view.setUint32(p, n);
        p += 4;
      }
    } else if (Number.isSafeInteger(n) && n !== 0) {
      // Past the path above: 2^32 and up, or negative (-0 is a float64 below).
      if (n > 0) {
        b[p++] = 0xcf;
        view.setUint32(p, Math.floor(n / 0x100000000));
        view.setUint32(p + 4, n >>> 0);
        p += 8;
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
      b[p++] = 0xcb; // fractions, NaN, infinities, unsafe integers, and -0 (it keeps its sign)
      view.setFloat64(p, n);
      p += 8;
    }
    this.#pos = p;
  }

  #string(s: string): void {
    const length = s.length;
    if (length > this.#limit - this.#pos) throw this.#tooLarge(length); // at least a byte per char
    // ASCII fast path: one byte per char, header sized by the char count.
    if (length < 0x10000) {
      const header = length < 32 ? 1 : length < 0x100 ? 2 : 3;
      // Room for the characters and for #strHeader's own reservation (5), so that writing
      // the header never grows the buffer and drops the characters written past #pos.
      this.#ensure(Math.max(5, header + length));
      const b = this.#bytes;
      const at = this.#pos;
      let p = at + header;
      let i = 0;
      for (; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === length) {
        if (header === 1) {
          b[at] = 0xa0 | length; // a short string's header, written here (the common case)
          this.#pos = p;
        } else {
          this.#strHeader(length);
          this.#pos += length;
        }
        return;
      }
    }
    this.#unicode(s);
  }

  /** A string with non-ASCII chars (or a long one): UTF-8, or its code units when it is not well-formed. */
  #unicode(s: string): void {
    if (!s.isWellFormed()) {
      if (2 * s.length > this.#limit - this.#pos) throw this.#tooLarge(2 * s.length);
      this.#raw(utf16Extension(s));
      return;
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

  /** Copies a cached key or name (`Uint8Array.set` costs more than a loop for a few bytes). */
  #copy(encoded: readonly number[]): void {
    const n = encoded.length;
    this.#ensure(n);
    const b = this.#bytes;
    const p = this.#pos;
    for (let i = 0; i < n; i++) b[p + i] = encoded[i]!;
    this.#pos = p + n;
  }

  /** Writes key `k` and returns its cached encoding (header included), or null for a key too long to cache. */
  #key(k: string): readonly number[] | null {
    let encoded = this.#keys.get(k);
    if (encoded === undefined) {
      if (k.length > this.#limit - this.#pos) throw this.#tooLarge(k.length);
      if (k.length > 64) {
        this.#raw(encodeKey(k));
        return null;
      }
      encoded = Array.from(encodeKey(k));
      if (this.#keys.size >= KEY_CACHE_LIMIT) this.#keys.clear();
      this.#keys.set(k, encoded);
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

  /** An array; a hole is written as `undefined`. */
  #array(a: unknown[], depth: number): void {
    const n = a.length;
    if (depth > MAX_DEPTH || n > this.#limit - this.#pos) throw this.#refused(a, depth, n);
    this.#container(n, 0x90, 0xdc, 0xdd);
    let i = 0;
    try {
      for (; i < n; i++) this.#value(a[i], depth + 1);
    } catch (e) {
      throw EncodeFailure.from(e).at(a, `[${i}]`);
    }
  }

  /**
   * A plain object as a map. The keys come from `for…in` rather than `Object.keys`: no
   * array per object, and V8 reads `o[k]` inside the loop through the enum cache instead
   * of a keyed lookup (~2× faster on small objects). The count is patched into the
   * header afterwards; an object of 16 keys or more, an own `"__proto__"` key (refused
   * there), or a polluted `Object.prototype` (`for…in` would see inherited keys) takes
   * the slower path.
   */
  #map(o: Record<string, unknown>, depth: number): void {
    if (depth > MAX_DEPTH || this.#pos >= this.#limit) throw this.#refused(o, depth, 1);
    if (!prototypeClean()) {
      this.#mapByKeys(o, depth);
      return;
    }
    let preKeys: readonly string[] = NOTHING as string[];
    let preValues = NOTHING;
    if (depth < 8) {
      let writer = this.#writers[depth] as EntryWriter | null;
      if (writer !== null) {
        let end = writer.write(this.#sink, o, this.#pos, depth);
        if (end === -1) {
          // Not even the first key: maybe the other list written often at this depth.
          const other = this.#otherWriters[depth] as EntryWriter | null;
          if (other !== null) {
            writer = other;
            end = other.write(this.#sink, o, this.#pos, depth);
          }
        }
        if (end >= 0) {
          this.#pos = end;
          return;
        }
        if (end < -1) {
          // Keys that part from the list after its first: the loop below writes the map,
          // with the values the writer read (none is read twice).
          preKeys = writer.keys;
          preValues = this.#spilled;
          preValues.length = -1 - end;
          this.#spilled = NOTHING;
        }
      }
    }
    this.#ensure(1);
    const savings = this.#refSavings;
    const refs = this.#refTable?.length ?? 0;
    const start = this.#pos++;
    let n = 0;
    let hits = 0;
    let key: string | undefined;
    try {
      for (const k in o) {
        if (n === 15 || k === "__proto__") {
          n = -1;
          break;
        }
        key = k;
        // The key at this position of the last map at this depth is likely the same string.
        const slot = depth < 8 ? (depth << 4) | n : -1;
        if (slot >= 0 && this.#slotKeys[slot] === k) {
          hits++;
          const length = this.#slotBytes[slot]!.length;
          if (length <= 8) {
            // Both words are written; the bytes past the key are written over next.
            this.#ensure(8);
            const p = this.#pos;
            this.#view.setInt32(p, this.#slotWord0[slot]!);
            this.#view.setInt32(p + 4, this.#slotWord1[slot]!);
            this.#pos = p + length;
          } else this.#copy(this.#slotBytes[slot]!);
        } else {
          const bytes = this.#key(k);
          if (slot >= 0 && bytes !== null) this.#remember(slot, k, bytes);
        }
        this.#value(n < preValues.length && k === preKeys[n] ? preValues[n] : o[k], depth + 1);
        n++;
      }
    } catch (e) {
      // No key yet: listing the keys threw (a Proxy), the object itself is unreadable.
      throw entryFailure(e, o, key);
    }
    if (n < 0) {
      this.#rewind(start, savings, refs, this.#extSavings.length);
      this.#mapByKeys(o, depth);
      return;
    }
    this.#bytes[start] = 0x80 | n;
    if (depth < 8) this.#learn(depth, n, hits === n);
  }

  /**
   * After the loop wrote a map of `n` keys at `depth` (`same`: every key was the one last
   * written at its position there): counts maps in a row of one key list, and gives the
   * depth a compiled writer of the list when the run is long enough.
   */
  #learn(depth: number, n: number, same: boolean): void {
    if (!same || n !== this.#slotCounts[depth]) {
      this.#slotCounts[depth] = n;
      this.#runs[depth] = 0;
    } else if ((this.#runs[depth] = this.#runs[depth]! + 1) === WRITE_COMPILED_AFTER) {
      const base = depth << 4;
      const writer = entryWriter(
        this.#slotKeys.slice(base, base + n) as string[],
        this.#slotBytes.slice(base, base + n) as (readonly number[])[],
      );
      if (writer === null) return;
      this.#otherWriters[depth] = this.#writers[depth] as EntryWriter | null;
      this.#writers[depth] = writer;
    }
  }

  /** Remembers key `k` (encoded as `bytes`) as the last one written at `slot`. */
  #remember(slot: number, k: string, bytes: readonly number[]): void {
    this.#slotKeys[slot] = k;
    this.#slotBytes[slot] = bytes;
    let word0 = 0;
    let word1 = 0;
    for (let i = 0; i < 4; i++) word0 = (word0 << 8) | (bytes[i] ?? 0);
    for (let i = 4; i < 8; i++) word1 = (word1 << 8) | (bytes[i] ?? 0);
    this.#slotWord0[slot] = word0;
    this.#slotWord1[slot] = word1;
  }

  #mapByKeys(o: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(o);
    if (keys.includes("__proto__")) throw protoKey(o);
    const n = keys.length;
    if (2 * n > this.#limit - this.#pos) throw this.#tooLarge(2 * n);
    this.#container(n, 0x80, 0xde, 0xdf);
    let i = 0;
    try {
      for (; i < n; i++) {
        const k = keys[i]!;
        this.#key(k);
        this.#value(o[k], depth + 1);
      }
    } catch (e) {
      throw EncodeFailure.from(e).at(o, keyStep(keys[i]!));
    }
  }

  #binary(view: ArrayBufferView): void {
    const n = view.byteLength;
    if (n > this.#limit - this.#pos) throw this.#tooLarge(n);
    const bytes = view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, n);
    this.#ensure(5 + n);
    this.#lengthHeader(n, 0xc4, 0xc5, 0xc6);
    this.#bytes.set(bytes, this.#pos);
    this.#pos += n;
  }

  // ---- extension types (format.ts) --------------------------------------------------

  /** Writes the header of extension `type` with `n` bytes of data (the shortest form). */
  #extHeader(type: number, n: number): void {
    this.#ensure(6);
    const b = this.#bytes;
    switch (n) {
      case 1:
        b[this.#pos++] = 0xd4;
        break;
      case 2:
        b[this.#pos++] = 0xd5;
        break;
      case 4:
        b[this.#pos++] = 0xd6;
        break;
      case 8:
        b[this.#pos++] = 0xd7;
        break;
      case 16:
        b[this.#pos++] = 0xd8;
        break;
      default:
        if (n < 0x100) {
          b[this.#pos++] = 0xc7;
          b[this.#pos++] = n;
        } else if (n < 0x10000) {
          b[this.#pos++] = 0xc8;
          this.#view.setUint16(this.#pos, n);
          this.#pos += 2;
        } else {
          b[this.#pos++] = 0xc9;
          this.#view.setUint32(this.#pos, n);
          this.#pos += 4;
        }
    }
    b[this.#pos++] = type & 0xff;
  }

  /** An extension without data (`undefined`, an invalid Date). */
  #extEmpty(type: number): void {
    this.#ensure(3);
    const b = this.#bytes;
    b[this.#pos++] = 0xc7;
    b[this.#pos++] = 0;
    b[this.#pos++] = type & 0xff;
  }

  /** Reserves room for the longest extension header; returns where the data starts. */
  #extOpen(): number {
    if (this.#refTable !== null) this.#extSavings.push(this.#refSavings);
    this.#ensure(6);
    this.#pos += 6;
    return this.#pos;
  }

  /** Writes the header of the extension whose data began at `start`, and moves the data up to it. */
  #extClose(type: number, start: number): void {
    const n = this.#pos - start;
    const header = extHeaderBytes(n);
    if (this.#refTable !== null) {
      // Refs carried as they are inside: on a link the data, and so maybe its header, is longer.
      const inside = this.#refSavings - this.#extSavings.pop()!;
      if (inside !== 0) {
        const more = extHeaderBytes(n + inside) - header;
        this.#refSavings += more;
        this.#limit -= more;
      }
    }
    const at = start - 6;
    if (header < 6) this.#bytes.copyWithin(at + header, start, this.#pos);
    this.#pos = at;
    this.#extHeader(type, n); // within the room reserved: never grows the buffer
    this.#pos += n;
  }

  #bigint(v: bigint): void {
    const digits = v.toString();
    const n = digits.length;
    if (n > this.#limit - this.#pos) throw this.#tooLarge(n);
    this.#extHeader(Ext.BigInt, n);
    this.#ensure(n);
    const b = this.#bytes;
    const p = this.#pos;
    for (let i = 0; i < n; i++) b[p + i] = digits.charCodeAt(i);
    this.#pos = p + n;
  }

  #arrayBuffer(buffer: ArrayBuffer): void {
    const n = buffer.byteLength;
    if (n > this.#limit - this.#pos) throw this.#tooLarge(n);
    this.#extHeader(Ext.ArrayBuffer, n);
    this.#raw(new Uint8Array(buffer));
  }

  /** A Date: msgpack's timestamp (as @msgpack/msgpack writes it); an invalid one, an extension of its own. */
  #date(d: Date): void {
    const ms = Date.prototype.getTime.call(d);
    if (ms !== ms) {
      this.#extEmpty(Ext.InvalidDate);
      return;
    }
    const sec = Math.floor(ms / 1000);
    const nsec = (ms - sec * 1000) * 1e6;
    this.#ensure(15);
    const b = this.#bytes;
    const view = this.#view;
    let p = this.#pos;
    if (sec >= 0 && sec <= 0x3ffffffff) {
      if (nsec === 0 && sec <= 0xffffffff) {
        b[p++] = 0xd6; // timestamp 32
        b[p++] = 0xff;
        view.setUint32(p, sec);
        p += 4;
      } else {
        b[p++] = 0xd7; // timestamp 64: nsec30, sec34
        b[p++] = 0xff;
        view.setUint32(p, nsec * 4 + Math.floor(sec / 0x100000000));
        view.setUint32(p + 4, sec >>> 0);
        p += 8;
      }
    } else {
      b[p++] = 0xc7; // timestamp 96: nsec32, sec64
      b[p++] = 12;
      b[p++] = 0xff;
      view.setUint32(p, nsec);
      view.setBigInt64(p + 4, BigInt(sec));
      p += 12;
    }
    this.#pos = p;
  }

  #nullProto(o: Record<string, unknown>, depth: number): void {
    if (depth > MAX_DEPTH) throw EncodeFailure.depth(o);
    const at = this.#extOpen();
    this.#map(o, depth); // the extension's data is at its own depth
    this.#extClose(Ext.NullProto, at);
  }

  /** A Map as the flat array `[k0, v0, k1, v1, …]`. */
  #mapExt(m: Map<unknown, unknown>, depth: number): void {
    const size = m.size;
    if (depth > MAX_DEPTH || 2 * size > this.#limit - this.#pos) throw this.#refused(m, depth, 2 * size);
    const at = this.#extOpen();
    this.#container(2 * size, 0x90, 0xdc, 0xdd);
    let i = 0;
    let inValue = false;
    let key: unknown;
    try {
      for (const entry of m) {
        if (i === size) {
          i = -1; // entries were added meanwhile
          break;
        }
        key = entry[0];
        inValue = false;
        this.#value(key, depth + 1);
        inValue = true;
        this.#value(entry[1], depth + 1);
        i++;
      }
    } catch (e) {
      throw EncodeFailure.from(e).at(m, inValue ? mapKeyStep(key) : `.<key ${i}>`);
    }
    if (i !== size) throw changed(m);
    this.#extClose(Ext.Map, at);
  }

  #setExt(s: Set<unknown>, depth: number): void {
    const size = s.size;
    if (depth > MAX_DEPTH || size > this.#limit - this.#pos) throw this.#refused(s, depth, size);
    const at = this.#extOpen();
    this.#container(size, 0x90, 0xdc, 0xdd);
    let i = 0;
    try {
      for (const item of s) {
        if (i === size) {
          i = -1; // items were added meanwhile
          break;
        }
        this.#value(item, depth + 1);
        i++;
      }
    } catch (e) {
      throw EncodeFailure.from(e).at(s, `.<item ${i}>`);
    }
    if (i !== size) throw changed(s);
    this.#extClose(Ext.Set, at);
  }

  /**
   * An Error as `[name, message, stack, fields, cause?]`: its own enumerable fields and its
   * cause travel too, encoded once each (linear in the length of a cause chain). A field,
   * cause, name, message or stack of a type the wire cannot carry (a function, a class
   * instance without codec…) is sent as its `String()`, so that a failure always arrives;
   * one too deep (a cycle), too large or unreadable fails the send.
   */
  #error(e: Error, depth: number): void {
    if (depth > MAX_DEPTH) throw EncodeFailure.depth(e);
    const at = this.#extOpen();
    let step = ".cause";
    try {
      const hasCause = "cause" in e;
      this.#u8(hasCause ? 0x95 : 0x94);
      step = ".name";
      this.#errorPart(e.name, depth + 1);
      step = ".message";
      this.#errorPart(e.message, depth + 1);
      step = ".stack";
      this.#errorPart(e.stack, depth + 1);
      step = "";
      const keys = Object.keys(e).filter(errorFieldKey);
      if (keys.length === 0) this.#u8(0xc0);
      else {
        if (depth + 1 > MAX_DEPTH) throw EncodeFailure.depth(e); // the fields map
        this.#container(keys.length, 0x80, 0xde, 0xdf);
        for (const k of keys) {
          step = keyStep(k);
          this.#key(k);
          this.#errorPart((e as unknown as Record<string, unknown>)[k], depth + 2);
        }
      }
      if (hasCause) {
        step = ".cause";
        this.#errorPart(e.cause, depth + 1);
      }
    } catch (x) {
      throw step === "" ? EncodeFailure.from(x) : EncodeFailure.from(x).at(e, step);
    }
    this.#extClose(Ext.Error, at);
  }

  /** A part of an error: as it is, or its `String()` when its type cannot be sent. */
  #errorPart(v: unknown, depth: number): void {
    const at = this.#pos;
    const savings = this.#refSavings;
    const refs = this.#refTable?.length ?? 0;
    const exts = this.#extSavings.length;
    try {
      this.#value(v, depth);
    } catch (e) {
      if (!(e instanceof EncodeFailure) || e.kind !== "type") throw e;
      this.#rewind(at, savings, refs, exts);
      let text: string;
      try {
        text = String(v);
      } catch (x) {
        throw EncodeFailure.unreadable(x, "String() of it");
      }
      this.#string(text);
    }
  }

  /** A registered handle class as `[name, data]`. */
  #handle(o: object, name: string, codec: HandleCodec<unknown>, depth: number): void {
    if (depth > MAX_DEPTH) throw EncodeFailure.depth(o);
    let data: unknown;
    try {
      data = codec.toWire(o);
    } catch (x) {
      throw EncodeFailure.unreadable(x, `the toWire of its handle codec "${name}"`);
    }
    const at = this.#extOpen();
    this.#u8(0x92);
    this.#string(name);
    try {
      this.#value(data, depth + 1);
    } catch (e) {
      throw EncodeFailure.from(e).at(o, ".<handle data>");
    }
    this.#extClose(Ext.Handle, at);
  }
}

/** Bytes of the header of an extension with `n` bytes of data (the shortest form, type included). */
function extHeaderBytes(n: number): number {
  return n === 1 || n === 2 || n === 4 || n === 8 || n === 16 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : 6;
}

/** `e` as the failure a public method throws, its message naming the way to the value. */
export function failed(e: unknown): EncodeFailure {
  const f = EncodeFailure.from(e);
  const path = f.path("value");
  f.message = `${path.length > 120 ? `${path.slice(0, 50)}…${path.slice(-50)}` : path} is ${f.reason}`;
  return f;
}

/** A map key, header included: UTF-8, or its code units when it is not well-formed. */
function encodeKey(k: string): Uint8Array {
  if (!k.isWellFormed()) return utf16Extension(k);
  const utf8 = textEncoder.encode(k);
  const n = utf8.byteLength;
  const header = n < 32
    ? [0xa0 | n]
    : n < 0x100
    ? [0xd9, n]
    : n < 0x10000
    ? [0xda, n >> 8, n & 0xff]
    : [0xdb, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const encoded = new Uint8Array(header.length + n);
  encoded.set(header);
  encoded.set(utf8, header.length);
  return encoded;
}

/** A string that is not well-formed UTF-16 (a lone surrogate) as extension Utf16: its code units, little endian. */
function utf16Extension(s: string): Uint8Array {
  const n = 2 * s.length;
  const header = n === 2 || n === 4 || n === 8 || n === 16
    ? [n === 2 ? 0xd5 : n === 4 ? 0xd6 : n === 8 ? 0xd7 : 0xd8]
    : n < 0x100
    ? [0xc7, n]
    : n < 0x10000
    ? [0xc8, n >> 8, n & 0xff]
    : [0xc9, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  header.push(Ext.Utf16);
  const out = new Uint8Array(header.length + n);
  out.set(header);
  for (let i = 0, p = header.length; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[p++] = c & 0xff;
    out[p++] = c >> 8;
  }
  return out;
}

/**
 * The msgpack codec of one event loop: the frame encoder and reader (frame-encoder.ts,
 * frame-reader.ts) set up with the loop's refs, for the frame format (a batch of envelopes
 * in one buffer), single envelopes, and values on their own (spawn arguments, control data).
 * One writer and one reader serve every path, so a value crosses a link, a same-loop copy
 * and a spawn argument alike.
 *
 * Extension types (format.ts): 0 ActorRef, 1 Error (name, message, stack, custom fields,
 * cause), 2 Map, 3 Set, 4 bigint, 5 ArrayBuffer, 6 registered handle classes (see
 * `handles.ts`), 8 `undefined`, 9 invalid Date, 10 null-prototype object, 11 a string that
 * is not well-formed UTF-16; valid dates use msgpack's timestamp. Any other class instance
 * is refused at encode time (it would otherwise arrive as a plain object with its methods
 * gone), and {@link findUnencodable} says where it is.
 *
 * Frame: `u32 envelope count, u32 ack (little endian)` followed by that many msgpack
 * envelopes. The count lets the receiver account for every envelope even when some bytes
 * are bad; the ack tells the receiver how many of its user messages the sender has taken
 * out of its mailboxes so far (what is unacknowledged when a worker dies was lost with it).
 *
 * @example
 * ```ts
 * const codec = new Codec(refCodec);
 * const bytes = codec.encodeEnvelope(Kind.Tell, 7, 0, 0, "inc", 2); // valid until the next encode
 * ```
 * @module
 */
import { WireError } from "../errors.ts";
import { EncodeFailure } from "./encode-failure.ts";
import type { Envelope } from "./envelope.ts";
import { Ext, type RefCodec } from "./format.ts";
import { FlatCopier } from "./flat-copy.ts";
import { type Delegate, FrameEncoder, prototypeClean } from "./frame-encoder.ts";
import { FRAME_HEADER_BYTES, frameHeaderField } from "./frame-header.ts";
import { FrameReader } from "./frame-reader.ts";

export type { RefCodec } from "./format.ts";

/** Limits applied when decoding untrusted bytes. */
export interface DecodeLimits {
  maxStrLength?: number;
  maxBinLength?: number;
  maxArrayLength?: number;
  maxMapLength?: number;
}

/** One loop's codec: reuse it, never share it across threads. */
export class Codec {
  /**
   * Writes refs (the only values the writers hand to it), refusing every other class
   * instance; the delegate of every writer of this loop, a link's too. A ref's bytes are
   * encoded once and kept while the ref lives (a ref is immutable).
   */
  readonly delegate: Delegate;
  /** Single envelopes ({@link encodeEnvelope}) and values ({@link encode}). */
  readonly #writer: FrameEncoder;
  #writing = false;
  /** Used only by the open {@link FrameCursor}, so other decodes never disturb it. */
  readonly #frameReader: FrameReader;
  /** {@link decode}'s own (a decode inside a decode, if a handle codec did that, gets a fresh one). */
  readonly #valueReader: FrameReader;
  readonly #newReader: () => FrameReader;
  #reading = false;
  /** The same-loop copy path's own writer and reader ({@link copyEnvelope}), and their table of refs. */
  readonly #copyWriter: FrameEncoder;
  readonly #copyReader: FrameReader;
  readonly #copyRefs: object[];
  readonly #newCopier: () => [FrameEncoder, FrameReader, object[]];
  #copying = false;
  /** The same-loop copy of flat objects, without bytes (flat-copy.ts). */
  readonly #flat: FlatCopier;

  constructor(refs: RefCodec, limits: DecodeLimits = {}) {
    const refWriter = new FrameEncoder((v) => {
      throw EncodeFailure.type(v);
    });
    const encoded = new WeakMap<object, Uint8Array>();
    const isRef = (v: object) => refs.isRef(v);
    const delegate = (v: unknown) => {
      if (typeof v !== "object" || v === null || !refs.isRef(v)) throw EncodeFailure.type(v);
      let bytes = encoded.get(v);
      if (bytes === undefined) {
        bytes = refWriter.encodeExtension(Ext.Ref, refs.toWire(v)).slice();
        encoded.set(v, bytes);
      }
      return bytes;
    };
    this.delegate = Object.assign(delegate, { isRef });
    const fromWire = refs.fromWire.bind(refs);
    this.#writer = new FrameEncoder(this.delegate);
    this.#frameReader = new FrameReader(fromWire, limits);
    this.#newReader = () => new FrameReader(fromWire, limits);
    this.#valueReader = this.#newReader();
    const isLocal = refs.local?.bind(refs);
    this.#newCopier = () => {
      const table: object[] = [];
      return [new FrameEncoder(this.delegate, table, isLocal), new FrameReader(fromWire, {}, table), table];
    };
    [this.#copyWriter, this.#copyReader, this.#copyRefs] = this.#newCopier();
    this.#flat = new FlatCopier((ref) => this.delegate(ref).byteLength, isLocal ?? (() => false));
  }

  /**
   * A copy of `[kind, to, from, id, name, payload]` as the receiver of an encoded envelope
   * would see it (the same-loop path: actors never share a mutable object), made with the
   * frame encoder and reader and one reused buffer; `maxBytes` is the message size limit.
   * Throws the encoder's {@link EncodeFailure} for an unencodable payload, and for one over
   * `maxBytes` (kind `size`). (Never returns a number any more: the type is kept for callers.)
   *
   * Why not {@link encodeEnvelope} + {@link decode}: this skips the copy of the bytes and
   * the frame (one reused buffer, only the payload read back), and a ref of this loop
   * travels as a one-byte index into a table beside the bytes, read back as the same
   * object (what decoding its bytes would give: refs are immutable) — in-loop messages
   * with objects (Savina Chameneos and Fork-Join, `{ replyTo, n }` requests) spent most of
   * their time in the codec. The size limit still counts each ref's full bytes. A ref of this
   * loop sent as the payload itself is handed over as it is (bench/results/ab-clock).
   */
  copyEnvelope(kind: number, to: number, from: number, id: number, name: string | null, payload: unknown, maxBytes: number): Envelope {
    let plain = false;
    if (typeof payload === "object" && payload !== null) {
      // A ref of this loop is its own copy (refs are immutable) when it is within the limit;
      // asked only of an object that is not plain: a brand check that misses costs ~30–40 ns
      // on V8 (a hit ~5), most of a same-loop `{ replyTo, n }`'s copy.
      const shape = objectKind(payload);
      plain = shape === PLAIN;
      if (shape === OTHER) {
        const bytes = this.#flat.carriedRefBytes(payload);
        if (bytes >= 0 && bytes <= maxBytes - envelopeBytes(name)) return [kind, to, from, id, name, payload];
      }
    }
    // A copy made while another is under way (a getter or a handle codec that sends) gets its own.
    if (this.#copying) return copyWith(...this.#newCopier(), kind, to, from, id, name, payload, maxBytes);
    this.#copying = true;
    try {
      if (plain) {
        // A flat object is copied as it is; any other, from the snapshot of what was read (flat-copy.ts).
        const flat = this.#flat;
        const copy = flat.copy(payload as Record<string, unknown>, maxBytes - envelopeBytes(name));
        if (!flat.snapshot) return [kind, to, from, id, name, copy];
        try {
          return copyWith(this.#copyWriter, this.#copyReader, this.#copyRefs, kind, to, from, id, name, copy, maxBytes);
        } catch (e) {
          throw sentAs(e, copy, payload as object);
        }
      }
      return copyWith(this.#copyWriter, this.#copyReader, this.#copyRefs, kind, to, from, id, name, payload, maxBytes);
    } finally {
      this.#copying = false;
    }
  }

  /**
   * Encodes one envelope. Returns a view of the encoder's own buffer: copy it (into a
   * frame) before the next call. Throws an {@link EncodeFailure} for an unencodable
   * payload, or (kind `size`) for an envelope over `maxBytes`.
   */
  encodeEnvelope(kind: number, to: number, from: number, id: number, name: string | null, payload: unknown, maxBytes?: number): Uint8Array {
    if (this.#writing) return new FrameEncoder(this.delegate).encodeEnvelope(kind, to, from, id, name, payload, maxBytes);
    this.#writing = true;
    try {
      return this.#writer.encodeEnvelope(kind, to, from, id, name, payload, maxBytes);
    } finally {
      this.#writing = false;
    }
  }

  /** Encodes any value to a fresh copy (spawn arguments, control data; refs for a link's writer). */
  encode(value: unknown): Uint8Array {
    if (this.#writing) return new FrameEncoder(this.delegate).encodeValue(value).slice();
    this.#writing = true;
    try {
      return this.#writer.encodeValue(value).slice();
    } finally {
      this.#writing = false;
    }
  }

  /** Decodes a value produced by {@link encode} (or an envelope by {@link encodeEnvelope}). */
  decode(bytes: Uint8Array): unknown {
    const reader = this.#reading ? this.#newReader() : this.#valueReader;
    const outer = this.#reading;
    this.#reading = true;
    try {
      reader.reset(bytes, 0);
      const value = reader.value(1);
      if (!reader.done) throw new WireError("bytes left after the value");
      return value;
    } finally {
      this.#reading = outer;
    }
  }

  /**
   * Opens a frame for incremental decoding: the dispatcher pulls envelopes one at a time
   * inside its time slice, so a burst of large frames never blocks the loop. Only one
   * frame may be open at a time (frames are decoded in arrival order anyway).
   */
  openFrame(frame: Uint8Array): FrameCursor {
    return new FrameCursor(frame, this.#frameReader);
  }
}

const OTHER = 0;
const PLAIN = 1;
const ARRAY = 2;

/**
 * {@link PLAIN} for a plain object (`Object.prototype` its prototype, and clean: `for…in`
 * sees own keys only), {@link ARRAY} for an array, else {@link OTHER} — also for anything
 * that throws when asked (a revoked Proxy): the writer then says why.
 */
function objectKind(v: object): number {
  try {
    if (Array.isArray(v)) return ARRAY;
    return Object.getPrototypeOf(v) === Object.prototype && prototypeClean() ? PLAIN : OTHER;
  } catch {
    return OTHER;
  }
}

/** At most the bytes of an envelope's fields but its payload: the array header, four numbers, the name. */
function envelopeBytes(name: string | null): number {
  return 37 + (name === null ? 1 : 3 * name.length + 6);
}

/** The writer's failure for `snapshot` as it is for `payload`, the object the caller sent (its path starts there). */
function sentAs(e: unknown, snapshot: object, payload: object): unknown {
  if (e instanceof EncodeFailure) {
    const holders = e.holders;
    for (let i = 0; i < holders.length; i++) if (holders[i] === snapshot) holders[i] = payload;
  }
  return e;
}

/**
 * {@link Codec.copyEnvelope} with one writer, its reader and their table of refs: the
 * envelope written on its own, its payload read back in place (the other fields are the
 * caller's own numbers and name), the refs the writer could carry as they are in the table
 * until the reader has taken them.
 */
function copyWith(
  writer: FrameEncoder,
  reader: FrameReader,
  refs: object[],
  kind: number,
  to: number,
  from: number,
  id: number,
  name: string | null,
  payload: unknown,
  maxBytes: number,
): Envelope {
  try {
    writer.writeStandalone(kind, to, from, id, name, payload, maxBytes);
    const end = writer.length;
    // Everything read is a copy (strings, byte arrays, extension data): the buffer is written again by the next copy.
    reader.reset(writer.buffer, writer.payloadAt, end);
    const value = reader.value(2);
    if (!reader.done) throw new WireError("bytes left after a same-loop copy's payload");
    return [kind, to, from, id, name, value];
  } finally {
    if (refs.length !== 0) refs.length = 0; // the table keeps no ref alive
  }
}

/**
 * Reads the envelopes of one frame, one per {@link next} call. Throws {@link WireError}
 * for bad bytes; `announced - decoded` then tells how many envelopes were lost.
 */
export class FrameCursor {
  /** Envelopes the frame header announced. */
  readonly announced: number;
  /** The sender's ack (see the frame format). */
  readonly ack: number;
  /** Envelopes read so far. */
  decoded = 0;
  readonly #reader: FrameReader;

  constructor(frame: Uint8Array, reader: FrameReader) {
    if (frame.byteLength < FRAME_HEADER_BYTES) {
      throw new WireError(`frame of ${frame.byteLength} bytes is shorter than its ${FRAME_HEADER_BYTES}-byte header`);
    }
    this.announced = frameHeaderField(frame, 0);
    this.ack = frameHeaderField(frame, 4);
    reader.reset(frame, FRAME_HEADER_BYTES);
    this.#reader = reader;
  }

  /** The next envelope, or `null` at the end of the frame. */
  next(): Envelope | null {
    const reader = this.#reader;
    if (reader.done) {
      if (this.decoded !== this.announced) {
        throw new WireError(`frame announced ${this.announced} envelopes but held ${this.decoded} (truncated?)`);
      }
      return null;
    }
    if (this.decoded >= this.announced) throw new WireError(`frame holds more envelopes than its header's ${this.announced}`);
    let env: Envelope;
    try {
      env = reader.envelope();
    } catch (e) {
      const detail = e instanceof WireError ? e.detail : (e as Error)?.message;
      throw new WireError(`envelope ${this.decoded} of ${this.announced}: ${detail}`, { cause: e });
    }
    this.decoded++;
    return env;
  }
}

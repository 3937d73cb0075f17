/**
 * The msgpack codec of one event loop: a reused `Encoder`/`Decoder` pair with the
 * extension types Missive puts on the wire, and the frame format (a batch of envelopes
 * in one buffer).
 *
 * Extension types: 0 ActorRef, 1 Error (name, message, stack, custom fields, cause),
 * 2 Map, 3 Set, 4 bigint, 5 ArrayBuffer, 6 registered handle classes (see `handles.ts`);
 * Date uses msgpack's timestamp. Any other class
 * instance is refused at encode time (it would otherwise arrive as a plain object with
 * its methods gone), and {@link findUnencodable} says where it is.
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
import { Decoder, Encoder, ExtensionCodec } from "@msgpack/msgpack";
import { errorClasses, RemoteError, WireError } from "../errors.ts";
import type { Envelope } from "./envelope.ts";
import { handleCodecFor, handleCodecNamed, registrySize } from "./handles.ts";
import { withFastEncode, withStringCache } from "./msgpack-fast-paths.ts";
import { FrameEncoder } from "./frame-encoder.ts";
import { FRAME_HEADER_BYTES, frameHeaderField } from "./frame-header.ts";
import { FrameReader } from "./frame-reader.ts";

/** How refs are recognised and rebuilt; supplied by the loop that owns the codec. */
export interface RefCodec {
  isRef(value: object): boolean;
  toWire(ref: object): [node: number, loop: number, id: number, label: string];
  fromWire(node: number, loop: number, id: number, label: string): object;
}


// The guard must stay last: extension encoders are tried in type order.
const Ext = { Ref: 0, Error: 1, Map: 2, Set: 3, BigInt: 4, ArrayBuffer: 5, Handle: 6, Guard: 7 } as const;

/** Thrown inside the encoder for a class instance without a codec. */
class NoCodec extends Error {}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Limits applied when decoding untrusted bytes. */
export interface DecodeLimits {
  maxStrLength?: number;
  maxBinLength?: number;
  maxArrayLength?: number;
  maxMapLength?: number;
}

/** One loop's codec: reuse it, never share it across threads. */
export class Codec {
  readonly #refs: RefCodec;
  readonly #encoder: Encoder<undefined>;
  readonly #inner: Encoder<undefined>;
  readonly #decoder: Decoder<undefined>;
  /** Used only by the open {@link FrameCursor}, so other decodes never disturb it. */
  readonly #frameReader: FrameReader;
  /** The same-loop copy path's own writer and reader ({@link copyEnvelope}). */
  readonly #copyWriter: FrameEncoder;
  readonly #copyReader: FrameReader;

  constructor(refs: RefCodec, limits: DecodeLimits = {}) {
    this.#refs = refs;
    const ext = new ExtensionCodec();
    ext.register({
      type: Ext.Ref,
      encode: (v) => (typeof v === "object" && v !== null && refs.isRef(v) ? this.#inner.encode(refs.toWire(v)) : null),
      decode: (data) => {
        const [node, loop, id, label] = this.#decoder.decode(data) as [number, number, number, string];
        return refs.fromWire(node, loop, id, label);
      },
    });
    ext.register({
      type: Ext.Error,
      encode: (v) => (v instanceof Error ? this.#inner.encode(errorToWire(v, this.#inner)) : null),
      decode: (data) => errorFromWire(this.#decoder.decode(data) as ErrorWire),
    });
    ext.register({
      type: Ext.Map,
      encode: (v) => (v instanceof Map ? this.#inner.encode([...v].flat()) : null),
      decode: (data) => {
        const flat = this.#decoder.decode(data) as unknown[];
        const m = new Map();
        for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
        return m;
      },
    });
    ext.register({
      type: Ext.Set,
      encode: (v) => (v instanceof Set ? this.#inner.encode([...v]) : null),
      decode: (data) => new Set(this.#decoder.decode(data) as unknown[]),
    });
    ext.register({
      type: Ext.BigInt,
      encode: (v) => (typeof v === "bigint" ? textEncoder.encode(v.toString()) : null),
      decode: (data) => BigInt(textDecoder.decode(data)),
    });
    ext.register({
      type: Ext.ArrayBuffer,
      encode: (v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : null),
      decode: (data) => data.slice().buffer,
    });
    ext.register({
      type: Ext.Handle,
      encode: (v) => {
        if (typeof v !== "object" || v === null || registrySize() === 0) return null;
        const proto = Object.getPrototypeOf(v);
        if (proto === Object.prototype || proto === null || Array.isArray(v)) return null;
        const found = handleCodecFor(v);
        return found ? this.#inner.encode([found[0], found[1].toWire(v)]) : null;
      },
      decode: (data) => {
        const [name, wire] = this.#decoder.decode(data) as [string, unknown];
        const codec = handleCodecNamed(name);
        if (codec === undefined) throw new WireError(`no codec is registered for handle type "${name}" on this worker (import the module that defines it)`);
        return codec.fromWire(wire);
      },
    });
    ext.register({
      type: Ext.Guard,
      encode: (v) => {
        if (typeof v !== "object" || v === null) return null; // functions/symbols: msgpack throws itself
        const proto = Object.getPrototypeOf(v);
        if (Array.isArray(v) || ArrayBuffer.isView(v)) return null;
        if (proto === Object.prototype || proto === null) {
          // An own "__proto__" key (JSON.parse makes them) would be refused by the decoder.
          if (Object.hasOwn(v, "__proto__")) throw new NoCodec();
          return null;
        }
        throw new NoCodec();
      },
      decode: () => {
        throw new WireError("extension type 7 is never written");
      },
    });
    this.#encoder = withFastEncode(new Encoder({ extensionCodec: ext, initialBufferSize: 4096 }));
    this.#inner = withFastEncode(new Encoder({ extensionCodec: ext, initialBufferSize: 256 }));
    this.#decoder = withStringCache(new Decoder({ extensionCodec: ext, ...limits }));
    this.#frameReader = new FrameReader((type, data) => ext.decode(data, type, undefined), limits);
    this.#copyWriter = new FrameEncoder((v) => this.encode(v));
    this.#copyReader = new FrameReader((type, data) => ext.decode(data, type, undefined), {}, true);
  }

  /**
   * A copy of `[kind, to, from, id, name, payload]` as the receiver of an encoded envelope
   * would see it (the same-loop path: actors never share a mutable object), made with the
   * lean frame encoder and reader and one reused buffer; `maxBytes` is the message size
   * limit. Throws the encoder's error for an unencodable payload, or returns the encoded
   * size negated when it is over `maxBytes`.
   *
   * Why not {@link encodeEnvelope} + {@link decode}: @msgpack/msgpack both ways cost ~1 µs
   * per small object payload, and in-loop messages with objects (Savina Chameneos,
   * Fork-Join) spent most of their time there.
   */
  copyEnvelope(kind: number, to: number, from: number, id: number, name: string | null, payload: unknown, maxBytes: number): Envelope | number {
    const writer = this.#copyWriter;
    const size = writer.writeEnvelope(kind, to, from, id, name, payload); // a failed write leaves the writer empty
    const frame = writer.take();
    if (size > maxBytes) return -size;
    try {
      this.#copyReader.reset(frame, FRAME_HEADER_BYTES);
      return this.#copyReader.envelope();
    } finally {
      writer.recycle(frame); // everything read from it is a copy (strings, byte arrays, extension data)
    }
  }

  /**
   * Encodes one envelope. Returns a view of the encoder's own buffer: copy it (into a
   * frame) before the next call. Throws the encoder's error for unencodable payloads.
   */
  encodeEnvelope(kind: number, to: number, from: number, id: number, name: string | null, payload: unknown): Uint8Array {
    return this.#encoder.encodeSharedRef([kind, to, from, id, name, payload]);
  }

  /** Encodes any value to a fresh copy (spawn arguments, control data). */
  encode(value: unknown): Uint8Array {
    return this.#encoder.encode(value);
  }

  /** Decodes a value produced by {@link encode}. */
  decode(bytes: Uint8Array): unknown {
    return this.#decoder.decode(bytes);
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
      if (this.decoded !== this.announced) throw new WireError(`frame announced ${this.announced} envelopes but held ${this.decoded} (truncated?)`);
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

/** `[name, message, stack, fields, cause]`; the cause is left out when the error has none (msgpack has no `undefined`). */
type ErrorWire = [name: string, message: string, stack: string | undefined, fields: Record<string, unknown> | null, cause?: unknown];

function errorToWire(e: Error, probe: Encoder<undefined>): ErrorWire {
  let fields: Record<string, unknown> | null = null;
  for (const key of Object.keys(e)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    const value = (e as unknown as Record<string, unknown>)[key];
    (fields ??= {})[key] = encodable(value, probe) ? value : String(value);
  }
  const wire: ErrorWire = [e.name, e.message, e.stack, fields];
  if ("cause" in e) wire.push(encodable(e.cause, probe) ? e.cause : String(e.cause));
  return wire;
}

function encodable(value: unknown, probe: Encoder<undefined>): boolean {
  try {
    probe.encode(value);
    return true;
  } catch {
    return false;
  }
}

function errorFromWire(wire: ErrorWire): Error {
  const [name, message, stack, fields] = wire;
  const cls = Object.hasOwn(errorClasses, name) ? errorClasses[name]! : RemoteError;
  const err = wire.length > 4 ? new Error(message, { cause: wire[4] }) : new Error(message);
  Object.setPrototypeOf(err, cls.prototype);
  Object.defineProperty(err, "name", { value: name, writable: true, configurable: true, enumerable: false });
  if (stack !== undefined) Object.defineProperty(err, "stack", { value: stack, writable: true, configurable: true });
  if (fields) {
    for (const key of Object.keys(fields)) {
      if (key === "__proto__" || key === "constructor") continue;
      (err as unknown as Record<string, unknown>)[key] = fields[key];
    }
  }
  return err;
}

/**
 * The receiving half of a loop's transport: frames from every peer wait here in arrival
 * order and are decoded one envelope at a time, by the dispatcher inside its time slice
 * (decoding stays in step with processing, so a burst waits in its frames), or at once
 * for a small frame with nothing before it.
 *
 * A frame that is not valid is reported with how many of the envelopes its header
 * announced were lost; the frames after it are read as usual.
 *
 * @example
 * ```ts
 * const inbound = new Inbound(codec, {
 *   delivery: loop.delivery,
 *   wireError: (error, announced, decoded) => console.warn(`${announced - decoded} envelopes lost`, error),
 * });
 * inbound.push(frame);
 * inbound.pump(256);
 * ```
 * @module
 */
import type { WireError } from "../errors.ts";
import { Deque } from "../util/deque.ts";
import type { Codec, FrameCursor } from "../wire/codec.ts";
import type { Envelope } from "../wire/envelope.ts";
import { StringFrameReader } from "../wire/string-frames.ts";

/** Where decoded envelopes (a `Delivery`: called directly, it is the hot path) and decoding failures go. */
export interface InboundSink {
  readonly delivery: { deliver(env: Envelope): void };
  /** A frame (or part of it) was not valid: `announced - decoded` of its envelopes are lost. */
  wireError(error: WireError, announced: number, decoded: number): void;
}

export class Inbound {
  readonly #codec: Codec;
  readonly #sink: InboundSink;
  readonly #delivery: { deliver(env: Envelope): void };
  readonly #frames = new Deque<Uint8Array>();
  #cursor: FrameCursor | null = null;
  readonly #strings = new StringFrameReader();

  constructor(codec: Codec, sink: InboundSink) {
    this.#codec = codec;
    this.#sink = sink;
    this.#delivery = sink.delivery;
  }

  /** True while envelopes wait to be decoded. */
  get pending(): boolean {
    return this.#cursor !== null || this.#frames.length > 0;
  }

  /** True when nothing waits before the next frame (it may be decoded at once). */
  get empty(): boolean {
    return this.#cursor === null && this.#frames.length === 0;
  }

  /** The bytes of a small frame posted as a string (see string-frames.ts); throws `WireError`. */
  bytesOf(text: string): Uint8Array {
    return this.#strings.read(text);
  }

  /** Queues a frame for decoding. */
  push(frame: Uint8Array): void {
    this.#frames.push(frame);
  }

  /** Decodes and delivers up to `max` envelopes; returns how many. */
  pump(max: number): number {
    let n = 0;
    while (n < max) {
      let cursor = this.#cursor;
      if (cursor === null) {
        const frame = this.#frames.shift();
        if (frame === undefined) break;
        try {
          cursor = this.#cursor = this.#codec.openFrame(frame);
        } catch (e) {
          this.#sink.wireError(e as WireError, 0, 0);
          continue;
        }
      }
      let env: Envelope | null;
      try {
        env = cursor.next();
      } catch (e) {
        this.#cursor = null;
        this.#sink.wireError(e as WireError, cursor.announced, cursor.decoded);
        continue;
      }
      if (env === null) {
        this.#cursor = null;
        continue;
      }
      this.#delivery.deliver(env);
      n++;
    }
    return n;
  }
}

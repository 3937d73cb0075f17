/**
 * Collects encoded envelopes for one destination into one buffer, which is then
 * transferred (not copied) in a single `postMessage`.
 *
 * The buffer is sized from the previous frame, so a steady ping-pong does not allocate
 * big buffers and a flood does not regrow on every frame.
 *
 * @example
 * ```ts
 * const w = new FrameWriter();
 * w.append(bytes);
 * const frame = w.take(ack); // Uint8Array over a fresh ArrayBuffer, header filled in
 * port.postMessage(frame, [frame.buffer]);
 * ```
 * @module
 */
import { FRAME_HEADER_BYTES } from "./codec.ts";

const MIN_CAPACITY = 256;
const MAX_REMEMBERED_CAPACITY = 1 << 20;

/** A growable frame under construction. */
export class FrameWriter {
  #bytes: Uint8Array | null = null;
  #used = 0;
  #count = 0;
  #nextCapacity = 1024;

  /** Envelopes appended since the last {@link take}. */
  get count(): number {
    return this.#count;
  }
  /** Bytes used so far, header included. */
  get byteLength(): number {
    return this.#used;
  }

  /** Copies one encoded envelope into the frame. */
  append(envelope: Uint8Array): void {
    let bytes = this.#bytes;
    if (bytes === null) {
      bytes = this.#bytes = new Uint8Array(Math.max(this.#nextCapacity, envelope.byteLength * 2 + FRAME_HEADER_BYTES));
      this.#used = FRAME_HEADER_BYTES;
    } else if (this.#used + envelope.byteLength > bytes.byteLength) {
      const grown = new Uint8Array(Math.max(bytes.byteLength * 2, this.#used + envelope.byteLength));
      grown.set(bytes.subarray(0, this.#used));
      bytes = this.#bytes = grown;
    }
    bytes.set(envelope, this.#used);
    this.#used += envelope.byteLength;
    this.#count++;
  }

  /** Returns the finished frame (a view over its own ArrayBuffer) and starts a new one. */
  take(ack = 0): Uint8Array {
    const bytes = this.#bytes!;
    const header = new DataView(bytes.buffer, 0, FRAME_HEADER_BYTES);
    header.setUint32(0, this.#count, true);
    header.setUint32(4, ack >>> 0, true);
    const frame = bytes.subarray(0, this.#used);
    this.#nextCapacity = Math.min(MAX_REMEMBERED_CAPACITY, Math.max(MIN_CAPACITY, this.#used * 2));
    this.#bytes = null;
    this.#used = 0;
    this.#count = 0;
    return frame;
  }
}

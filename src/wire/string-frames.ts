/**
 * Small frames cross a port as strings of one char per byte (Latin-1 code points
 * 0–255), large ones as transferred buffers.
 *
 * Why: a lone ask or reply is a frame of a few dozen bytes, and for those the kind of
 * value posted dominates the round trip. Measured on this machine, ping-pong p50 per
 * round trip with a 32–256-byte payload: Node 46–50 µs as a number or string, 53–60 µs
 * as a Uint8Array (copied or transferred); Deno 55–60 µs vs 75–91 µs; Bun 45–47 µs vs
 * 51–57 µs. A structured clone of a short one-byte string is a copy of its chars; a
 * typed array costs a backing store (and, transferred, a detach) on both sides.
 * Converting a few hundred bytes each way is well under a microsecond. Floods still
 * travel as 64 KiB transferred frames, where the per-message cost is what matters.
 *
 * @example
 * ```ts
 * const text = frameToString(frame);              // frame.byteLength <= STRING_FRAME_BYTES
 * const bytes = new StringFrameReader().read(text); // the same bytes again
 * ```
 * @module
 */
import { WireError } from "../errors.ts";

/** Frames up to this many bytes are posted as strings. */
export const STRING_FRAME_BYTES = 1024;

/** The frame's bytes as a string of char codes 0–255 (`frame` at most {@link STRING_FRAME_BYTES} long). */
export function frameToString(frame: Uint8Array): string {
  return String.fromCharCode.apply(null, frame as unknown as number[]);
}

/**
 * The envelope count in a string frame's header, read from the chars as they are (each
 * masked to a byte), so that even a frame refused for a bad char is counted; 0 when the
 * string is shorter than a header.
 */
export function stringFrameCount(text: string): number {
  if (text.length < 8) return 0;
  return (text.charCodeAt(0) & 0xff) + (text.charCodeAt(1) & 0xff) * 0x100 + (text.charCodeAt(2) & 0xff) * 0x10000 +
    (text.charCodeAt(3) & 0xff) * 0x1000000;
}

/** Receiving slabs: string frames are copied into these, one after the other. */
const SLAB_BYTES = 16 * 1024;

/**
 * Turns received string frames back into bytes. Frames are carved out of a slab
 * (a bump allocator) instead of one small buffer each: a slab is never written twice,
 * so a frame, and any view a decoder keeps into it, stays valid; a used-up slab goes
 * when nothing refers to it any more.
 */
export class StringFrameReader {
  #slab = new Uint8Array(0);
  #used = 0;

  /** The bytes of a string made by {@link frameToString}; a char over 255 is a {@link WireError}. */
  read(text: string): Uint8Array {
    const n = text.length;
    if (this.#used + n > this.#slab.length) {
      this.#slab = new Uint8Array(Math.max(SLAB_BYTES, n));
      this.#used = 0;
    }
    const start = this.#used;
    const bytes = this.#slab.subarray(start, start + n);
    this.#used = start + n;
    let all = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      all |= c;
      bytes[i] = c;
    }
    if (all > 0xff) throw new WireError("a string frame holds a char over 255 (it must be one char per byte)");
    return bytes;
  }
}

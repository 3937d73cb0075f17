/**
 * The 8-byte header in front of every frame: the number of envelopes (u32, little endian)
 * and the sender's acknowledgement of the receiver's messages (u32, little endian): between
 * cluster nodes, the receiver's tells the sender has processed; 0 between the loops of one
 * system, which account through shared rows of taken counts instead (system/peer.ts).
 *
 * @example
 * ```ts
 * const count = frameHeaderField(frame, 0);
 * const ack = frameHeaderField(frame, 4);
 * ```
 * @module
 */

/** Bytes of the frame header (envelope count, ack). */
export const FRAME_HEADER_BYTES = 8;

/** The little-endian u32 at `offset` of a frame (the header's fields: 0 count, 4 ack). */
export function frameHeaderField(frame: Uint8Array, offset: 0 | 4): number {
  return (frame[offset]! | (frame[offset + 1]! << 8) | (frame[offset + 2]! << 16)) + frame[offset + 3]! * 0x1000000;
}

/**
 * The demo's CPU work: pure-JavaScript key stretching, so every runtime (Node.js, Deno,
 * Bun) does exactly the same work and gets exactly the same bytes.
 *
 * A 32-bit state is run through MurmurHash3's finalizer `rounds` times and folded into
 * a 256-bit block: cost grows linearly with `rounds` (about 2–4 ns per round when JIT
 * compiled), and the result depends on every round.
 *
 * @example
 * ```ts
 * const block = stretch(42, 100_000); // 32 bytes, ~0.3 ms
 * ```
 * @module
 */

/** Bytes returned by {@link stretch}. */
export const BLOCK_BYTES = 32;

/**
 * Stretches `seed` over `rounds` rounds of hashing into a {@link BLOCK_BYTES}-byte block.
 * Deterministic: the same seed and rounds give the same block on every runtime.
 */
export function stretch(seed: number, rounds: number): Uint8Array<ArrayBuffer> {
  const words = new Uint32Array(BLOCK_BYTES / 4);
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let r = 0; r < rounds; r++) {
    // MurmurHash3 fmix32, with the round number mixed in so no cycle repeats.
    h = Math.imul(h ^ (h >>> 16) ^ r, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    const i = r & 7;
    words[i] = (words[i]! ^ h) + Math.imul(h, 0x9e3779b1);
  }
  return new Uint8Array(words.buffer);
}

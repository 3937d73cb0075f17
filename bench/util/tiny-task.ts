/**
 * The CPU-bound tiny task of the offload benchmark: 64 rounds of xorshift32 on a seed
 * (well under a microsecond), the same function for Missive, piscina and tinypool.
 * @module
 */

/** Deterministic, pure, allocation-free. */
export function tinyTask(seed: number): number {
  let x = (seed | 0) || 1;
  for (let i = 0; i < 64; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

/** Sum of {@link tinyTask} over seeds `0 .. n-1`: what a correct pool must return. */
export function expectedTaskSum(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += tinyTask(i);
  return sum;
}

/**
 * The small message every tell benchmark sends, built the same way for Missive and for
 * the baselines, and the sums that check it arrived.
 * @module
 */

/** A small plain object: two numbers and a short string. */
export interface Item {
  id: number;
  value: number;
  tag: string;
}

/** Item number `i`. */
export function item(i: number): Item {
  return { id: i, value: i & 1023, tag: "tick" };
}

/** Sum of `value` over items `0 .. n-1`. */
export function expectedValueSum(n: number): number {
  const full = Math.floor(n / 1024);
  const rest = n % 1024;
  return full * ((1023 * 1024) / 2) + (rest * (rest - 1)) / 2;
}

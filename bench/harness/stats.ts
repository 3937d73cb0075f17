/**
 * Order statistics over repetitions (and over latency samples within one run).
 * @module
 */

/** Median and spread of a set of values. */
export interface Summary {
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
  /** Number of values. */
  n: number;
}

/**
 * The `q` quantile (0..1) of ascending `sorted`, by linear interpolation between the two
 * nearest ranks (type 7, as NumPy's default).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Median, quartiles and range of `values`. */
export function summarize(values: readonly number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  return {
    median: quantileSorted(sorted, 0.5),
    p25: quantileSorted(sorted, 0.25),
    p75: quantileSorted(sorted, 0.75),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    n: sorted.length,
  };
}

/** p50 and p99 of latency samples, in the samples' unit. */
export function latencyPercentiles(samples: Float64Array): { p50: number; p99: number } {
  const sorted = samples.slice().sort();
  return { p50: quantileSorted(sorted, 0.5), p99: quantileSorted(sorted, 0.99) };
}

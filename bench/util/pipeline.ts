/**
 * Keeps `window` calls in flight until `total` have completed: each completion starts
 * the next call. Resolves with the sum of the results (for the workload's check).
 * @module
 */

/** Runs `call(0 .. total-1)` with at most `window` unsettled at once. */
export function pipelined(total: number, window: number, call: (i: number) => Promise<number>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let next = 0;
    let done = 0;
    let sum = 0;
    let failed = false;
    const onValue = (v: number): void => {
      sum += v;
      if (++done === total) resolve(sum);
      else if (next < total) launch();
    };
    const onError = (e: unknown): void => {
      if (!failed) reject(e);
      failed = true;
    };
    const launch = (): void => {
      const i = next++;
      call(i).then(onValue, onError);
    };
    if (total === 0) resolve(0);
    for (let k = 0; k < Math.min(window, total); k++) launch();
  });
}

/**
 * The queue-pipeline example's workers: {@link Producer}s put numbered items into a
 * bounded queue (waiting while it is full), {@link Consumer}s take them until the queue is
 * closed — or until they are told to stop, which cancels the get they are waiting in.
 *
 * @example
 * ```ts
 * const consumer = await system.spawn(Consumer, undefined, { worker: 1 });
 * const tally = await consumer.ask("consume", { queue, stop }, { timeout: Infinity });
 * ```
 * @module
 */
import { type Channel, defineActor, type Latch, select } from "../../mod.ts";

/** What a consumer took: how many, and the sum and sum of squares of their ids (to check exactly-once). */
export interface Tally {
  count: number;
  idSum: number;
  idSquares: number;
  /** True when it stopped because it was told to, not because the queue closed. */
  cancelled: boolean;
}

/** Puts items `from` … `from + count - 1` into `queue`; answers how many it put. */
export const Producer = defineActor(import.meta.url, {
  init: () => ({}),
  handlers: {
    async produce(_state, { queue, from, count }: { queue: Channel<number>; from: number; count: number }): Promise<number> {
      for (let id = from; id < from + count; id++) await queue.put(id); // waits while the queue is full
      return count;
    },
  },
});

/** Takes items until `queue` is closed and drained, or until `stop` is set (if given). */
export const Consumer = defineActor(import.meta.url, {
  init: () => ({}),
  handlers: {
    async consume(_state, { queue, stop }: { queue: Channel<number>; stop?: Latch }): Promise<Tally> {
      const tally: Tally = { count: 0, idSum: 0, idSquares: 0, cancelled: false };
      const stopped = stop?.wait(); // one pending promise, raced against every get
      for (;;) {
        // Wait for an item or for the stop signal, whichever comes first. If the stop wins,
        // select undoes the get: an item already on its way goes back to the front of the queue.
        const r = stopped ? await select([{ get: queue }, stopped]) : await select([{ get: queue }]);
        if (r.index === 1) return { ...tally, cancelled: true };
        if (r.closed) return tally; // closed and drained: no poison pill needed
        const id = r.value as number;
        tally.count++;
        tally.idSum += id;
        tally.idSquares += id * id;
        queue.taskDone();
      }
    },
  },
});

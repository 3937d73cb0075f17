/**
 * `Sink` and `BoundedSink`: count the items they are told and sum their values; the
 * receiving end of the tell and memory benchmarks. `BoundedSink` has a bounded mailbox
 * (`wait` policy: `await ref.send()` waits for room), so a flood into it cannot grow.
 * @module
 */
import { defineActor } from "../../mod.ts";
import type { Item } from "../util/items.ts";

/** What a sink received since the last `take`. */
export interface Received {
  count: number;
  sum: number;
}

/** Mailbox capacity of {@link BoundedSink}. */
export const BOUNDED_SINK_CAPACITY = 10_000;

const handlers = {
  add(state: Received, it: Item): void {
    state.count++;
    state.sum += it.value;
  },
  take(state: Received): Received {
    const totals = { count: state.count, sum: state.sum };
    state.count = 0;
    state.sum = 0;
    return totals;
  },
};

/** Counts and sums `add` messages; `take` returns and resets the totals. */
export const Sink = defineActor(import.meta.url, {
  name: "Sink",
  init: (): Received => ({ count: 0, sum: 0 }),
  handlers,
});

/** A {@link Sink} with a bounded mailbox of {@link BOUNDED_SINK_CAPACITY} messages (`wait` policy). */
export const BoundedSink = defineActor(import.meta.url, {
  name: "BoundedSink",
  init: (): Received => ({ count: 0, sum: 0 }),
  handlers,
  mailbox: { capacity: BOUNDED_SINK_CAPACITY, overflow: "wait" },
});

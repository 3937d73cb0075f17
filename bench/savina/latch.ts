/**
 * A completion latch local to one thread, for the in-loop (Savina) workloads.
 *
 * Why not a message: in Missive a handler's return value answers an ask, and an async
 * handler keeps its actor busy until it settles. The driver actor that answers the
 * benchmark's ask therefore cannot also receive a "done" message; instead it opens a
 * latch, passes its id in the workload's start message, and awaits it; the actor that
 * sees the workload end releases it. All these actors run on the same worker (they are
 * the driver's children), so the latch is just a resolver in this module's state on
 * that thread. It carries no workload messages: it only ends the timing.
 *
 * @example
 * ```ts
 * const { id, done } = openLatch<number>();
 * ping.tell("start", { n, latch: id });
 * const pongs = await done; // released by the actor that saw the last pong
 * ```
 * @module
 */

const open = new Map<number, (value: unknown) => void>();
let nextId = 1;

/** Opens a latch; `done` resolves with the value given to {@link releaseLatch}. */
export function openLatch<T>(): { id: number; done: Promise<T> } {
  const id = nextId++;
  const done = new Promise<T>((resolve) => open.set(id, resolve as (value: unknown) => void));
  return { id, done };
}

/** Releases latch `id` (opened on this thread) with `value`. Throws for an unknown or released latch. */
export function releaseLatch(id: number, value: unknown): void {
  const resolve = open.get(id);
  if (resolve === undefined) throw new Error(`latch ${id} is not open on this thread (released twice, or opened on another worker)`);
  open.delete(id);
  resolve(value);
}

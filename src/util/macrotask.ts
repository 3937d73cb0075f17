/**
 * Runs a function in a later macrotask, after pending timers and I/O get their turn:
 * `setImmediate` where it exists (Node, Bun, Deno's Node globals), else a `MessageChannel`
 * message — never a clamped `setTimeout(0)`. Feature detection only: no runtime module.
 *
 * @example
 * ```ts
 * macrotask(() => console.log("after the I/O that was ready"));
 * ```
 * @module
 */

const g = globalThis as Record<string, unknown>;

/** Runs `fn` in a later macrotask. */
export const macrotask: (fn: () => void) => void = typeof g.setImmediate === "function"
  ? (g.setImmediate as (fn: () => void) => void)
  : (() => {
    const { port1, port2 } = new MessageChannel();
    const queue: (() => void)[] = [];
    port1.onmessage = () => queue.shift()?.();
    // The channel must not keep the process alive on its own.
    (port1 as unknown as { unref?: () => void }).unref?.();
    (port2 as unknown as { unref?: () => void }).unref?.();
    return (fn: () => void) => {
      queue.push(fn);
      port2.postMessage(null);
    };
  })();

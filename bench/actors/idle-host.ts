/**
 * `IdleHost`: spawns `n` idle {@link Ephemeral} children on its own worker and reports the
 * worker's heap before and after (each after a full garbage collection where the runtime
 * offers one: `gc()` with `--expose-gc`, `Bun.gc(true)`), for the idle-actor memory row.
 * The children stay alive until `release`, which stops them all and confirms each stop.
 *
 * @example
 * ```ts
 * const host = await system.spawn(IdleHost, undefined, { worker: 0 });
 * const { before, after } = await host.ask("fill", { n: 100_000 });
 * console.log((after - before) / 100_000, "bytes per idle actor");
 * await host.ask("release");
 * ```
 * @module
 */
import { type ActorRef, defineActor } from "../../mod.ts";
import { Ephemeral } from "./ephemeral.ts";

/** A function that forces a full collection, if this runtime can give one (`gc`, `Bun.gc`, or V8's flag set at run time). */
async function findGc(): Promise<(() => void) | null> {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (typeof g.gc === "function") return g.gc;
  if (g.Bun !== undefined) return () => g.Bun!.gc(true);
  try {
    const v8 = await import("node:v8");
    const vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as unknown;
    return typeof gc === "function" ? gc as () => void : null;
  } catch {
    return null;
  }
}

/** A heap reading: used bytes after a full garbage collection (if the runtime can force one). */
export async function heapUsedAfterGc(): Promise<{ bytes: number; collected: boolean }> {
  const gc = await findGc();
  if (gc !== null) {
    gc();
    gc();
  }
  const deno = (globalThis as { Deno?: { memoryUsage(): { heapUsed: number } } }).Deno;
  const p = (globalThis as { process?: { memoryUsage(): { heapUsed: number } } }).process;
  const bytes = deno !== undefined ? deno.memoryUsage().heapUsed : p!.memoryUsage().heapUsed;
  return { bytes, collected: gc !== null };
}

/** What `fill` measured. */
export interface IdleFill {
  n: number;
  before: number;
  after: number;
  /** A full collection ran before each reading. */
  collected: boolean;
  /** Sum of the children's answers to `hello` (they are alive and distinct). */
  sum: number;
}

/** Holds `n` idle children between `fill` and `release`. */
export const IdleHost = defineActor(import.meta.url, {
  name: "IdleHost",
  init: () => ({ children: [] as ActorRef<typeof Ephemeral>[] }),
  handlers: {
    async fill(state, req: { n: number }, ctx): Promise<IdleFill> {
      const before = await heapUsedAfterGc();
      const batch = 10_000;
      for (let i = 0; i < req.n; i += batch) {
        const ids = Array.from({ length: Math.min(batch, req.n - i) }, (_, k) => i + k);
        state.children.push(...await Promise.all(ids.map((id) => ctx.spawn(Ephemeral, id))));
      }
      // Every child answers once (it started and is reachable), then all sit idle.
      let sum = 0;
      for (let i = 0; i < state.children.length; i += batch) {
        for (const id of await Promise.all(state.children.slice(i, i + batch).map((c) => c.ask("hello")))) sum += id;
      }
      const after = await heapUsedAfterGc();
      return { n: req.n, before: before.bytes, after: after.bytes, collected: before.collected && after.collected, sum };
    },
    async release(state): Promise<number> {
      let stopped = 0;
      const batch = 10_000;
      for (let i = 0; i < state.children.length; i += batch) {
        stopped += (await Promise.all(state.children.slice(i, i + batch).map((c) => c.ask("stop")))).length;
      }
      state.children = [];
      return stopped;
    },
  },
});

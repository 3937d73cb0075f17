/**
 * Savina ThreadRing on nact (same protocol as `../missive/threadring.ts`).
 * @module
 */
import { dispatch, type Ref } from "nact";
import { expectEqual } from "../../util/check.ts";
import type { SavinaParams, WorkloadRun } from "../common.ts";
import { spawnActor, stopAll, syncAll } from "./nact-util.ts";

type NodeMsg = { type: "link"; next: Ref<NodeMsg> } | { type: "token"; hops: number };

/** Runs ThreadRing under `system`. */
export async function runThreadRingNact(system: Ref<never>, { actors, hops }: SavinaParams["threadring"]): Promise<WorkloadRun> {
  const done = Promise.withResolvers<number>();
  const ring = Array.from(
    { length: actors },
    (_, index) =>
      spawnActor(system, { index, next: null as Ref<NodeMsg> | null }, (s, msg: NodeMsg) => {
        if (msg.type === "link") s.next = msg.next;
        else if (msg.hops === 0) done.resolve(s.index);
        else dispatch(s.next!, { type: "token", hops: msg.hops - 1 });
      }),
  );
  ring.forEach((node, i) => dispatch(node, { type: "link", next: ring[(i + 1) % actors]! }));
  await syncAll(ring);
  const started = performance.now();
  dispatch(ring[0]!, { type: "token", hops });
  const last = await done.promise;
  const elapsedMs = performance.now() - started;
  stopAll(ring);
  return { elapsedMs, messages: hops + 1, check: expectEqual("index of the actor that saw the last hop", last, hops % actors) };
}

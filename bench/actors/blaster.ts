/**
 * `Blaster`: the sending side of the all-workers-to-all benchmark. It tells `n` items to
 * every target sink (interleaved), then resolves once every target has processed them
 * (`flush()`, an acknowledgement). Senders and sinks are separate actors: a blaster is
 * busy while it awaits its flushes, a sink must keep receiving meanwhile.
 * @module
 */
import { type ActorRef, defineActor } from "../../mod.ts";
import { item } from "../util/items.ts";
import type { Sink } from "./sink.ts";

/** A blast: `n` items to each of `targets`. */
export interface BlastRequest {
  targets: ActorRef<typeof Sink>[];
  n: number;
}

/** Sends a blast and answers with the number of items sent once all were processed. */
export const Blaster = defineActor(import.meta.url, {
  name: "Blaster",
  init: () => ({}),
  handlers: {
    async blast(_state, req: BlastRequest): Promise<number> {
      const { targets, n } = req;
      for (let i = 0; i < n; i++) {
        const it = item(i);
        for (const target of targets) target.tell("add", it);
      }
      await Promise.all(targets.map((t) => t.flush()));
      return n * targets.length;
    },
  },
});

/**
 * `Ephemeral`: the short-lived actor of the spawn benchmarks. It answers its first
 * message and stops itself on `stop` (`ctx.stop()`, after the current message).
 * @module
 */
import { defineActor } from "../../mod.ts";

/** Created with an id; `hello` answers it, `stop` answers it and stops the actor. */
export const Ephemeral = defineActor(import.meta.url, {
  name: "Ephemeral",
  init: (id: number) => ({ id }),
  handlers: {
    hello(state): number {
      return state.id;
    },
    stop(state, _: void, ctx): number {
      ctx.stop();
      return state.id;
    },
  },
});

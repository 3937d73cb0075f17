/**
 * `Echo`: answers an ask with its argument (the ask round-trip benchmarks).
 * @module
 */
import { defineActor } from "../../mod.ts";

/** `echo(x)` answers `x`. */
export const Echo = defineActor(import.meta.url, {
  name: "Echo",
  init: () => ({}),
  handlers: {
    echo(_state, x: number): number {
      return x;
    },
  },
});

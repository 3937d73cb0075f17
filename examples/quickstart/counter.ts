import { defineActor } from "../../mod.ts";

export const Counter = defineActor(import.meta.url, {
  init: (start: number) => ({ n: start }),
  handlers: {
    inc(state, by: number) {
      state.n += by;
    },
    get(state) {
      return state.n;
    },
  },
});

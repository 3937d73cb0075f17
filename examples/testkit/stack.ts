// examples/testkit/stack.ts
// A stack of numbers: the actor under test in model.ts.
import { defineActor } from "../../mod.ts";

export const Stack = defineActor(import.meta.url, {
  init: () => ({ items: [] as number[] }),
  handlers: {
    push(state, x: number) {
      state.items.push(x);
    },
    pop(state) {
      return state.items.pop() ?? null;
    },
    peek(state) {
      if (state.items.length === 0) throw new RangeError("empty stack");
      return state.items.at(-1)!;
    },
    size(state) {
      return state.items.length;
    },
  },
});

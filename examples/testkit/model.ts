// examples/testkit/model.ts
// Model-based testing: random message sequences, every reply compared with a plain array's.
// Run: npx tsx examples/testkit/model.ts
import fc from "fast-check";
import { ActorSystem } from "../../mod.ts";
import { actorModel } from "../../testkit.ts";
import { Stack } from "./stack.ts";

export const stackModel = actorModel(fc, Stack, {
  model: () => ({ items: [] as number[] }), // a fresh model for each run
  messages: {
    push: { arg: fc.integer(), tell: (m, x) => void m.items.push(x) }, // sent with tell: updates the model
    pop: { ask: (m) => m.items.pop() ?? null }, // sent with ask: returns the reply the model predicts
    peek: {
      ask: (m) => {
        if (m.items.length === 0) throw new RangeError("empty stack"); // predicts a rejection
        return m.items.at(-1)!;
      },
    },
    size: { ask: (m) => m.items.length },
  },
});

await stackModel.check({ seed: 42, numRuns: 50 }); // deterministic mode: a TestSystem per run
await using system = await ActorSystem.start({ workers: 2 });
await stackModel.check({ system, seed: 42, numRuns: 50 }); // the same on real workers
console.log("the stack agrees with its model in 100 runs");

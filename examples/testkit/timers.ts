// examples/testkit/timers.ts — ctx.timers on the virtual clock of the deterministic mode.
// Run: npx tsx examples/testkit/timers.ts
import { defineActor } from "../../mod.ts";
import { TestSystem } from "../../testkit.ts";

export const Heartbeat = defineActor(import.meta.url, {
  init: () => ({ beats: 0 }),
  handlers: {
    start(_state, ms: number, ctx) {
      ctx.timers.startPeriodic("beat", "beat", null, ms); // key, message, argument, interval
    },
    beat(state) {
      state.beats++;
    },
    beats(state) {
      return state.beats;
    },
  },
});

await using sim = await TestSystem.start({ seed: 42 });
const heart = await sim.spawn(Heartbeat);
await heart.ask("start", 1_000);
await sim.clock.advance(3_500); // three beats, at 1 000, 2 000 and 3 000 virtual ms
console.log(await heart.ask("beats")); // 3

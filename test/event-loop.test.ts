/**
 * The dispatcher yields: a flood of messages to one actor does not block timers on its worker.
 */
import { expect, it } from "vitest";
import { ActorSystem, runtimeName } from "../mod.ts";
import { LagMeter, Spinner } from "./fixtures/actors.ts";

it(`keeps a 1 ms timer on the same worker running under a flood of 1e5 messages (${runtimeName})`, async () => {
  await using system = await ActorSystem.start({ workers: 1 });
  const meter = await system.spawn(LagMeter);
  await meter.ask("start");
  const total = 100_000;
  for (let i = 0; i < total; i++) meter.tell("work", i);
  await meter.flush();
  const ticks = await meter.ask("stop");
  // Without yielding, the flood (≈1 s of handler work) would hold the timer until its end:
  // no tick would see it half done. With 2 ms slices the timer fires between slices, all
  // through the flood. (How late it fires is a figure for the benchmarks, not a test.)
  const during = new Set(ticks.filter((worked) => worked > 0 && worked < total));
  expect(during.size).toBeGreaterThanOrEqual(10);
});

for (const kind of ["work", "workAsync"] as const) {
  it(`yields within one actor's batch, ${kind === "work" ? "sync" : "async"} handlers (${runtimeName})`, async () => {
    await using system = await ActorSystem.start({ workers: 1 });
    const spinner = await system.spawn(Spinner);
    spinner.tell("arm");
    for (let i = 0; i < 200; i++) spinner.tell(kind);
    await spinner.flush();
    const firedAfter = await spinner.ask("result");
    // 200 messages of 1 ms each; with 2 ms slices the 0 ms timer fires after a few of them,
    // inside the actor's first batch of 64 (-1 would mean it never fired before "result").
    expect(firedAfter).toBeGreaterThanOrEqual(0);
    expect(firedAfter).toBeLessThan(64);
  });
}

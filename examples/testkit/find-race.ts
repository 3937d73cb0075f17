// examples/testkit/find-race.ts — a property test in deterministic mode finds the teller's race.
// Run: npx tsx examples/testkit/find-race.ts
import fc from "fast-check";
import process from "node:process";
import { type DeliveryScheduler, type FastCheckSchedulerLike, TestSystem } from "../../testkit.ts";
import { Account, RacyTeller, SafeTeller } from "./bank.ts";

/**
 * Two tellers move 60 each out of an account holding 100: money must be conserved, no overdraft.
 * `schedules`: fast-check's `fc.scheduler()` (default), or `fc.array(fc.nat()).map(choiceScheduler)`.
 */
export function conservesMoney(
  teller: typeof RacyTeller | typeof SafeTeller,
  schedules: fc.Arbitrary<DeliveryScheduler | FastCheckSchedulerLike> = fc.scheduler(),
) {
  return fc.asyncProperty(schedules, async (s) => {
    await using system = await TestSystem.start({ scheduler: s, workers: 3 });
    const a = await system.spawn(Account, 100, { worker: 0 });
    const b = await system.spawn(Account, 0, { worker: 0 });
    const tellers = await Promise.all([1, 2].map((w) => system.spawn(teller, undefined, { worker: w })));
    await Promise.all(tellers.map((t) => t.ask("transfer", { from: a, to: b, amount: 60 })));
    const [left, right] = [await a.ask("balance"), await b.ask("balance")];
    if (left < 0 || left + right !== 100) throw new Error(`money not conserved: a = ${left}, b = ${right}`);
  });
}

if (import.meta.main ?? process.argv[1]?.endsWith("find-race.ts")) {
  const racy = await fc.check(conservesMoney(RacyTeller), { seed: 1 });
  console.log(racy.failed ? fc.defaultReportMessage(racy) : "RacyTeller: no failure found");
  const safe = await fc.check(conservesMoney(SafeTeller), { seed: 1 });
  console.log(safe.failed ? fc.defaultReportMessage(safe) : `SafeTeller: ${safe.numRuns} runs, money conserved in every schedule`);
}

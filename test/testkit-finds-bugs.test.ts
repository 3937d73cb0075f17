/**
 * The testkit finds a real race: examples/testkit/bank.ts's RacyTeller reads a balance with
 * an ask and writes it back with a tell; a property test in deterministic mode finds two
 * transfers interleaved between the read and the write, and prints the schedule. The fixed
 * teller passes on the same property.
 */
import fc from "fast-check";
import process from "node:process";
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { RacyTeller, SafeTeller } from "../examples/testkit/bank.ts";
import { conservesMoney } from "../examples/testkit/find-race.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);

describe(`the testkit finds races on ${runtimeName}`, () => {
  it("finds the read-then-write race within fast-check's default runs, and prints the schedule", async () => {
    const out = await fc.check(conservesMoney(RacyTeller), { seed: SEED }); // default numRuns (100)
    expect(out.failed).toBe(true);
    const report = fc.defaultReportMessage(out) ?? "";
    expect(report).toContain(`seed: ${SEED}`);
    expect(String(out.errorInstance)).toContain("money not conserved: a = 40, b = 120");
    // The schedule names the deliveries: both tellers' balance asks reach the account before the first set.
    const lines = report.split("\n");
    const balanceAsks = lines.flatMap((l, i) => (/w[12]→w0: ask "balance" to actor 1@w0/.test(l) ? [i] : []));
    const firstSet = lines.findIndex((l) => /→w0: tell "set" to actor 1@w0/.test(l));
    expect(balanceAsks.length).toBe(2);
    expect(balanceAsks[1]!).toBeLessThan(firstSet);
  });

  it("the fixed teller conserves money in every schedule tried", async () => {
    const out = await fc.check(conservesMoney(SafeTeller), { seed: SEED });
    expect(fc.defaultReportMessage(out) ?? "passed").toBe("passed");
    expect(out.numRuns).toBe(100);
  });
});

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
import { type ChoiceScheduler, choiceScheduler } from "../testkit.ts";
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

  it("with a choice schedule, the failing schedule shrinks to the few choices that matter, printed as deliveries", async () => {
    const choices = fc.array(fc.nat(), { maxLength: 64 }).map(choiceScheduler);
    const out = await fc.check(conservesMoney(RacyTeller, choices), { seed: SEED });
    expect(out.failed).toBe(true);
    expect(String(out.errorInstance)).toContain("money not conserved: a = 40, b = 120");
    const shrunk = (out.counterexample![0] as ChoiceScheduler).choices;
    // Oldest-first delivery already interleaves the two transfers: the schedule shrinks to no choice at all.
    expect(shrunk).toEqual([]);
    const report = fc.defaultReportMessage(out) ?? "";
    expect(report).toContain(`seed: ${SEED}`);
    expect(report).toContain("choices []; ");
    const lines = report.split("\n");
    const balanceAsks = lines.flatMap((l, i) => (/w[12]→w0: ask "balance" to actor 1@w0/.test(l) ? [i] : []));
    expect(balanceAsks.length).toBe(2);
    expect(balanceAsks[1]!).toBeLessThan(lines.findIndex((l) => /→w0: tell "set" to actor 1@w0/.test(l)));
  });

  it("the fixed teller conserves money under choice schedules too", async () => {
    const choices = fc.array(fc.nat(), { maxLength: 64 }).map(choiceScheduler);
    const out = await fc.check(conservesMoney(SafeTeller, choices), { seed: SEED });
    expect(fc.defaultReportMessage(out) ?? "passed").toBe("passed");
  });
});

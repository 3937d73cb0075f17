/**
 * Hostile input, as a property (fast-check): random message names (every `Object.prototype`
 * key, `__proto__`, `$`-names, symbols, numbers, strings), random payloads (`fc.anything`,
 * nesting to 150 levels, cycles, Error cause chains and cycles, throwing getters, Proxies,
 * sparse arrays, special numbers, Dates, lone surrogates, …) and random option values, sent
 * from the main loop and from actors on both workers, then a shutdown with a random deadline
 * (0 included). Checked: no worker crashes; every call ends in a delivery or a typed error at
 * the caller (no plain `Error`/`TypeError`); every ask settles; what an echo returns is what
 * was sent; and per actor, what was accepted = processed + dead letters, exactly.
 *
 * Seed: MISSIVE_SEED; runs: MISSIVE_RUNS. A failure prints the seed and the shrunk case.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ActorRef, ActorSystem, type DeadLetter, runtimeName } from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import { type CallOutcome, Driver, type PayloadSpec, runCall, type ScriptOp, specials, Target } from "./fixtures/hostile-input.ts";
import { delivered, diff } from "./fixtures/wire-compare.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261129);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 12);

const prototypeNames = [...Object.getOwnPropertyNames(Object.prototype), "__proto__"];

const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("rec", "echo") },
  { weight: 3, arbitrary: fc.constantFrom(...prototypeNames, "$terminated", "$flush", "$", "", "rec ") },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.record({ symbol: fc.string({ maxLength: 4 }) })) },
);

/** Payloads for a driver's script travel to its worker first, so their plain values must be plain data. */
const payload = (plain: fc.Arbitrary<unknown>): fc.Arbitrary<PayloadSpec> =>
  fc.oneof(
    { weight: 6, arbitrary: plain.map((value) => ({ kind: "plain" as const, value })) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("deep" as const),
        depth: fc.integer({ min: 95, max: 150 }),
        shape: fc.constantFrom("array" as const, "object" as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("cycle" as const),
        via: fc.constantFrom("object" as const, "array" as const, "map" as const),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("causeChain" as const), length: fc.integer({ min: 1, max: 40 }) }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<PayloadSpec>({ kind: "selfCause" }, { kind: "causeCycle" }, { kind: "throwingGetter" }, {
        kind: "proxyOwnKeysThrows",
      }, { kind: "revokedProxy" }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("sparse" as const), length: fc.constantFrom(3, 1000, 2 ** 26) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("special" as const), which: fc.constantFrom(...specials) }) },
  );

const options = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        timeout: fc.constantFrom<unknown>(0, -1, NaN, 1, 50, Infinity, "5"),
        signal: fc.constantFrom<unknown>(undefined, "aborted", "soon", 5),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("fast", null, 7) },
);

const scriptOp = (plain: fc.Arbitrary<unknown>): fc.Arbitrary<ScriptOp> =>
  fc.record({
    op: fc.constantFrom("tell" as const, "ask" as const, "send" as const),
    to: fc.nat({ max: 7 }),
    name,
    payload: payload(plain),
    options,
  });

const mainPlain = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
  withBoxedValues: true,
});

const scenario = fc.record({
  targets: fc.array(fc.constantFrom(0, 1), { minLength: 1, maxLength: 4 }),
  drivers: fc.array(
    fc.record({ worker: fc.constantFrom(0, 1), script: fc.array(scriptOp(fc.jsonValue({ maxDepth: 3 })), { maxLength: 25 }) }),
    { maxLength: 2 },
  ),
  main: fc.array(scriptOp(mainPlain), { minLength: 1, maxLength: 50 }),
  shutdownTimeout: fc.constantFrom(0, 1, 20, Infinity),
});

describe(`hostile input on ${runtimeName}`, () => {
  it("names, payloads and options an attacker picks: typed errors at the caller, no crash, every ask settles, exact accounting per actor", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ targets: placement, drivers, main, shutdownTimeout }) => {
        const system = await ActorSystem.start({ workers: 2, logger: () => {} }); // no-handler warnings by the dozen
        const probe = TestProbe.create(system);
        const dead: DeadLetter[] = [];
        using _sub = system.deadLetters.subscribe((d) => dead.push(d));
        const targets: ActorRef<typeof Target>[] = [];
        for (const [id, worker] of placement.entries()) targets.push(await system.spawn(Target, { probe: probe.ref, id }, { worker }));
        for (const [id, d] of drivers.entries()) {
          const driver = await system.spawn(Driver, { probe: probe.ref, targets, id }, { worker: d.worker });
          driver.tell("run", d.script);
        }

        // The main loop's calls, then the shutdown at once.
        const acceptedMain = targets.map(() => 0);
        const outcomes: CallOutcome[] = [];
        const echoes: { sent: unknown; got: unknown }[] = [];
        const later: Promise<CallOutcome>[] = [];
        for (const op of main) {
          const r = runCall(targets, op);
          const to = op.to % targets.length;
          if ("sync" in r) {
            outcomes.push(r.sync);
            if (r.sync.accepted) acceptedMain[to]!++;
            continue;
          }
          later.push(r.later.then((o) => {
            if (o.accepted) acceptedMain[to]!++;
            // What an echo returns is what was sent.
            if (op.op === "ask" && op.name === "echo" && o.error === undefined) echoes.push({ sent: o.sent, got: o.value });
            return o;
          }));
        }
        const report = await system.shutdown({ timeout: shutdownTimeout });
        outcomes.push(...(await Promise.all(later))); // every ask settles
        for (const { sent, got } of echoes) expect(diff(got, delivered(sent)), "an echo came back changed").toBe("");

        expect(report.crashes).toEqual([]);
        expect(report.unreported).toEqual([]);
        const driverOutcomes = probe.messages.filter((m) => m.name === "driverOutcomes").flatMap((m) =>
          (m.arg as { outcomes: CallOutcome[] }).outcomes
        );
        for (const o of [...outcomes, ...driverOutcomes]) expect(o.untyped ?? null, "an error that is not typed").toBeNull();

        // Per target: accepted = processed (receipts) + dead letters.
        const accepted = [...acceptedMain];
        for (const m of probe.messages.filter((m) => m.name === "driverSent")) {
          (m.arg as { accepted: number[] }).accepted.forEach((n, i) => (accepted[i]! += n));
        }
        const receipts = targets.map(() => 0);
        for (const m of probe.messages) if (m.name === "receipt") receipts[m.arg as number]!++;
        const deadPer = targets.map((t) => dead.filter((d) => d.address === t.address).reduce((a, d) => a + d.count, 0));
        expect(receipts.map((r, i) => r + deadPer[i]!)).toEqual(accepted);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

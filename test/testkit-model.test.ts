/**
 * Model-based testing (actorModel): a protocol becomes fast-check commands, run against a
 * fresh actor and a plain model, replies compared with the model's predictions. It passes on
 * correct actors and reports a shrunk counterexample (with the seed) on buggy ones, in the
 * deterministic mode and on real workers.
 */
import fc from "fast-check";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { ActorSystem, InvalidArgumentError, runtimeName } from "../mod.ts";
import { actorModel, choiceScheduler, TestSystem } from "../testkit.ts";
import { Counter } from "./fixtures/counter.ts";
import { BuggyStack, CappedCounter, Stack } from "./fixtures/model-actors.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 40);

const stackModel = (definition: typeof Stack | typeof BuggyStack) =>
  actorModel(fc, definition, {
    model: () => ({ items: [] as number[] }),
    messages: {
      push: { arg: fc.integer({ min: 0, max: 9 }), tell: (m, x) => void m.items.push(x) },
      pop: { ask: (m) => m.items.pop() ?? null },
      peek: {
        ask: (m) => {
          if (m.items.length === 0) throw new RangeError("peek: the stack is empty");
          return m.items.at(-1)!;
        },
      },
      size: { ask: (m) => m.items.length },
    },
  });

const counterModel = (definition: typeof Counter | typeof CappedCounter) =>
  actorModel(fc, definition, {
    spawnArg: 0,
    model: () => ({ n: 0 }),
    messages: {
      inc: { arg: fc.integer({ min: 0, max: 5 }), tell: (m, by) => void (m.n += by) },
      get: { ask: (m) => m.n },
    },
  });

/** The commands of a failure report's counterexample, one string each. */
function counterexample(report: string): string[] {
  const line = report.split("\n").find((l) => l.startsWith("Counterexample: ")) ?? "";
  return [...line.matchAll(/(?:tell|ask) \w+\([^)]*\)/g)].map((m) => m[0]);
}

describe(`model-based testing on ${runtimeName}: deterministic mode`, () => {
  it("passes on a correct stack and a correct counter", async () => {
    await stackModel(Stack).check({ seed: SEED, numRuns: RUNS });
    await counterModel(Counter).check({ seed: SEED, numRuns: RUNS });
  });

  it("finds the buggy stack, shrinks to the shortest sequence and prints it with the seed", async () => {
    const out = await fc.check(stackModel(BuggyStack).property(), { seed: SEED });
    expect(out.failed).toBe(true);
    const report = fc.defaultReportMessage(out) ?? "";
    expect(report).toContain(`seed: ${SEED}`);
    expect(report).toMatch(/choices \[[\d,]*\]; \d+ deliveries/); // the schedule it ran
    expect(String(out.errorInstance)).toMatch(/ask pop\(\): the actor replied \d, the model predicts \d/);
    // Three pushes of different values and a pop: nothing shorter shows the bug.
    const cmds = counterexample(report);
    expect(cmds.filter((c) => c.startsWith("tell push"))).toHaveLength(3);
    expect(cmds.at(-1)).toBe("ask pop()");
    expect(cmds).toHaveLength(4);
  });

  it("finds the capped counter: the increments past 10 are lost", async () => {
    const out = await fc.check(counterModel(CappedCounter).property(), { seed: SEED });
    expect(out.failed).toBe(true);
    expect(String(out.errorInstance)).toMatch(/ask get\(\): the actor replied \d+, the model predicts 1[1-5]/);
    expect(fc.defaultReportMessage(out)).toContain("choices [");
  });

  it("a predicted rejection must be a rejection with the same message", async () => {
    const lying = actorModel(fc, Stack, {
      model: () => ({}),
      messages: { peek: { ask: () => 0 } }, // predicts 0 on an empty stack
    });
    const out = await fc.check(lying.property({ maxCommands: 3 }), { seed: SEED, numRuns: 5 });
    expect(String(out.errorInstance)).toContain(
      'ask peek(): the actor rejected with RangeError("peek: the stack is empty"), the model predicts 0',
    );
  });

  it("refuses what it cannot run", () => {
    expect(() => actorModel(fc, Stack, { model: () => ({}), messages: {} })).toThrow(InvalidArgumentError);
    expect(() => actorModel(fc, Stack, { model: () => ({}), messages: { nope: { ask: () => 1 } } as never })).toThrow(InvalidArgumentError);
    expect(() => actorModel(fc, Stack, { model: () => ({}), messages: { size: {} as never } })).toThrow(InvalidArgumentError);
    expect(() => actorModel({} as never, Stack, { model: () => ({}), messages: { size: { ask: () => 0 } } })).toThrow(InvalidArgumentError);
  });

  it("is typed by the definition: names, argument arbitraries and predicted replies", () => {
    const spec = { model: () => ({ n: 0 }), spawnArg: 0 };
    const typeErrors = (): void => { // type-checked, never run
      // @ts-expect-error a message Counter does not have
      actorModel(fc, Counter, { ...spec, messages: { dec: { arg: fc.nat(), tell: () => {} } } });
      // @ts-expect-error an arbitrary of the wrong type: inc takes a number
      actorModel(fc, Counter, { ...spec, messages: { inc: { arg: fc.string(), tell: () => {} } } });
      // @ts-expect-error inc takes an argument: its arbitrary is required
      actorModel(fc, Counter, { ...spec, messages: { inc: { tell: () => {} } } });
      // @ts-expect-error get replies a number: the model cannot predict a string
      actorModel(fc, Counter, { ...spec, messages: { get: { ask: () => "3" } } });
      // @ts-expect-error a message is a tell or an ask, not both
      actorModel(fc, Counter, { ...spec, messages: { get: { ask: (m) => m.n, tell: () => {} } } });
    };
    expect(typeof typeErrors).toBe("function");
    actorModel(fc, Counter, {
      ...spec,
      messages: {
        inc: {
          arg: fc.nat(),
          tell: (m, by) => {
            expectTypeOf(by).toEqualTypeOf<number>();
            expectTypeOf(m).toEqualTypeOf<{ n: number }>();
          },
        },
      },
    });
  });

  it("commands() and run() compose into a property of one's own", async () => {
    const model = stackModel(Stack);
    await fc.assert(
      fc.asyncProperty(model.commands(8) as fc.Arbitrary<Iterable<unknown>>, fc.integer({ min: 1, max: 4 }), async (cmds, workers) => {
        await using system = await TestSystem.start({ scheduler: choiceScheduler([]), workers });
        await model.run(system, cmds);
      }),
      { seed: SEED, numRuns: 10 },
    );
  });
});

describe(`model-based testing on ${runtimeName}: real workers`, () => {
  let system: ActorSystem;
  beforeAll(async () => {
    system = await ActorSystem.start({ workers: 2 });
  });
  afterAll(async () => {
    await system.shutdown();
  });

  it("passes on a correct stack and counter", async () => {
    await stackModel(Stack).check({ system, seed: SEED, numRuns: 25 });
    await counterModel(Counter).check({ system, seed: SEED, numRuns: 25 });
  });

  it("finds the buggy stack and prints the shrunk sequence with the seed", async () => {
    const out = await fc.check(stackModel(BuggyStack).property({ system }), { seed: SEED });
    expect(out.failed).toBe(true);
    const report = fc.defaultReportMessage(out) ?? "";
    expect(report).toContain(`seed: ${SEED}`);
    const cmds = counterexample(report);
    expect(cmds).toHaveLength(4);
    expect(cmds.at(-1)).toBe("ask pop()");
    expect(system.stopping).toBe(false);
  });
});

/**
 * Scatter-gather (actors/scatter-gather.ts): exactly once — each ask sent once, each ref
 * in exactly one of replies / failures / missing — for any mix of actors that reply, fail
 * or never answer; partial results at the deadline; `enough`; abort; bad options.
 */
import fc from "fast-check";
import process from "node:process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorRef, ActorSystem, InvalidArgumentError, runtimeName } from "../mod.ts";
import { scatterGather } from "../actors/mod.ts";
import { Responder } from "./fixtures/actors-blocks.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);
const RUNS = Number(process.env.MISSIVE_RUNS ?? 15);

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

type Kind = "reply" | "fail" | "silent";
const spawnAll = (kinds: Kind[]) =>
  Promise.all(kinds.map((kind, value) => system.spawn(Responder, { kind, value }, { worker: value % 2 })));
const addresses = (refs: ActorRef[]) => refs.map((r) => r.address).sort((a, b) => a - b);

describe(`scatterGather on ${runtimeName}`, () => {
  it("exactly once: every ref in exactly one list, by what it did; each asked once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Kind>("reply", "reply", "fail", "silent"), { maxLength: 6 }),
        async (kinds) => {
          const refs = await spawnAll(kinds);
          const silent = kinds.includes("silent");
          // A deadline only when someone stays silent (else the gather ends on the last answer).
          const got = await scatterGather(refs, "get", undefined, silent ? { deadline: 150 } : {}); // timer-under-test
          const all = [...got.replies.map((r) => r.ref), ...got.failures.map((f) => f.ref), ...got.missing];
          expect(addresses(all)).toEqual(addresses(refs)); // a partition: none twice, none lost
          for (const { ref, value } of got.replies) {
            expect(kinds[value!]).toBe("reply");
            expect(refs[value!]!.equals(ref)).toBe(true);
          }
          for (const { error } of got.failures) expect(String(error)).toMatch(/responder \d+ fails/);
          const missingKinds = got.missing.map((m) => kinds[refs.findIndex((r) => r.equals(m))]);
          expect(missingKinds.filter((k) => k === "fail")).toEqual([]); // failures always arrive (a reply might be late on a busy box)
          expect(kinds.filter((k) => k === "silent").length).toBeLessThanOrEqual(got.missing.length);
          expect(got.complete).toBe(got.missing.length === 0);
          expect(await Promise.all(refs.map((r) => r.ask("asked")))).toEqual(refs.map(() => 1));
          await Promise.all(refs.map((r) => system.stop(r)));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("all answer: complete, no deadline needed; the reply type flows", async () => {
    const refs = await spawnAll(["reply", "reply", "fail"]);
    const got = await scatterGather(refs, "get");
    expect(got.complete).toBe(true);
    const values: (number | undefined)[] = got.replies.map((r) => r.value);
    expect(values.sort()).toEqual([0, 1]);
    expect(got.failures).toHaveLength(1);
    expect(got.missing).toEqual([]);
  });

  it("partial results at the deadline: the silent one is missing", async () => {
    const refs = await spawnAll(["reply", "silent"]);
    const got = await scatterGather(refs, "get", undefined, { deadline: 100 }); // timer-under-test
    expect(got.complete).toBe(false);
    expect(addresses(got.missing)).toEqual([refs[1]!.address]);
  });

  it("enough ends the gather early: the rest are missing, and their late answers are dropped", async () => {
    const refs = await spawnAll(["reply", "silent", "silent"]);
    const got = await scatterGather(refs, "get", undefined, { enough: (replies) => replies.length >= 1 });
    expect(got.replies.map((r) => r.value)).toEqual([0]);
    expect(got.missing).toHaveLength(2);
  });

  it("no refs: complete at once; deadline 0: nothing sent, all missing", async () => {
    expect(await scatterGather([] as ActorRef<typeof Responder>[], "get")).toEqual({
      replies: [],
      failures: [],
      missing: [],
      complete: true,
    });
    const refs = await spawnAll(["reply"]);
    const got = await scatterGather(refs, "get", undefined, { deadline: 0 });
    expect(got.missing).toHaveLength(1);
    expect(await refs[0]!.ask("asked")).toBe(0);
  });

  it("an enough that throws rejects the gather with its error", async () => {
    const refs = await spawnAll(["reply", "silent"]);
    const failing = scatterGather(refs, "get", undefined, {
      enough: () => {
        throw new Error("bad predicate");
      },
    });
    await expect(failing).rejects.toThrow("bad predicate");
  });

  it("aborting rejects with the reason", async () => {
    const refs = await spawnAll(["silent", "reply"]);
    const controller = new AbortController();
    const gathering = scatterGather(refs, "get", undefined, { signal: controller.signal });
    controller.abort(new Error("user gave up"));
    await expect(gathering).rejects.toThrow("user gave up");
    await expect(scatterGather(refs, "get", undefined, { signal: controller.signal })).rejects.toThrow("user gave up");
  });

  it("bad options are InvalidArgumentError", async () => {
    const refs = await spawnAll(["reply"]);
    for (const deadline of [-1, Number.NaN, "5" as never]) {
      await expect(scatterGather(refs, "get", undefined, { deadline })).rejects.toThrow(InvalidArgumentError);
    }
    await expect(scatterGather(refs, "get", undefined, { signal: {} as AbortSignal })).rejects.toThrow(InvalidArgumentError);
    await expect(scatterGather(refs, "get", undefined, 3 as never)).rejects.toThrow(InvalidArgumentError);
    await expect(scatterGather(refs, "get", undefined, { enough: 1 as never })).rejects.toThrow(InvalidArgumentError);
  });
});

/**
 * In-worker comparisons with nact (single-threaded, in this process's main thread), the
 * rows actor-ts compares on:
 *
 * - `spawn-batch`: batches of 100 actors spawned at once, each confirmed started (its
 *   answer to `hello`) and stopped (its answer to `stop`; an ask to the last one then
 *   fails), actors/s.
 * - `ask-local`: sequential asks to an actor on the asker's own worker, asks/s.
 *
 * Missive's side runs in a `LocalDriver` on one worker (`../actors/local-driver.ts`).
 * @module
 */
import { dispatch, query, type Ref, spawn, start, stop } from "nact";
import type { ActorRef } from "../../mod.ts";
import { LocalDriver, type LocalOutcome } from "../actors/local-driver.ts";
import type { BenchmarkFactory, CaseRunner, CaseSpec, Sample } from "../harness/types.ts";
import { allOf, expectEqual } from "../util/check.ts";
import { rateMetric, startSystem } from "./common.ts";

type Msg = { type: "hello"; reply: Ref<number> } | { type: "stop"; reply: Ref<number> };
const ask = (ref: Ref<Msg>, type: Msg["type"], timeout = 10_000): Promise<number> =>
  query(ref, (reply: Ref<number>) => ({ type, reply }) as Msg, timeout);
const sumBelow = (n: number): number => (n * (n - 1)) / 2;

function missiveCase(run: (driver: ActorRef<typeof LocalDriver>) => Promise<Sample>): CaseSpec {
  return {
    name: "missive",
    role: "missive",
    async setup(): Promise<CaseRunner> {
      const { system, close } = await startSystem({ workers: 1 });
      const driver = await system.spawn(LocalDriver, undefined, { worker: 0 });
      return { run: () => run(driver), close };
    },
  };
}

function nactCase(run: (system: Ref<never>) => Promise<Sample>): CaseSpec {
  return {
    name: "nact",
    role: "baseline",
    setup(): Promise<CaseRunner> {
      const system = start();
      return Promise.resolve({ run: () => run(system), close: () => Promise.resolve(stop(system)) });
    },
  };
}

const behaviour = (state: { id: number }, msg: Msg) => {
  dispatch(msg.reply, state.id);
  return state;
};

/** `spawn-batch`: batches of 100, confirmed start and stop, actors/s. */
export const spawnBatch: BenchmarkFactory = (size) => {
  const batches = size === "full" ? 50 : 3;
  const batch = 100;
  const total = batches * batch;
  const sample = (o: LocalOutcome): Sample => ({
    metrics: { rate: (total / o.ms) * 1000 },
    check: allOf(
      expectEqual("sum of start answers", o.sum, sumBelow(total)),
      expectEqual("batches confirmed stopped", o.stopsConfirmed, batches),
    ),
  });
  const nact = nactCase(async (system) => {
    const started = performance.now();
    let sum = 0;
    let stopsConfirmed = 0;
    for (let b = 0; b < batches; b++) {
      const refs = Array.from(
        { length: batch },
        (_, i) => spawn(system, behaviour, undefined, { initialState: { id: b * batch + i } }) as Ref<Msg>,
      );
      for (const id of await Promise.all(refs.map((r) => ask(r, "hello")))) sum += id;
      await Promise.all(refs.map((r) => ask(r, "stop")));
      for (const r of refs) stop(r);
      stopsConfirmed += await ask(refs[batch - 1]!, "hello", 1_000).then(() => 0, () => 1); // nact rejects at once
    }
    return sample({ ms: performance.now() - started, sum, stopsConfirmed });
  });
  return {
    name: "spawn-batch",
    title: `spawn ${batch} at once, confirmed start and stop, on one worker`,
    metrics: [rateMetric("actors/s")],
    params: { batches, batch },
    notes: [],
    cases: [missiveCase(async (d) => sample(await d.ask("spawnBatches", { batches, size: batch }, { timeout: 170_000 }))), nact],
  };
};

/** `ask-local`: sequential asks on the same worker, asks/s. */
export const askLocal: BenchmarkFactory = (size) => {
  const n = size === "full" ? 20_000 : 500;
  const sample = (o: LocalOutcome): Sample => ({ metrics: { rate: (n / o.ms) * 1000 }, check: expectEqual("sum of answers", o.sum, n) });
  const nact = nactCase(async (system) => {
    const ref = spawn(system, behaviour, undefined, { initialState: { id: 1 } }) as Ref<Msg>;
    const started = performance.now();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await ask(ref, "hello");
    const ms = performance.now() - started;
    stop(ref);
    return sample({ ms, sum, stopsConfirmed: 0 });
  });
  return {
    name: "ask-local",
    title: "sequential ask to an actor on the same worker",
    metrics: [rateMetric("asks/s")],
    params: { asks: n },
    notes: [],
    cases: [missiveCase(async (d) => sample(await d.ask("askSequential", { n }, { timeout: 170_000 }))), nact],
  };
};

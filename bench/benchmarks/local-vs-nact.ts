/**
 * In-worker comparisons with nact (single-threaded, in this process's main thread), the
 * rows actor-ts compares on:
 *
 * - `spawn-batch`: batches of 100 actors spawned at once, each confirmed started (its
 *   answer to `hello`) and stopped (its answer to `stop`; an ask to the last one then
 *   fails), actors/s.
 * - `ask-local`: sequential asks to an actor on the asker's own worker, asks/s.
 * - `tell-local-1k`, `tell-local-10k`: batches of 1 000 / 10 000 tells to an actor on the
 *   teller's own worker, each read back by one ask (count and sum checked), msgs/s.
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
  const batches = size === "full" ? 200 : 3;
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

type TallyMsg = { type: "add"; n: number } | { type: "total"; reply: Ref<{ count: number; sum: number }> };
const tallyBehaviour = (state: { count: number; sum: number }, msg: TallyMsg) => {
  if (msg.type === "add") return { count: state.count + 1, sum: state.sum + msg.n };
  dispatch(msg.reply, { count: state.count, sum: state.sum });
  return state;
};

/** `tell-local-<n>`: `n` tells then one ask reading them back, on the same worker, msgs/s. */
function tellLocal(n: number, label: string): BenchmarkFactory {
  return (size) => {
    const total = size === "full" ? 200_000 : 20_000;
    const rounds = Math.max(1, Math.round(total / n));
    const sent = rounds * n;
    const valueSum = rounds * ((n * (n - 1)) / 2);
    const sample = (o: LocalOutcome): Sample => ({
      metrics: { rate: (sent / o.ms) * 1000 },
      check: allOf(
        expectEqual("messages read back", o.sum, rounds * ((n * (rounds + 1)) / 2)),
        expectEqual("value sum", o.values, valueSum),
      ),
    });
    const nact = nactCase(async (system) => {
      const tally = spawn(system, tallyBehaviour, undefined, { initialState: { count: 0, sum: 0 } }) as Ref<TallyMsg>;
      const total = () => query(tally, (reply: Ref<{ count: number; sum: number }>) => ({ type: "total", reply }) as TallyMsg, 10_000);
      const started = performance.now();
      let sum = 0;
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < n; i++) dispatch(tally, { type: "add", n: i });
        sum += (await total()).count;
      }
      const ms = performance.now() - started;
      const values = (await total()).sum;
      stop(tally);
      return sample({ ms, sum, stopsConfirmed: 0, values });
    });
    return {
      name: `tell-local-${label}`,
      title: `${n.toLocaleString("en-US")} tells then one ask reading them back, on the same worker`,
      metrics: [rateMetric()],
      params: { batch: n, rounds },
      notes: [],
      cases: [missiveCase(async (d) => sample(await d.ask("tellReadBack", { n, rounds }, { timeout: 170_000 }))), nact],
    };
  };
}

/** `tell-local-1k`: batches of 1 000 tells, each read back. */
export const tellLocal1k: BenchmarkFactory = tellLocal(1_000, "1k");
/** `tell-local-10k`: batches of 10 000 tells, each read back. */
export const tellLocal10k: BenchmarkFactory = tellLocal(10_000, "10k");

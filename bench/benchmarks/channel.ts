/**
 * `channel-cancel-storm` (issue 9 point 8): getter loops spread over the main loop and
 * both workers (as actors there) whose every `get` is aborted after 0–3 ms by an
 * `AbortSignal` (the loop then gets again at once), while 3 producers — one per event
 * loop — put `items` numbers into a channel of capacity 16 owned on worker 0; items/s
 * from the producers' start until every put was accepted, and the time from `close()`
 * until every getter loop has ended.
 *
 * The cases are the same run with and without the storm: `no aborts` gives each get a
 * signal that never fires (the same cancellable gets, acknowledgements included, with no
 * cancels); `no signal` uses plain gets; `aborts beside` is the `no aborts` run with the
 * same storm — timers, `AbortController`s, abort events, as many loops — on waits that
 * never touch the channel. The target is the storm within 2× of `no aborts`. The storm's
 * own work is about 3.5 µs of CPU per abort at ~200 000 aborts/s (most of a core on the
 * project's 2-core machine), so `aborts beside` shows how much of the gap is the
 * workload's own: Missive's share is the ratio of `missive` to `aborts beside`.
 *
 * The workload is the cancel-storm test's (`test/fixtures/channel-storm.ts`), so the
 * benchmark measures exactly what the test checks. Check: every item arrived exactly once
 * and every getter loop ended.
 * @module
 */
import { type ActorRef, type ActorSystem, Channel } from "../../mod.ts";
import { type GetMode, type GetterReport, produce, runGetters, StormAgent } from "../../test/fixtures/channel-storm.ts";
import type { BenchmarkFactory, CaseRunner, CaseSpec, Sample } from "../harness/types.ts";
import { allOf, expectEqual } from "../util/check.ts";
import { startSystem } from "./common.ts";

const CAPACITY = 16;

/** One storm run: a fresh channel, getters on every loop, producers on every loop, then `close()`. */
async function stormRun(
  system: ActorSystem,
  agents: ActorRef<typeof StormAgent>[],
  items: number,
  getters: number,
  mode: GetMode,
): Promise<Sample> {
  const [getters0, getters1, producer0, producer1] = agents as [
    ActorRef<typeof StormAgent>,
    ActorRef<typeof StormAgent>,
    ActorRef<typeof StormAgent>,
    ActorRef<typeof StormAgent>,
  ];
  const forever = { timeout: Infinity };
  const ch = await Channel.open<number>(system, { capacity: CAPACITY, worker: 0 });
  const mainHandle = await getters0.ask("handle", ch); // the main loop's getters and producer use handles of their own
  const perLoop = Math.floor(getters / 3);
  const loops: Promise<GetterReport>[] = [
    runGetters(mainHandle, getters - 2 * perLoop, mode),
    getters0.ask("getters", { ch, loops: perLoop, mode }, forever),
    getters1.ask("getters", { ch, loops: perLoop, mode }, forever),
  ];
  const started = performance.now();
  await Promise.all([
    produce(ch, 0, items, 3),
    producer0.ask("produce", { ch, from: 1, to: items, step: 3 }, forever),
    producer1.ask("produce", { ch, from: 2, to: items, step: 3 }, forever),
  ]);
  const putMs = performance.now() - started;
  const closing = performance.now();
  await ch.close();
  const reports = await Promise.all(loops);
  const closeMs = performance.now() - closing;
  const received = reports.flatMap((r) => r.received);
  const ended = reports.reduce((n, r) => n + r.ended, 0);
  const aborted = reports.reduce((n, r) => n + r.aborted, 0);
  let sum = 0;
  for (const n of received) sum += n;
  return {
    metrics: { rate: (items / putMs) * 1000, close: closeMs },
    check: allOf(
      expectEqual("items received", received.length, items),
      expectEqual("distinct items", new Set(received).size, items),
      expectEqual("sum of items", sum, (items * (items - 1)) / 2),
      expectEqual(`getter loops ended (${aborted} gets aborted)`, ended, getters),
    ),
  };
}

/** `channel-cancel-storm`: items/s with every get aborted after 0–3 ms, and without. */
export const channelCancelStorm: BenchmarkFactory = (size) => {
  const items = size === "full" ? 20_000 : 900;
  const getters = size === "full" ? 500 : 45;
  const stormCase = (name: string, role: "missive" | "baseline", mode: GetMode): CaseSpec => ({
    name,
    role,
    async setup(): Promise<CaseRunner> {
      const { system, close } = await startSystem({ workers: 2 });
      const agents = await Promise.all([0, 1, 0, 1].map((worker) => system.spawn(StormAgent, undefined, { worker })));
      return { run: () => stormRun(system, agents, items, getters, mode), close };
    },
  });
  return {
    name: "channel-cancel-storm",
    title: "channel: getters aborting every 0–3 ms vs the same run without aborts",
    metrics: [
      { key: "rate", label: "items/s", unit: "items/s", better: "higher" },
      { key: "close", label: "close→loops ended", unit: "ms", better: "lower" },
    ],
    params: { items, getters, producers: 3, capacity: CAPACITY, workers: 2, abortAfterMs: "0–3 (random, per get)", ownerWorker: 0 },
    notes: [
      "`missive` is the storm; `no aborts` is the same run with signals that never fire, `no signal` with plain gets",
      "`aborts beside`: the `no aborts` run with the same storm (timers, AbortControllers, abort events) on as many waits beside the channel: what the storm costs without the channel",
    ],
    cases: [
      stormCase("missive", "missive", "abort"),
      stormCase("no aborts", "baseline", "signal"),
      stormCase("no signal", "baseline", "plain"),
      stormCase("aborts beside", "baseline", "beside"),
    ],
  };
};

/**
 * Dead letters and metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorStoppedError, ActorSystem, type DeadLetter, runtimeName } from "../mod.ts";
import { Counter } from "./fixtures/counter.ts";
import { Blocker, Quitter } from "./fixtures/actors.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

describe(`observability on ${runtimeName}`, () => {
  it("counts dead letters and tells subscribers the target, name, argument and reason", async () => {
    const seen: DeadLetter[] = [];
    const sub = system.deadLetters.subscribe((d) => seen.push(d));
    const before = system.deadLetters.count;
    const q = await system.spawn(Quitter);
    q.tell("quit");
    await expect(q.ask("get")).rejects.toBeInstanceOf(ActorStoppedError);
    q.tell("get");
    // The second dead letter is reported by the worker; an ask behind it on the same link settles after it.
    await expect(q.ask("get")).rejects.toBeInstanceOf(ActorStoppedError);
    expect(system.deadLetters.count - before).toBe(3);
    // The first "get" was already in the mailbox when the actor stopped: undelivered; the others found it gone.
    expect(seen.filter((d) => d.address === q.address).map((d) => [d.name, d.reason])).toEqual([
      ["get", "undelivered"],
      ["get", "stopped"],
      ["get", "stopped"],
    ]);
    sub[Symbol.dispose]();
    q.tell("get");
    await expect(q.ask("get")).rejects.toBeInstanceOf(ActorStoppedError);
    expect(seen.filter((d) => d.address === q.address)).toHaveLength(3);
  });

  it("reports per-actor mailbox depth, processed counts and per-worker event-loop delay", async () => {
    const c = await system.spawn(Counter, 0, { worker: 1 });
    for (let i = 0; i < 100; i++) c.tell("inc", 1);
    await c.flush();
    const m = await system.metrics();
    expect(m.workers.map((w) => w.worker)).toEqual([0, 1]);
    const mine = m.workers[1]!.actors.find((a) => a.address === c.address)!;
    expect(mine).toMatchObject({ label: c.label, mailboxDepth: 0, processed: 100, restarts: 0, capacity: 0 });
    expect(mine.maxMailboxDepth).toBeGreaterThan(0);
  });

  it("reports a worker's event-loop delay: a handler that holds the thread 80 ms shows as ≥ 60 ms late", async () => {
    const blocker = await system.spawn(Blocker, undefined, { worker: 0 });
    await system.metrics(); // a fresh window
    await blocker.ask("block", 80);
    const { workers } = await system.metrics();
    // The 20 ms sampling timer was held for 80 ms: at least 60 ms late (a loaded machine only adds).
    expect(workers[0]!.eventLoopDelay.samples).toBeGreaterThan(0);
    expect(workers[0]!.eventLoopDelay.maxMs).toBeGreaterThanOrEqual(60);
  });
});

/**
 * `Turns` and the link's frame timing: the first frame of a task leaves from a microtask
 * and schedules nothing else, later ones wait for a macrotask, which begins a new turn,
 * and a task entered in the same turn (a message event) sends its first frame at once.
 * A loop says a low-latency ring may hold its event loop only while it has nothing queued.
 * The macrotask hook is a queue run by hand, so nothing here depends on timing.
 */
import { describe, expect, it } from "vitest";
import type { Endpoint } from "../src/transport/endpoint.ts";
import { Link } from "../src/transport/link.ts";
import { Loop } from "../src/system/loop.ts";
import { systemBase } from "../src/system/system-options.ts";
import { Turns } from "../src/util/turns.ts";
import { Kind } from "../src/wire/envelope.ts";

/** A macrotask hook that only queues; `run()` runs what is queued (in order). */
function manualMacrotasks() {
  const queue: (() => void)[] = [];
  return {
    schedule: (fn: () => void) => void queue.push(fn),
    get pending() {
      return queue.length;
    },
    run() {
      for (const fn of queue.splice(0)) fn();
    },
  };
}

/** Lets every queued microtask run (a few hops). */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

function setup() {
  const macro = manualMacrotasks();
  const turns = new Turns();
  const posted: unknown[] = [];
  const endpoint: Endpoint = { post: (data) => void posted.push(data), listen: () => {}, close: () => {} };
  const link = new Link(
    1,
    endpoint,
    () => {
      throw new Error("no refs here");
    },
    () => 0,
    { macrotask: macro.schedule, turns },
  );
  const tell = (n: number) => link.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", n, 1 << 20);
  return { macro, turns, posted, tell };
}

describe("Turns", () => {
  it("counts turns and tasks: a new turn is a new task, a new task is not a new turn", () => {
    const turns = new Turns();
    const [turn, task] = [turns.turn, turns.task];
    expect(turn).toBeGreaterThan(0);
    turns.enterTask();
    expect([turns.turn, turns.task]).toEqual([turn, task + 1]);
    turns.enterTurn();
    expect([turns.turn, turns.task]).toEqual([turn + 1, task + 2]);
  });
});

describe("link frames and tasks", () => {
  it("sends a task's first frame from a microtask, scheduling nothing else, and the next one after a macrotask", async () => {
    const { macro, turns, posted, tell } = setup();
    tell(1);
    await microtasks();
    expect(posted.length).toBe(1);
    expect(macro.pending).toBe(0); // no macrotask only to learn that the turn ended
    tell(2);
    await microtasks();
    expect(posted.length).toBe(1); // waits for the macrotask
    const turn = turns.turn;
    macro.run(); // the flush: a macrotask, so a new turn
    expect(posted.length).toBe(2);
    expect(turns.turn).toBe(turn + 1); // which gives the dispatcher a fresh budget
  });

  it("sends the first frame of a task entered in the same turn from a microtask", async () => {
    const { turns, posted, tell } = setup();
    tell(1);
    await microtasks();
    expect(posted.length).toBe(1);
    turns.enterTask(); // a message event: the answer to the first frame, say
    tell(2);
    await microtasks();
    expect(posted.length).toBe(2);
  });
});

describe("a loop's say on spinning (Loop.canSpin, for a low-latency ring)", () => {
  it("is no while a link's flush or a dispatcher run is queued, yes once they ran", async () => {
    const macro = manualMacrotasks();
    const loop = new Loop({ ...systemBase({ workers: 1 }), index: 0 }, { macrotask: macro.schedule });
    const posted: unknown[] = [];
    const link = loop.connect(1, { post: (data) => void posted.push(data), listen: () => {}, close: () => {} });
    expect(loop.canSpin()).toBe(true);
    link.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", 1, 1 << 20);
    expect(loop.canSpin()).toBe(false); // the frame's flush is queued
    await microtasks();
    expect(posted.length).toBe(1);
    expect(loop.canSpin()).toBe(true);
    link.writeEnvelope(Kind.Tell, 1025, 0, 0, "m", 2, 1 << 20);
    await microtasks();
    expect(loop.canSpin()).toBe(false); // a later frame of the task: its flush waits for a macrotask
    macro.run();
    expect(posted.length).toBe(2);
    expect(loop.canSpin()).toBe(true);
    loop.dispatcher.wake();
    expect(loop.canSpin()).toBe(false); // a dispatcher run is queued
    await microtasks();
    expect(loop.canSpin()).toBe(true);
  });
});

/**
 * The dispatcher on its own, with a fake host: runs started from a message event
 * (`runNow`) happen at once and exactly once, and decoding keeps in step with processing.
 */
import { describe, expect, it, vi } from "vitest";
import { ActorCell } from "../src/actor/cell.ts";
import { defineActor } from "../src/actor/definition.ts";
import { Dispatcher, type DispatchHost } from "../src/actor/dispatcher.ts";
import { macrotask } from "../src/util/macrotask.ts";
import type { Envelope } from "../src/wire/envelope.ts";

const Nothing = defineActor(import.meta.url, { name: "Nothing", init: () => ({}), handlers: { m(): void {} } });

/** A host whose one cell processes by recording; `inbound` envelopes are "decoded" into it. */
/** The dispatcher's macrotask hook in most tests: a later task of the event loop. */
const laterTask = (fn: () => void): void => void setTimeout(fn, 0); // timer-under-test: the macrotask hook itself

function setup(inbound = 0, sliceMs = 1000, macrotask: (fn: () => void) => void = laterTask) {
  const cell = new ActorCell(1, 1025, Nothing, "Nothing#1", 0, null);
  cell.status = "running";
  const log: string[] = [];
  let waiting = inbound;
  const host: DispatchHost = {
    processNext: (c) => log.push(`process ${String(c.mailbox.shift()![3])}`),
    pumpInbound: (max) => {
      let n = 0;
      while (n < max && waiting > 0) {
        waiting--;
        cell.mailbox.push([0, 1025, 0, inbound - waiting, "m", null] as Envelope);
        n++;
        dispatcher.enqueue(cell);
      }
      if (n > 0) log.push(`decoded ${n}`);
      return n;
    },
    hasInbound: () => waiting > 0,
    onSliceEnd: () => log.push("slice end"),
    onIdle: () => {
      log.push("idle");
      idled();
    },
  };
  let idled = () => {};
  const idle = new Promise<void>((resolve) => (idled = resolve));
  const dispatcher = new Dispatcher(host, { throughput: 64, sliceMs }, macrotask);
  return { cell, log, dispatcher, idle };
}

/** Watches `cell`'s mailbox: the returned function tells the most it has held. */
function deepestMailbox(cell: ActorCell): () => number {
  let deepest = 0;
  const push = cell.mailbox.push.bind(cell.mailbox);
  cell.mailbox.push = (e: Envelope) => {
    push(e);
    deepest = Math.max(deepest, cell.mailbox.length);
  };
  return () => deepest;
}

describe("dispatcher", () => {
  it("runNow runs the queued run at once, and the queued microtask then does nothing", async () => {
    const { cell, log, dispatcher } = setup();
    cell.mailbox.push([0, 1025, 0, 7, "m", null]);
    dispatcher.enqueue(cell);
    expect(log).toEqual([]); // queued, not run
    dispatcher.runNow();
    expect(log).toEqual(["process 7", "slice end", "idle"]);
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(["process 7", "slice end", "idle"]); // no second run
    // Mail after that gets a run of its own.
    cell.mailbox.push([0, 1025, 0, 8, "m", null]);
    dispatcher.enqueue(cell);
    await Promise.resolve();
    expect(log).toEqual(["process 7", "slice end", "idle", "process 8", "slice end", "idle"]);
  });

  it("runNow does nothing without a queued run or ready actors, and a skipped run is not lost", async () => {
    const { cell, log, dispatcher } = setup();
    dispatcher.runNow();
    expect(log).toEqual([]);
    dispatcher.wake(); // a run for received frames, no actor ready
    dispatcher.runNow();
    expect(log).toEqual([]);
    cell.mailbox.push([0, 1025, 0, 1, "m", null]);
    dispatcher.enqueue(cell);
    await Promise.resolve();
    expect(log).toEqual(["process 1", "slice end", "idle"]);
  });

  it("decodes no faster than it processes: one actor's mailbox never holds more than a batch", async () => {
    const { cell, log, dispatcher } = setup(2000);
    const deepest = deepestMailbox(cell);
    dispatcher.wake();
    await Promise.resolve();
    expect(log.filter((l) => l.startsWith("process")).length).toBe(2000);
    expect(deepest()).toBeLessThanOrEqual(256);
  });

  it("a run that runs out of time leaves its debt to the next, which processes before it decodes more", async () => {
    // sliceMs 0: every run is over at its first look at the clock (after 4 messages), so
    // runs end with most of a decoded batch still in the mailbox. Each new run used to
    // decode another batch first: the mailbox then held most of the 2000 at once.
    const { cell, log, dispatcher, idle } = setup(2000, 0, macrotask);
    const deepest = deepestMailbox(cell);
    dispatcher.wake();
    await idle;
    const processed = log.filter((l) => l.startsWith("process")).map((l) => Number(l.slice(8)));
    expect(processed).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1)); // all of them, in order
    expect(deepest()).toBeLessThanOrEqual(256);
    expect(log.filter((l) => l === "slice end").length).toBeGreaterThan(2000 / 256); // it did run out of time, many times
  });

  it("a debt whose actor can no longer pay it (stopped since) does not hold back decoding", async () => {
    // A fake clock: each processed message takes 1 ms, each look at the clock 10 µs. Run 1 runs
    // out of its 10 ms with most of a batch owed; the actor then stops. Run 2 must decode the
    // rest (into a mailbox nobody runs now); with the debt kept it decoded nothing and looked
    // at the clock until its deadline.
    let now = 0;
    const clock = vi.spyOn(performance, "now").mockImplementation(() => (now += 0.01));
    try {
      const tasks: (() => void)[] = [];
      const { cell, log, dispatcher } = setup(2000, 10, (fn) => tasks.push(fn));
      const take = cell.mailbox.shift.bind(cell.mailbox);
      cell.mailbox.shift = () => {
        now += 1;
        return take();
      };
      dispatcher.wake();
      await Promise.resolve(); // run 1
      expect(log.filter((l) => l.startsWith("process")).length).toBe(12); // late at the clock's third look
      expect(log.at(-1)).toBe("slice end"); // the rest is for a later run
      cell.status = "stopped";
      const runs = log.filter((l) => l === "slice end").length;
      while (log.filter((l) => l === "slice end").length === runs) tasks.shift()!(); // the turn's end, then run 2
      const decoded = log.filter((l) => l.startsWith("decoded")).reduce((n, l) => n + Number(l.slice(8)), 0);
      expect(decoded).toBe(2000);
      expect(log.filter((l) => l.startsWith("process")).length).toBe(12);
    } finally {
      clock.mockRestore();
    }
  });

  it("two actors of the loop playing ping-pong: the clock is read every few messages, not after each", async () => {
    // Each message makes the other actor ready, so every round of the run processes one. The
    // run used to read the clock after each round too: a read per message (45–120 ns each).
    const clock = vi.spyOn(performance, "now").mockReturnValue(0);
    try {
      const cells = [1, 2].map((n) => Object.assign(new ActorCell(n, 1024 + n, Nothing, `Nothing#${n}`, 0, null), { status: "running" }));
      let left = 1000;
      let processed = 0;
      const host: DispatchHost = {
        processNext: (c) => {
          c.mailbox.shift();
          processed++;
          if (--left > 0) {
            const other = cells[c === cells[0] ? 1 : 0]!;
            other.mailbox.push([0, other.address, 0, 0, "m", null]);
            dispatcher.enqueue(other);
          }
        },
        pumpInbound: () => 0,
        hasInbound: () => false,
        onSliceEnd: () => {},
        onIdle: () => idled(),
      };
      let idled = () => {};
      const idle = new Promise<void>((resolve) => (idled = resolve));
      const dispatcher = new Dispatcher(host, { throughput: 64, sliceMs: 1000 }, laterTask);
      cells[0]!.mailbox.push([0, cells[0]!.address, 0, 0, "m", null]);
      dispatcher.enqueue(cells[0]!);
      await idle;
      expect(processed).toBe(1000);
      expect(clock.mock.calls.length).toBeLessThanOrEqual(1000 / 4 + 3); // every 4th message, and the run's start
    } finally {
      clock.mockRestore();
    }
  });
});

/**
 * The dispatcher on its own, with a fake host: runs started from a message event
 * (`runNow`) happen at once and exactly once, decoding keeps in step with processing, the
 * clock is read every few messages, and the slice's budget counts what runs took.
 */
import { describe, expect, it, vi } from "vitest";
import { ActorCell } from "../src/actor/cell.ts";
import { defineActor } from "../src/actor/definition.ts";
import { Dispatcher, type DispatchHost, nextClockEvery } from "../src/actor/dispatcher.ts";
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

/**
 * A fake `performance.now()` (restore it with the returned spy's `mockRestore`) on which
 * the n-th message `cell` takes out of its mailbox (from 1) costs `cost(n)` ms.
 */
function costedClock(cell: ActorCell, cost: (n: number) => number) {
  let now = 0;
  const clock = vi.spyOn(performance, "now").mockImplementation(() => now);
  const take = cell.mailbox.shift.bind(cell.mailbox);
  let taken = 0;
  cell.mailbox.shift = () => {
    now += cost(++taken);
    return take();
  };
  return clock;
}

/** Puts `n` messages in `cell`'s mailbox and enqueues it. */
function mailer(cell: ActorCell, log: string[], dispatcher: Dispatcher): (n: number) => void {
  return (n) => {
    for (let i = 0; i < n; i++) cell.mailbox.push([0, 1025, 0, log.length + i, "m", null]);
    dispatcher.enqueue(cell);
  };
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
    // out of its 10 ms with most of a batch owed (its first look, after 4 messages, shows them
    // taking 1 ms each: it then looks after every message); the actor then stops. Run 2 must decode the
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
      expect(log.filter((l) => l.startsWith("process")).length).toBe(10); // late at the first look past its deadline
      expect(log.at(-1)).toBe("slice end"); // the rest is for a later run
      cell.status = "stopped";
      const runs = log.filter((l) => l === "slice end").length;
      while (log.filter((l) => l === "slice end").length === runs) tasks.shift()!(); // run 2, after the yield
      const decoded = log.filter((l) => l.startsWith("decoded")).reduce((n, l) => n + Number(l.slice(8)), 0);
      expect(decoded).toBe(2000);
      expect(log.filter((l) => l.startsWith("process")).length).toBe(10);
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
      // The run's start, then after 4, 8 and 16 messages (each look finds no time passed:
      // the next comes twice as late), then every 16th, then its end: 65 looks. A fixed
      // look every 4th message made 251.
      expect(clock.mock.calls.length).toBeLessThanOrEqual(1 + 3 + Math.ceil((1000 - 28) / 16) + 1);
      expect(clock.mock.calls.length).toBeGreaterThan(1000 / 16); // still every 16th: a run can end inside a flood
    } finally {
      clock.mockRestore();
    }
  });

  it("a short run reads the clock at its start and its end, and waking it reads none", async () => {
    const clock = vi.spyOn(performance, "now").mockReturnValue(0);
    try {
      const { cell, log, dispatcher } = setup();
      const mail = mailer(cell, log, dispatcher);
      mail(3);
      await Promise.resolve(); // run 1: 3 messages, fewer than the 4 before a first look
      expect(clock.mock.calls.length).toBe(2);
      mail(3); // wake() compares the time the runs took with the budget: no read
      await Promise.resolve(); // run 2
      expect(log.filter((l) => l.startsWith("process")).length).toBe(6);
      expect(clock.mock.calls.length).toBe(4);
      mail(4);
      await Promise.resolve(); // run 3: a look after its 4th message as well
      expect(clock.mock.calls.length).toBe(7);
    } finally {
      clock.mockRestore();
    }
  });

  it("after long messages a run looks after every one", async () => {
    const { cell, log, dispatcher } = setup();
    const clock = costedClock(cell, (n) => n <= 8 ? 100 : 0); // 100 ms each: 4 of them take over the aim of 1000 / 8 ms
    try {
      const mail = mailer(cell, log, dispatcher);
      mail(8);
      await Promise.resolve(); // run 1: a look at its start, after the 4th, after each of the next 4, at its end
      expect(clock.mock.calls.length).toBe(1 + 1 + 4 + 1);
      mail(3);
      await Promise.resolve(); // run 2: its start, after its 1st (which took no time: the count doubles), after its 3rd, its end
      expect(log.filter((l) => l.startsWith("process")).length).toBe(11);
      expect(clock.mock.calls.length).toBe(7 + 1 + 1 + 1 + 1);
    } finally {
      clock.mockRestore();
    }
  });

  it("the budget counts what the runs took, schedules no macrotask until it is spent, then yields once and starts afresh", async () => {
    // Runs started by separate wakes (lone messages, async handlers) share one budget of
    // 10 ms; each message here takes 4 ms. The budget used to be the time since the turn's
    // first run, and that run scheduled a macrotask to learn that the turn was over.
    const tasks: (() => void)[] = [];
    const { cell, log, dispatcher } = setup(0, 10, (fn) => tasks.push(fn));
    const clock = costedClock(cell, () => 4);
    const processed = () => log.filter((l) => l.startsWith("process")).length;
    try {
      const mail = mailer(cell, log, dispatcher);
      for (let run = 1; run <= 3; run++) {
        mail(1);
        await Promise.resolve(); // runs 1–3 at once (a microtask each): 4, 8, 12 ms spent
        expect(processed()).toBe(run);
      }
      expect(tasks.length).toBe(0); // nothing scheduled to end a turn
      mail(1); // 12 ms of 10 spent: this run waits for a macrotask
      await Promise.resolve();
      await Promise.resolve();
      expect(processed()).toBe(3);
      expect(tasks.length).toBe(1);
      tasks.shift()!(); // the event loop had its turn: a fresh budget
      expect(processed()).toBe(4);
      mail(1);
      await Promise.resolve(); // 4 ms of the fresh budget spent: at once again
      expect(processed()).toBe(5);
      expect(tasks.length).toBe(0);
    } finally {
      clock.mockRestore();
    }
  });

  it("cheap messages then long ones: the run ends within 16 messages of its deadline (the cap's bound)", async () => {
    // 988 cheap messages (0.01 ms each: 16 of them take less than half the aim of 10 / 8 ms,
    // so the count between looks would keep doubling) take the count to its cap of 16 and
    // the clock to 9.88 ms of a 10 ms slice, a look falling on the 988th; then each message
    // takes 1 ms. The next look, after 1004, is the first past the deadline: 15 messages
    // started after it, the most the cap allows.
    const { cell, log, dispatcher } = setup(0, 10);
    const clock = costedClock(cell, (n) => n <= 988 ? 0.01 : 1);
    try {
      mailer(cell, log, dispatcher)(1200);
      await Promise.resolve(); // run 1
      expect(log.filter((l) => l.startsWith("process")).length).toBe(1004);
      expect(log.at(-1)).toBe("slice end");
    } finally {
      clock.mockRestore();
    }
  });
});

describe("nextClockEvery", () => {
  it("looks half as often after cheap messages, up to every 16th", () => {
    expect(nextClockEvery(4, 0, 0.25)).toBe(8);
    expect(nextClockEvery(8, 0.1, 0.25)).toBe(16);
    expect(nextClockEvery(16, 0, 0.25)).toBe(16);
  });

  it("looks sooner, in proportion, after messages that took longer than the aim", () => {
    expect(nextClockEvery(16, 1, 0.25)).toBe(4);
    expect(nextClockEvery(4, 4, 1.25)).toBe(1);
    expect(nextClockEvery(1, 100, 0.25)).toBe(1); // never fewer than one message between looks
  });

  it("keeps the count while the time between looks is within [aim / 2, aim]", () => {
    expect(nextClockEvery(8, 0.2, 0.25)).toBe(8);
    expect(nextClockEvery(8, 0.125, 0.25)).toBe(8);
  });
});

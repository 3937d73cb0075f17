/**
 * The shared-memory ring (src/transport/ring.ts) and the endpoint over it
 * (src/transport/ring-endpoint.ts), in one thread: any sequence of frames of random sizes —
 * wrapping around, larger than the ring, spilling to the port when the ring is full, mixed
 * with control messages — arrives complete, in order, exactly once. The seed is fixed
 * (override with MISSIVE_SEED); fast-check prints it and the counterexample on failure.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { portEndpoint } from "../src/runtime/adapters.ts";
import { createRing, Ring, RingControl, RingReader } from "../src/transport/ring.ts";
import { createRingPair, RingEndpoint, SPIN_SLICE_MICROS, WATCH_TURN_MICROS } from "../src/transport/ring-endpoint.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261121);

/** Frame `n` of `size` bytes: its bytes say which frame and where, so a torn or swapped frame shows. */
function frame(n: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (n * 31 + i) & 0xff;
  return bytes;
}

describe("Ring", () => {
  it("every frame written is read once, complete and in order, across wrap-arounds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1024, max: 4096 }),
        // Each step: write a frame of this size (possibly larger than the ring), or read up to this many.
        fc.array(fc.oneof(fc.record({ write: fc.nat({ max: 5000 }) }), fc.record({ read: fc.nat({ max: 6 }) })), { maxLength: 300 }),
        (bytes, steps) => {
          const shared = createRing(bytes);
          const producer = new Ring(shared);
          const consumer = new RingReader(new Ring(shared));
          const written: Uint8Array[] = [];
          const read: Uint8Array[] = [];
          let sequence = 0;
          let refused = 0;
          const readSome = (max: number): void => {
            for (let i = 0; i < max; i++) {
              expect(consumer.peekSequence()).toBe(consumer.available ? read.length : -1);
              const bytes = consumer.read();
              if (bytes === undefined) return;
              read.push(bytes);
            }
          };
          for (const step of steps) {
            if ("write" in step) {
              const f = frame(sequence, step.write);
              if (producer.tryWrite(sequence, f)) {
                written.push(f);
                sequence++;
              } else {
                refused++;
                // Refused only when too large for the ring, or when it is not empty (no room now).
                expect(step.write > producer.maxFrameBytes || consumer.available).toBe(true);
              }
            } else readSome(step.read);
          }
          readSome(Infinity);
          expect(read.length).toBe(written.length);
          read.forEach((bytes, i) => expect(bytes).toEqual(written[i]));
          expect(refused + written.length).toBe(steps.filter((s) => "write" in s).length);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("a frame read out stays valid after the ring's room is reused", () => {
    const shared = createRing(1024);
    const producer = new Ring(shared);
    const consumer = new RingReader(new Ring(shared));
    const kept: Uint8Array[] = [];
    for (let n = 0; n < 100; n++) {
      expect(producer.tryWrite(n, frame(n, 300))).toBe(true);
      kept.push(consumer.read()!);
    }
    kept.forEach((bytes, n) => expect(bytes).toEqual(frame(n, 300)));
  });
});

/** Two RingEndpoints in this thread over a MessageChannel; `ringBytes` small, so frames spill to the port. */
function endpoints(
  ringBytes: number,
): {
  a: RingEndpoint;
  b: RingEndpoint;
  received: unknown[];
  /** What `a` posted on its port (frames that did not fit, controls, wake-ups). */
  posted: unknown[];
  until(n: number): Promise<void>;
  parked(): Promise<void>;
  close(): void;
} {
  const { port1, port2 } = new MessageChannel();
  const [sa, sb] = createRingPair(ringBytes);
  const bSleeping = new Int32Array(sb.rx.control);
  const posted: unknown[] = [];
  const aPort = portEndpoint(port1);
  const a = new RingEndpoint({ ...aPort, post: (data, transfer) => (posted.push(data), aPort.post(data, transfer)) }, sa);
  const b = new RingEndpoint(portEndpoint(port2), sb);
  const received: unknown[] = [];
  let waiter: { n: number; resolve: () => void } | null = null;
  b.listen((data) => {
    received.push(data);
    if (waiter !== null && received.length >= waiter.n) waiter.resolve();
  });
  a.listen(() => undefined);
  return {
    a,
    b,
    received,
    posted,
    /**
     * Resolves once b's consumer has raised its SLEEPING flag. Parking is what is under test: the consumer parks in a later
     * macrotask once it found the ring empty, so this yields turns (no delay) until the flag shows it.
     */
    parked: async () => {
      while (Atomics.load(bSleeping, RingControl.SLEEPING) !== 1) await new Promise((resolve) => setTimeout(resolve, 0)); // timer-under-test
    },
    /** Resolves once `n` items have been received (an answer to the handler, not a timed wait). */
    until: (n) => {
      if (received.length >= n) return Promise.resolve();
      const { promise, resolve } = Promise.withResolvers<void>();
      waiter = { n, resolve };
      return promise;
    },
    close: () => {
      a.close();
      b.close();
    },
  };
}

describe("RingEndpoint", () => {
  it("frames (ring or port) and control messages arrive in the order they were sent, exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            { weight: 6, arbitrary: fc.nat({ max: 3000 }).map((size) => ({ size })) },
            { weight: 1, arbitrary: fc.constant({ control: true as const }) },
            { weight: 1, arbitrary: fc.constant({ yield: true as const }) },
          ),
          { maxLength: 120 },
        ),
        async (steps) => {
          const { a, received, until, close } = endpoints(2048);
          try {
            const sent: unknown[] = [];
            for (const step of steps) {
              if ("yield" in step) {
                await new Promise((resolve) => setTimeout(resolve, 0)); // timer-under-test: a turn for the consumer, one of the interleavings
              } else if ("control" in step) {
                const message = { type: "control", n: sent.length };
                sent.push(message);
                a.post(message);
              } else {
                const f = frame(sent.length, step.size);
                sent.push(f);
                if (!a.postBytes(f)) a.post(f.slice()); // what Link does: the port when the ring has no room
              }
            }
            await until(sent.length);
            expect(received.length).toBe(sent.length);
            received.forEach((data, i) => expect(data).toEqual(sent[i]));
          } finally {
            close();
          }
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });

  it("a parked consumer is woken once through the port, the frames going by the ring", async () => {
    const { a, received, posted, until, parked, close } = endpoints(4096);
    try {
      for (let n = 0; n < 6; n += 2) {
        await parked(); // nothing to do: the consumer parks
        expect(a.postBytes(frame(n, 10))).toBe(true); // by the ring, and a wake-up on the port
        expect(a.postBytes(frame(n + 1, 10))).toBe(true); // by the ring: the consumer is being woken already
        await until(n + 2);
        expect(posted).toEqual(Array(n / 2 + 1).fill(0)); // one bare wake-up per park, no frame on the port
      }
      expect(received).toEqual([0, 1, 2, 3, 4, 5].map((n) => frame(n, 10)));
    } finally {
      close();
    }
  });

  it("after close nothing more is delivered and sends are dropped", async () => {
    const { a, b, received, close } = endpoints(4096);
    b.close();
    expect(a.postBytes(frame(0, 10))).toBe(true);
    a.post({ type: "late" });
    await new Promise((resolve) => setTimeout(resolve, 0)); // timer-under-test: a turn in which a delivery would show
    expect(received).toEqual([]);
    close();
  });
});

/**
 * A consumer `b` polling after it sent something (an ask waiting for its answer), its
 * macrotasks a queue run by hand and its clock one that ticks 1 µs per reading, so
 * nothing here depends on timing. `onCanSpin` runs when b asks whether it may hold its
 * event loop: a test writes a frame there, as another thread would while b watches;
 * `onReceive` runs for each frame b takes.
 */
function polling(onCanSpin: () => boolean, onReceive: () => void = () => {}) {
  const [sa, sb] = createRingPair(1 << 20); // room for every frame of a conversation: only the watches may end it
  const { port1, port2 } = new MessageChannel();
  const macrotasks: (() => void)[] = [];
  let micros = 0;
  let canSpinCalls = 0;
  const a = new RingEndpoint(portEndpoint(port1), sa);
  const b = new RingEndpoint(portEndpoint(port2), sb, {
    spinMicros: 1000,
    macrotask: (fn) => void macrotasks.push(fn),
    now: () => ++micros / 1000,
    canSpin: () => (canSpinCalls++, onCanSpin()),
  });
  const received: unknown[] = [];
  a.listen(() => undefined);
  b.listen((data) => {
    received.push(data);
    onReceive();
  });
  expect(b.postBytes(frame(100, 8))).toBe(true); // b sent something: it polls for the answer
  return {
    a,
    b,
    received,
    queuedLooks: () => macrotasks.length,
    canSpinCalls: () => canSpinCalls,
    clock: () => micros,
    sleeping: () => Atomics.load(new Int32Array(sb.rx.control), RingControl.SLEEPING) === 1,
    /** Runs b's next queued look (one macrotask); false when none is queued. */
    look(): boolean {
      const fn = macrotasks.shift();
      fn?.();
      return fn !== undefined;
    },
    close() {
      a.close();
      b.close();
    },
  };
}

/** {@link polling} whose peer answers (frame 0) the first time b asks whether it may spin; `canSpin` is b's loop's reply. */
function answeredOnce(canSpin: boolean): ReturnType<typeof polling> {
  let answered = false;
  const t = polling(() => {
    if (!answered) answered = t.a.postBytes(frame(0, 8));
    return canSpin;
  });
  return t;
}

describe("RingEndpoint's low-latency mode (spinMicros)", () => {
  it("takes a frame that lands while it watches the ring in the same look, when its loop has nothing queued", () => {
    const t = answeredOnce(true);
    try {
      expect(t.look()).toBe(true);
      expect(t.canSpinCalls()).toBe(1);
      expect(t.received).toEqual([frame(0, 8)]); // seen by the watch, not left for a later turn
    } finally {
      t.close();
    }
  });

  it("does not watch while its loop has work queued: the frame waits for the next look", () => {
    const t = answeredOnce(false);
    try {
      expect(t.look()).toBe(true);
      expect(t.canSpinCalls()).toBe(1);
      expect(t.received).toEqual([]);
      expect(t.look()).toBe(true); // still polling: the next turn's look finds it
      expect(t.received).toEqual([frame(0, 8)]);
    } finally {
      t.close();
    }
  });

  it("watches one slice per look, then yields the turn, and parks when the polling time is up", () => {
    const t = polling(() => true);
    try {
      const before = t.clock();
      expect(t.look()).toBe(true);
      const slice = t.clock() - before;
      expect(slice).toBeGreaterThanOrEqual(SPIN_SLICE_MICROS);
      expect(slice).toBeLessThanOrEqual(SPIN_SLICE_MICROS + 3); // a slice, not the whole 1000 µs window
      expect(t.sleeping()).toBe(false);
      let looks = 1;
      while (t.look()) looks++; // each look yields: the next one is queued until the window closes
      expect(looks).toBeGreaterThan(1000 / (SPIN_SLICE_MICROS + 3));
      expect(t.clock() - before).toBeGreaterThanOrEqual(1000);
      expect(t.sleeping()).toBe(true); // parked: the port wakes it from now on
      expect(t.received).toEqual([]);
    } finally {
      t.close();
    }
  });
});

describe("RingEndpoint's low-latency mode: the watch right after a send", () => {
  /** Lets every queued microtask run: a turn of the real event loop (b's own looks are queued by hand and do not run). */
  const turn = () => new Promise((resolve) => setTimeout(resolve, 0)); // timer-under-test: a turn, for the microtasks before it

  it("takes the answer from a microtask after the send, without waiting for a look", async () => {
    const t = answeredOnce(true); // b has just sent a frame
    try {
      await turn();
      expect(t.received).toEqual([frame(0, 8)]);
      expect(t.queuedLooks()).toBe(1); // the look is still queued: the watch came first
    } finally {
      t.close();
    }
  });

  it("does not watch from a microtask while its loop has work queued: the answer waits for a look", async () => {
    const t = answeredOnce(false);
    try {
      await turn();
      expect(t.canSpinCalls()).toBe(1); // asked, and told no
      expect(t.received).toEqual([]);
      expect(t.look()).toBe(true);
      expect(t.received).toEqual([frame(0, 8)]);
    } finally {
      t.close();
    }
  });

  it("stops watching from microtasks once a turn has had its share, until a look", async () => {
    let n = 0;
    // A conversation: each answer b takes makes it send again; the peer answers as soon as b watches.
    const t: ReturnType<typeof polling> = polling(() => (t.a.postBytes(frame(n++, 8)), true), () => void t.b.postBytes(frame(1000, 8)));
    try {
      const start = t.clock();
      await turn();
      const first = t.received.length;
      expect(first).toBeGreaterThan(10); // answer after answer, no look in between
      expect(t.clock() - start).toBeGreaterThanOrEqual(WATCH_TURN_MICROS); // until the turn's share was spent
      expect(t.clock() - start).toBeLessThan(WATCH_TURN_MICROS + 50);
      expect(t.queuedLooks()).toBe(1); // the conversation now waits for the event loop's turn
      expect(t.look()).toBe(true); // a new turn: the last answer, and watches again
      await turn();
      expect(t.received.length).toBeGreaterThan(first + 10);
      t.received.forEach((data, i) => expect(data).toEqual(frame(i, 8))); // in order, once each
    } finally {
      t.close();
    }
  });
});

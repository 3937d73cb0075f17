/**
 * An {@link Endpoint} over two shared-memory rings (one per direction, see ring.ts) with
 * a port beside them: frames are copied into the outgoing ring ({@link RingEndpoint.postBytes}),
 * everything else — control objects, and a frame the ring has no room for right now or
 * that is larger than the ring — goes on the port as `[sequence, data]`.
 *
 * Order: every message, whichever way it goes, takes the next number of one sequence;
 * the receiver delivers strictly by that number, taking from the ring or from the port,
 * whichever holds the next one (each way is FIFO on its own). So a control posted after a
 * frame is handled after it, and a frame that spilled to the port is not overtaken by the
 * ring. Nothing waits for room: a full ring spills to the port.
 *
 * Waking: the consumer drains what is there, then looks once more in a later macrotask
 * (while its thread is busy, frames pile up in the ring without any wake-up), then parks:
 * it raises the ring's `SLEEPING` flag and waits on the port. A producer that finds the
 * flag up after its write takes it down and posts a bare number on the port: the one
 * wake-up, whatever comes after it until the consumer parks again. (It used to post the
 * frame itself on the port instead, as `[sequence, frame]`: an array and a string to clone
 * and a string frame to read back, for every lone ask and reply.) So an idle receiver is
 * reached as fast as by a port alone, and a busy one costs a copy into shared memory per
 * frame. (Parking with `Atomics.waitAsync` instead was measured slower
 * than a port message at waking an idle thread on Node, Deno and Bun: 24 vs 17 µs, 17.5 vs
 * 14 µs and 8.5 vs 7.8 µs per ping-pong.) With `spinMicros`, the consumer polls that long
 * before parking: lower latency between busy threads, paid for in CPU time. It looks once
 * per event-loop turn, and whenever its thread has nothing of its own queued (`canSpin`: no
 * dispatcher run, no link's flush) a look watches the ring for up to
 * {@link SPIN_SLICE_MICROS} without yielding, so a frame is seen within a few dozen
 * nanoseconds of landing instead of at the thread's next turn. Right after it sent a frame
 * it also watches for the answer from a microtask, without waiting for the next turn; those
 * watches stop once a turn has had {@link WATCH_TURN_MICROS} of them, until the event loop
 * has had its turn. So timers and I/O of a polling thread may wait up to that much longer,
 * and other microtasks up to a slice. (`--only ask-seq` with `spinMicros: 50`: p50 10.5 µs
 * with one look per turn, 5.9 with both watches on Node; 9.9 and 4.9 on Deno, 6.3 and 3.8
 * on Bun; bench/results/ab-spin.)
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const [mine, theirs] = createRingPair(256 * 1024); // `theirs` and port2 go to the other thread
 * const endpoint = new RingEndpoint(portEndpoint(port1), mine);
 * endpoint.listen((data) => console.log(data));
 * endpoint.postBytes(new Uint8Array([1, 2, 3])); // true: copied into the ring
 * endpoint.post({ type: "hello" });              // on the port, after the frame
 * ```
 * @module
 */
import { Deque } from "../util/deque.ts";
import { macrotask as defaultMacrotask } from "../util/macrotask.ts";
import { microtask } from "../util/microtask.ts";
import type { Endpoint, Transfer } from "./endpoint.ts";
import { createRing, Ring, RingControl, RingReader, type RingShared } from "./ring.ts";

/** One side's share of a ring pair: the ring it writes and the ring it reads. */
export interface RingPairSide {
  readonly tx: RingShared;
  readonly rx: RingShared;
}

/** The two sides of a new shared-memory link, `bytes` per direction. */
export function createRingPair(bytes: number): [RingPairSide, RingPairSide] {
  const ab = createRing(bytes);
  const ba = createRing(bytes);
  return [{ tx: ab, rx: ba }, { tx: ba, rx: ab }];
}

/** Tuning of a {@link RingEndpoint}. */
export interface RingEndpointOptions {
  /** Microseconds to poll the ring before parking (default 0: park at once). */
  spinMicros?: number;
  /** Runs a function in a later macrotask (default: `setImmediate` or a `MessageChannel`). */
  macrotask?: (fn: () => void) => void;
  /**
   * With `spinMicros`: whether the thread may hold its event loop for a while now, watching
   * the ring (default: always). A loop says no while it has work queued for a later
   * macrotask (a dispatcher run, a link's frame), which a spin would hold up.
   */
  canSpin?: () => boolean;
  /** The clock of the polling window, in ms (default `performance.now`; a test's own). */
  now?: () => number;
}

/**
 * The longest a polling consumer watches its ring without yielding to the event loop
 * (timers, I/O and other macrotasks of its thread wait at most this long for a look).
 */
export const SPIN_SLICE_MICROS = 10;

/**
 * How long the watches from microtasks right after a send may go on in one event-loop turn
 * (a conversation between two polling threads would otherwise never yield to timers and I/O).
 */
export const WATCH_TURN_MICROS = 1000;

/** The port message that only wakes a parked consumer (not numbered: it carries nothing). */
const WAKE = 0;

const isSequenced = (m: unknown): m is [number, unknown] => Array.isArray(m) && m.length === 2 && typeof m[0] === "number";

export class RingEndpoint implements Endpoint {
  readonly #port: Endpoint;
  readonly #tx: Ring;
  readonly #txControl: Int32Array;
  readonly #rx: RingReader;
  readonly #control: Int32Array;
  readonly #spinMs: number;
  readonly #macrotask: (fn: () => void) => void;
  readonly #canSpin: () => boolean;
  readonly #now: () => number;
  /** The sequence number of the next message sent. */
  #sent = 0;
  /** The sequence number of the next message to deliver. */
  #expected = 0;
  /** Messages that came on the port, waiting for their turn. */
  readonly #fromPort = new Deque<[number, unknown]>();
  #handler: ((data: unknown) => void) | null = null;
  #closed = false;
  #draining = false;
  #checkScheduled = false;
  /** The rx tail seen just before the last look found nothing to deliver. */
  #seenTail = 0;
  /** With `spinMicros`: a watch for the answer to what was just sent is queued as a microtask. */
  #watchQueued = false;
  /** When this turn's first watch from a microtask began (0: none since the last look from a macrotask). */
  #watchTurnStart = 0;
  /** With `spinMicros`: until when the consumer keeps polling (ms on {@link RingEndpointOptions.now}'s clock). */
  #pollUntil = 0;
  /** The watch right after a send (see the module's doc): no event-loop turn before it. */
  readonly #watchForAnswer = (): void => {
    this.#watchQueued = false;
    if (this.#closed || !this.#canSpin()) return;
    const now = this.#now();
    if (this.#watchTurnStart === 0) this.#watchTurnStart = now;
    else if (now - this.#watchTurnStart >= WATCH_TURN_MICROS / 1000) return; // the turn's share is spent: the looks go on
    if (this.#watchTail() && this.#drain()) this.#keepPolling();
  };
  readonly #check = (): void => {
    this.#checkScheduled = false;
    this.#watchTurnStart = 0; // the event loop has had a turn
    if (this.#closed) return;
    const polling = this.#spinMs > 0 && this.#now() < this.#pollUntil;
    if (this.#drain() || (polling && this.#canSpin() && this.#watchTail() && this.#drain())) {
      if (this.#spinMs > 0) this.#keepPolling();
      this.#scheduleCheck();
    } else if (polling) {
      // Polling: at least one look per event-loop turn, so what this thread has queued (a
      // link's frame waiting for a macrotask, a timer) waits for one slice at most.
      this.#scheduleCheck();
    } else this.#park();
  };

  /**
   * @param port where control messages and spilled frames go (and come from)
   * @param side this side's rings (from {@link createRingPair})
   */
  constructor(port: Endpoint, side: RingPairSide, options: RingEndpointOptions = {}) {
    this.#port = port;
    this.#tx = new Ring(side.tx);
    this.#txControl = this.#tx.control;
    this.#rx = new RingReader(new Ring(side.rx));
    this.#control = this.#rx.ring.control;
    this.#spinMs = (options.spinMicros ?? 0) / 1000;
    this.#macrotask = options.macrotask ?? defaultMacrotask;
    this.#canSpin = options.canSpin ?? (() => true);
    this.#now = options.now ?? performance.now.bind(performance);
  }

  /**
   * Copies `frame` into the outgoing ring (the caller may reuse it) and returns true; false
   * when the ring has no room for it now: post it with {@link post} instead (order holds).
   */
  postBytes(frame: Uint8Array): boolean {
    if (this.#closed) return true; // dropped, as a closed port drops
    const control = this.#txControl;
    if (!this.#tx.tryWrite(this.#sent, frame)) return false;
    this.#sent = (this.#sent + 1) >>> 0;
    if (this.#spinMs > 0) {
      this.#pollForAnswer();
      if (!this.#watchQueued) {
        this.#watchQueued = true;
        microtask(this.#watchForAnswer);
      }
    }
    // A parked consumer (or one that parked after it last looked at the tail, before the
    // write) is woken once, by a bare number on the port; the frame waits in the ring.
    if (Atomics.load(control, RingControl.SLEEPING) === 1 && Atomics.compareExchange(control, RingControl.SLEEPING, 1, 0) === 1) {
      this.#port.post(WAKE);
    }
    return true;
  }

  /** Sends `data` on the port, numbered in the same sequence as the ring's frames. */
  post(data: unknown, transfer?: Transfer[]): void {
    if (this.#closed) return;
    this.#port.post([this.#sent, data], transfer);
    this.#sent = (this.#sent + 1) >>> 0;
    if (this.#spinMs > 0 && (typeof data === "string" || data instanceof Uint8Array)) this.#pollForAnswer(); // a frame, not a control
  }

  /** Low-latency mode: what was just sent may be answered soon; poll for it instead of parking. */
  #pollForAnswer(): void {
    this.#keepPolling();
    if (Atomics.load(this.#control, RingControl.SLEEPING) === 1) {
      Atomics.store(this.#control, RingControl.SLEEPING, 0);
      // A frame may have come by the port meanwhile (it is delivered as usual) or land in the ring from now on.
    }
    this.#scheduleCheck();
  }

  /** Sets the handler and starts consuming (ring and port). */
  listen(handler: (data: unknown) => void): void {
    this.#handler = handler;
    this.#port.listen((message) => {
      Atomics.store(this.#control, RingControl.SLEEPING, 0); // awake: frames may come by the ring again
      if (isSequenced(message)) this.#fromPort.push(message);
      else if (message !== WAKE) return handler(message); // not from a RingEndpoint: as it is
      this.#drain();
      if (this.#spinMs > 0) this.#keepPolling();
      this.#scheduleCheck();
    });
    this.#scheduleCheck();
  }

  /** Stops consuming and closes the port. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handler = null;
    this.#port.close();
  }

  /** Delivers every message whose turn it is; true if it delivered any. */
  #drain(): boolean {
    if (this.#draining || this.#handler === null) return false;
    this.#draining = true;
    const rx = this.#rx;
    const fromPort = this.#fromPort;
    let delivered = false;
    try {
      for (;;) {
        if (this.#closed) break;
        this.#seenTail = Atomics.load(this.#control, RingControl.TAIL);
        const expected = this.#expected;
        let data: unknown;
        if (rx.peekSequence() === expected) data = rx.read();
        else if (fromPort.peek()?.[0] === expected) data = fromPort.shift()![1];
        else break;
        this.#expected = (expected + 1) >>> 0;
        delivered = true;
        this.#handler!(data);
      }
    } finally {
      this.#draining = false;
    }
    return delivered;
  }

  /** With `spinMicros`: the polling window starts afresh (something was sent or received). */
  #keepPolling(): void {
    this.#pollUntil = this.#now() + this.#spinMs;
  }

  /**
   * Watches the ring's tail without yielding, for one slice or until the polling time is
   * up; true when it moved (a frame to look at).
   */
  #watchTail(): boolean {
    const control = this.#control;
    const seen = this.#seenTail;
    const until = Math.min(this.#pollUntil, this.#now() + SPIN_SLICE_MICROS / 1000);
    for (;;) {
      if (Atomics.load(control, RingControl.TAIL) !== seen) return true;
      if (this.#now() >= until) return false;
    }
  }

  #scheduleCheck(): void {
    if (this.#checkScheduled || this.#closed) return;
    this.#checkScheduled = true;
    this.#macrotask(this.#check);
  }

  /** Raises `SLEEPING` (frames then come on the port) unless the tail moved since the last look. */
  #park(): void {
    const control = this.#control;
    Atomics.store(control, RingControl.SLEEPING, 1);
    if (Atomics.load(control, RingControl.TAIL) === this.#seenTail) return; // parked: the port wakes it
    Atomics.store(control, RingControl.SLEEPING, 0);
    this.#drain();
    this.#scheduleCheck();
  }
}

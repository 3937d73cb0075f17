/**
 * The per-loop dispatcher: runs actors that have mail, one message at a time per actor,
 * at most `throughput` messages per actor per turn, and gives the event loop back after
 * `sliceMs` so timers and I/O on the same loop keep running (Akka's dispatcher
 * throughput + a time slice).
 *
 * The first run after new mail is a microtask (low latency for a lone message), or, when
 * the mail came in a small frame, runs at once inside the message event (`runNow`); a
 * run that still has work left continues in a macrotask, after timers and I/O.
 *
 * The slice is a budget of work per *turn* of the event loop, not per run: async
 * handlers that settle without real I/O wake the dispatcher again from a microtask, and
 * Node runs many message events in one turn; all those runs draw on the same budget,
 * which counts the time they took. Once it is spent, the next run waits for a macrotask,
 * and a fresh budget begins with it. No macrotask is scheduled only to learn that a turn
 * ended (turns.ts), so a budget can span several turns: it errs on the side of yielding.
 * The deadline is checked every few messages, also inside one actor's batch, so one busy
 * actor cannot hold the loop for `throughput` long messages.
 *
 * @example
 * ```ts
 * const d = new Dispatcher(host, { throughput: 64, sliceMs: 2 }, setImmediate);
 * d.enqueue(cell); // runs soon
 * ```
 * @module
 */
import { Deque } from "../util/deque.ts";
import { Turns } from "../util/turns.ts";
import { microtask } from "../util/microtask.ts";
import type { ActorCell } from "./cell.ts";

/** What the dispatcher calls back into (the loop). */
export interface DispatchHost {
  /** Processes the front envelope of `cell`'s mailbox (the dispatcher has checked `runnable`). */
  processNext(cell: ActorCell): void;
  /** Decodes and delivers up to `max` received envelopes; returns how many it took. */
  pumpInbound(max: number): number;
  /** True while received frames wait to be decoded. */
  hasInbound(): boolean;
  /** Called at the end of every run (e.g. to send batched flow-control credit); `inEvent`: the run was {@link Dispatcher.runNow}'s. */
  onSliceEnd(inEvent: boolean): void;
  /** Called when a run ends with nothing left to do. */
  onIdle(): void;
}

/** Tuning of a dispatcher. */
export interface DispatcherOptions {
  /** Messages one actor may process before the next actor gets a turn. */
  throughput: number;
  /** Milliseconds of work before yielding to the event loop. */
  sliceMs: number;
}

/** Envelopes decoded between two rounds of the ready actors. */
const INBOUND_BATCH = 256;
/**
 * Messages between two looks at the clock: adapted after each look so that looks come
 * about an eighth of a slice apart ({@link LOOK_FRACTION}), between 1 (a message that long) and
 * {@link CLOCK_EVERY_MAX}. A look costs ~50 ns on Node, ~100 ns on Deno and ~40 ns on Bun,
 * so a fixed look every 4 messages was 10–25 ns of a ~300 ns message; the cap bounds how
 * far a run can overrun its slice when cheap messages are suddenly followed by long ones.
 */
const CLOCK_EVERY_MAX = 16;
/** Messages between two looks at the clock before the first look has measured any. */
const FIRST_LOOK = 4;
/** Looks aim to come a slice / LOOK_FRACTION apart. */
const LOOK_FRACTION = 8;

/**
 * How many messages to process before the next look at the clock, given that the last
 * `count` took `elapsedMs`: fewer when they took more than `aimMs` (in proportion), twice
 * as many (up to {@link CLOCK_EVERY_MAX}) when they took less than half of it.
 *
 * @example
 * ```ts
 * nextClockEvery(4, 0.001, 0.25); // 8: cheap messages, look less often
 * nextClockEvery(4, 4, 1);        // 1: each took a millisecond, look after every one
 * ```
 */
export function nextClockEvery(count: number, elapsedMs: number, aimMs: number): number {
  if (elapsedMs > aimMs) return Math.max(1, Math.floor((count * aimMs) / elapsedMs));
  if (elapsedMs < aimMs / 2) return Math.min(CLOCK_EVERY_MAX, count * 2);
  return Math.min(CLOCK_EVERY_MAX, count);
}

export class Dispatcher {
  readonly #ready = new Deque<ActorCell>();
  readonly #host: DispatchHost;
  readonly #throughput: number;
  readonly #sliceMs: number;
  /** The time between two looks at the clock that {@link nextClockEvery} aims at. */
  readonly #lookAimMs: number;
  /** Messages between two looks at the clock (see {@link nextClockEvery}). */
  #clockEvery = FIRST_LOOK;
  readonly #macrotask: (fn: () => void) => void;
  /** The event loop's turns (shared with the loop's links; see turns.ts). */
  readonly #turns: Turns;
  #scheduled = false;
  /** Milliseconds the runs have taken since the budget began, and the turn it belongs to (another turn: a fresh budget). */
  #spent = 0;
  #budgetTurn = 0;
  /** Microtask runs queued and not yet run, and how many of them {@link runNow} did early (the oldest: microtasks are FIFO). */
  #microtasks = 0;
  #stale = 0;
  #running = false;
  /**
   * Messages decoded by an earlier run that the ready actors still owe (a run that ran out
   * of time left them in a mailbox): the next run processes them before it decodes more.
   */
  #owed = 0;
  readonly #run = (): void => {
    this.#microtasks--;
    if (this.#stale > 0) {
      this.#stale--;
      return;
    }
    this.#runSlice();
  };
  readonly #runAfterYield = (): void => {
    this.#turns.enterTurn(); // a macrotask: the event loop has had its turn
    this.#runSlice();
  };

  /** @param turns the loop's turns, shared with its links (default: the dispatcher's own) */
  constructor(host: DispatchHost, options: DispatcherOptions, macrotask: (fn: () => void) => void, turns = new Turns()) {
    this.#host = host;
    this.#throughput = options.throughput;
    this.#sliceMs = options.sliceMs;
    this.#lookAimMs = options.sliceMs / LOOK_FRACTION;
    this.#macrotask = macrotask;
    this.#turns = turns;
  }

  /** True while a run is scheduled or actors wait for their turn. */
  get active(): boolean {
    return this.#scheduled || this.#ready.length > 0;
  }

  /** Makes sure a run is scheduled (received frames wait for it). */
  wake(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.#budgetTurn === this.#turns.turn && this.#spent >= this.#sliceMs) {
      this.#macrotask(this.#runAfterYield);
    } else {
      this.#microtasks++;
      microtask(this.#run);
    }
  }

  /**
   * Runs now the run that {@link wake} queued as a microtask, if there is one and actors
   * are ready: for the loop's message handler, which has nothing else to do before it (a
   * lone ask's reply then leaves inside the message event). The queued microtask finds it
   * done and skips.
   */
  runNow(): void {
    if (this.#running || this.#microtasks === this.#stale || this.#ready.length === 0) return;
    this.#stale++;
    this.#runSlice(true);
  }

  /** Marks `cell` as having mail; it runs in FIFO order with other ready actors. */
  enqueue(cell: ActorCell): void {
    if (cell.queued || !cell.runnable) return;
    cell.queued = true;
    this.#ready.push(cell);
    this.wake();
  }

  #runSlice(inEvent = false): void {
    this.#running = true;
    const start = performance.now();
    if (this.#budgetTurn !== this.#turns.turn) {
      this.#budgetTurn = this.#turns.turn;
      this.#spent = 0;
    }
    const deadline = start + this.#sliceMs - this.#spent;
    const ready = this.#ready;
    const host = this.#host;
    // Decoding received frames is work too: it shares the slice with the actors, a batch
    // of envelopes, then a round of the ready actors, until the slice is used up.
    let more = true;
    let late = false;
    // The clock is read every #clockEvery messages, adapted at each look from the time
    // since the last one (the first from the run's start).
    let sinceClock = 0;
    let lastLook = start;
    let nextLook = this.#clockEvery;
    let owed = this.#owed;
    while (more) {
      // Rounds of the ready actors run until they have processed as many messages as were
      // decoded: decoding stays in step with processing, so a burst waits in its frames,
      // not as decoded envelopes in a mailbox. (Decoding 256 per 64 processed let a flood
      // pile up in the mailbox, where it outlived the young generation: 28% of the
      // receiving worker's time went to GC on the tell benchmark.) What a run that ran out
      // of time still owed is paid first, or every late run leaves up to a batch behind
      // (bench/results/ab-debt).
      let decoded = 0;
      if (owed <= 0 || ready.length === 0) owed = decoded = host.pumpInbound(INBOUND_BATCH); // nothing owed, or no one left to pay it
      let processed = false;
      do {
        for (let round = ready.length; round > 0 && !late; round--) {
          const cell = ready.shift()!;
          cell.queued = false;
          let budget = this.#throughput;
          while (budget-- > 0 && cell.runnable) {
            host.processNext(cell);
            owed--;
            processed = true;
            // The clock is read every few messages, whether they went to one actor or many.
            if (++sinceClock >= nextLook) {
              sinceClock = 0;
              const now = performance.now();
              this.#clockEvery = nextClockEvery(nextLook, now - lastLook, this.#lookAimMs);
              lastLook = now;
              nextLook = this.#clockEvery;
              if (now >= deadline) {
                late = true;
                break;
              }
            }
          }
          if (cell.runnable) {
            cell.queued = true;
            ready.push(cell);
          }
        }
      } while (owed > 0 && ready.length > 0 && !late);
      more = !late && (ready.length > 0 || host.hasInbound());
      // The clock again only after a round that decoded a batch or processed nothing: else
      // the count above read it at most #clockEvery messages ago. (Read on every round, it
      // was one clock read per message in a ping-pong between two actors of the loop,
      // ~45–120 ns each: a quarter of such a message's cost.) Counting starts again from it.
      if (more && (decoded > 0 || !processed)) {
        const now = performance.now();
        more = now < deadline;
        lastLook = now;
        sinceClock = 0;
        nextLook = this.#clockEvery;
      }
    }
    // Owed only while an actor is still ready to pay it (the rest went to replies, ops or
    // actors that cannot run now).
    this.#owed = ready.length > 0 ? Math.max(0, owed) : 0;
    this.#running = false;
    host.onSliceEnd(inEvent);
    // What this run took counts against the budget until one of the loop's macrotasks
    // begins (a run after yielding, a link's later flush: see turns.ts). Nothing is
    // scheduled only to end the turn: a lone message's run costs a clock read here, not a
    // `setImmediate`, and ~400 lone asks of ~5 µs each add up to one yield.
    this.#spent += performance.now() - start;
    if (ready.length > 0 || host.hasInbound()) {
      this.#macrotask(this.#runAfterYield);
    } else {
      this.#scheduled = false;
      this.#host.onIdle();
    }
  }
}

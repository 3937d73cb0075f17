/**
 * Coordinated shutdown, in phases (as Akka's):
 *
 * 1. **refuse** — new `tell`/`ask`/`spawn` from outside the actors throw `SystemStoppedError`;
 * 2. **drain** — actors with an `onDrain` hook get it (a channel closes itself, so that
 *    actors reading it finish), then every mailbox is processed, including what actors send
 *    each other meanwhile. Quiescence is detected without polling: each worker reports
 *    whenever it becomes idle, with how many envelopes it sent to and received from every
 *    other loop; the system is quiescent when every worker's last report is idle and every
 *    sent-count equals the matching received-count (Mattern's counting method);
 * 3. **stop** — top-level actors stop, each stopping its children first;
 * 4. **exit** — each worker stops what is left, says `halt` to the others and waits for
 *    theirs (so nothing between workers is in flight), reports its counters and is
 *    terminated; `shutdown()` resolves after the last worker has exited.
 *
 * Past the deadline the workers stop at once and everything not processed is counted; a
 * worker stuck in user code is reported (see {@link ShutdownReport}).
 *
 * @example
 * ```ts
 * const report = await system.shutdown({ timeout: 5_000 });
 * if (report.deadlineHit) console.warn("not processed:", report.undelivered);
 * ```
 * @module
 */
import { ActorStoppedError, SystemStoppedError } from "../errors.ts";
import { runtimeName, type WorkerExit } from "../runtime/adapters.ts";
import { address, localIdOf, loopOf } from "../wire/envelope.ts";
import type { Directory } from "./directory.ts";
import type { Loop } from "./loop.ts";
import type { LoopStats } from "./loop-options.ts";
import { liveActorCount, type WorkerPool, type WorkerSlot } from "./worker-pool.ts";

/** Options of `ActorSystem.shutdown`. */
export interface ShutdownOptions {
  /** Deadline in ms for draining and stopping (default 30 000; `0`: stop at once; `Infinity` to wait for ever). */
  timeout?: number;
}

/** What shutdown did. */
export interface ShutdownReport {
  /** True when the deadline passed before every mailbox drained. */
  deadlineHit: boolean;
  /** Messages never processed, per actor label (empty after a full drain); they are dead letters too. */
  undelivered: Record<string, number>;
  /** Messages that could not be delivered, over the system's life (`undelivered` among them). */
  deadLetters: number;
  /** Replies that came after their ask had settled. */
  lateReplies: number;
  /** Messages processed over the system's life. */
  processed: number;
  /** Handler failures over the system's life. */
  failures: number;
  /** How each worker ended. */
  exits: WorkerExit[];
  /** Actors whose `onStop` was skipped because the deadline had passed. */
  hooksSkipped: string[];
  /**
   * Workers that sent no final report (terminated after the grace period, e.g. stuck in a
   * handler): their own counts are missing; what others sent to them and they never took
   * is in `undelivered` as `worker N (no report)`, and their actors are in `hooksSkipped`.
   */
  unreported: number[];
  /**
   * Workers that may still be running after shutdown: on Deno a worker stuck in synchronous
   * code (`while (true)`) cannot be terminated, and it keeps the process alive. Always empty
   * on Node and Bun. When not empty, end the process yourself: `Deno.exit(1)`.
   */
  unterminated: number[];
  /** Workers that died while the system ran (each was replaced). */
  crashes: (WorkerExit & { worker: number })[];
  /** Milliseconds the shutdown took. */
  durationMs: number;
}

/**
 * Past the shutdown deadline: how long a worker gets to say it got the exit (else it is
 * stuck in user code), and then how long those that answered get to report. Generous: a
 * flooded worker on a loaded machine reads its exit only after the frames before it.
 */
const EXIT_GRACE_MS = 5_000;

/** What shutdown works on. */
export interface ShutdownParts {
  loop: Loop;
  pool: WorkerPool;
  directory: Directory;
  /** Top-level actors still alive (stopped in phase 3). */
  topLevel: ReadonlySet<number>;
  /** Set while the drain waits: called when something changed that may complete it. */
  setQuiescenceCheck(check: (() => void) | null): void;
}

/** Runs the phases with deadline `timeout` (ms) and returns the report. */
export async function runShutdown(parts: ShutdownParts, timeout: number): Promise<ShutdownReport> {
  const { loop, pool } = parts;
  const started = performance.now();
  loop.guard = () => {
    throw new SystemStoppedError();
  };
  // One deadline timer for the whole shutdown; cleared at the end so nothing is left behind.
  const deadline = Promise.withResolvers<"deadline">();
  const timer = Number.isFinite(timeout) ? setTimeout(() => deadline.resolve("deadline"), timeout) : undefined;
  let deadlineHit = false;
  const until = async (work: Promise<unknown>): Promise<void> => {
    if (deadlineHit) return;
    if ((await Promise.race([work.then(() => "done" as const), deadline.promise])) === "deadline") deadlineHit = true;
  };
  try {
    // Phase 2: drain, until quiescent.
    const quiet = Promise.withResolvers<void>();
    parts.setQuiescenceCheck(() => {
      if (quiescent(loop, pool.slots)) quiet.resolve();
    });
    pool.startReporting(true);
    await until(quiet.promise);
    parts.setQuiescenceCheck(null);
    // Phase 3: stop top-level actors; each stops its children first.
    await until(
      Promise.all([...parts.topLevel].map((addr) => loop.requestOp(loopOf(addr), "stop", localIdOf(addr)).catch(() => undefined))),
    );
    // Phase 4: every worker stops what is left, reports and exits.
    const force = deadlineHit;
    for (let w = 1; w <= pool.size; w++) pool.post(w, { type: "exit", force });
    if (!force) await until(Promise.all(pool.slots.map((w) => w.exitedReport.promise)));
    if (deadlineHit) await exitPastDeadline(pool);
    const exits = await pool.terminateAll();
    // What the workers sent before their reports (dead letters among it) is counted and
    // reported before shutdown resolves.
    loop.drainInbound();
    accountUnreported(loop, pool, parts.directory);
    loop.closeLinks();
    loop.asks.rejectAll(() => new ActorStoppedError("the asked actor", "the system shut down before it replied"));
    return report(loop, pool, deadlineHit, exits, started);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** True when every worker reported idle and no envelope is unaccounted for (the main loop's own idleness is the caller's concern). */
export function quiescent(loop: Loop, slots: WorkerSlot[]): boolean {
  if (slots.some((w) => w.idle === null && !w.dead)) return false;
  const n = slots.length;
  const mainSent = loop.sentCounts();
  const mainReceived = loop.receivedCounts();
  const dead = (i: number): boolean => i > 0 && slots[i - 1]!.dead;
  const sent = (i: number, j: number): number => (i === 0 ? mainSent[j] ?? 0 : slots[i - 1]!.idle!.sent[j] ?? 0);
  const received = (j: number, i: number): number => (j === 0 ? mainReceived[i] ?? 0 : slots[j - 1]!.idle!.received[i] ?? 0);
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) {
      if (i !== j && !dead(i) && !dead(j) && sent(i, j) !== received(j, i)) return false;
    }
  }
  return true;
}

/**
 * The deadline has passed and the workers were told to exit. A worker that does not even
 * say it got the exit within the grace period is stuck in user code (a handler that never
 * yields): the others are told to stop waiting for its `halt`, and get a grace period of
 * their own to report (past the exit notice, a worker runs no user code).
 */
async function exitPastDeadline(pool: WorkerPool): Promise<void> {
  const within = async (work: Promise<unknown>): Promise<void> => {
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = setTimeout(resolve, EXIT_GRACE_MS);
    await Promise.race([work, promise]);
    clearTimeout(timer);
  };
  const live = pool.slots.filter((w) => !w.dead);
  await within(Promise.all(live.map((w) => Promise.race([w.exitStarted.promise, w.exitedReport.promise]))));
  const answered = (w: WorkerSlot): boolean => w.stats !== null || w.exitStartedSeen;
  const stuck = live.flatMap((w) => (answered(w) ? [] : [pool.slots.indexOf(w) + 1]));
  for (const w of live) {
    if (!answered(w) || w.stats !== null) continue;
    for (const peer of stuck) pool.post(pool.slots.indexOf(w) + 1, { type: "peerStuck", peer });
  }
  await within(Promise.all(live.filter(answered).map((w) => w.exitedReport.promise)));
}

/**
 * Workers that sent no final report (stuck in a handler past the grace period): what the
 * other loops sent to their actors and they never took out of a mailbox is counted as
 * undelivered under `worker N (no report)` (their shared rows of taken counts say exactly
 * how much), and their actors' `onStop` hooks as skipped.
 */
function accountUnreported(loop: Loop, pool: WorkerPool, directory: Directory): void {
  pool.slots.forEach((slot, i) => {
    const w = i + 1;
    if (slot.stats !== null || slot.dead) return;
    const taken = new Float64Array(slot.taken);
    let lost = Math.max(0, loop.peers[w]!.userSent - taken[0]!);
    pool.slots.forEach((other, j) => {
      if (j !== i && other.stats !== null) lost += Math.max(0, (other.stats.sentTo[w] ?? 0) - taken[j + 1]!);
    });
    if (lost > 0) loop.delivery.countUndelivered(`worker ${i} (no report)`, address(w, 0), lost);
    const kept = directory.removeLoop(w);
    for (const r of kept) loop.hooksSkipped.push(r.label);
    // The actors the main loop kept no record of (see spawn.ts), by number.
    const others = liveActorCount(slot.taken) - kept.length;
    if (others > 0) loop.hooksSkipped.push(`${others} other actor(s) of worker ${i}`);
  });
}

function report(loop: Loop, pool: WorkerPool, deadlineHit: boolean, exits: WorkerExit[], started: number): ShutdownReport {
  const all = [loop.stats(), ...pool.slots.map((w) => w.stats).filter((s): s is LoopStats => s !== null)];
  const undelivered: Record<string, number> = {};
  for (const s of all) for (const [label, n] of Object.entries(s.undelivered)) undelivered[label] = (undelivered[label] ?? 0) + n;
  const sum = (f: (s: LoopStats) => number) => all.reduce((a, s) => a + f(s), 0);
  return {
    deadlineHit,
    undelivered,
    deadLetters: sum((s) => s.deadLetters),
    lateReplies: sum((s) => s.lateReplies),
    processed: sum((s) => s.processed),
    failures: sum((s) => s.failures),
    exits,
    hooksSkipped: all.flatMap((s) => s.hooksSkipped),
    unreported: pool.slots.flatMap((w, i) => (w.stats === null ? [i] : [])),
    // Deno cannot terminate a worker stuck in synchronous code (a bare Worker#terminate
    // does not end it either): such a worker keeps the process alive.
    unterminated: runtimeName === "deno" ? pool.slots.flatMap((w, i) => (w.stats === null && !w.dead ? [i] : [])) : [],
    crashes: [...pool.crashes],
    durationMs: performance.now() - started,
  };
}

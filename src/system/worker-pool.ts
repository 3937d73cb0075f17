/**
 * The workers of a system, seen from the main loop: starting them (one per core) with a
 * mesh of `MessageChannel`s so that workers talk directly, their control messages, and
 * crash recovery — a worker that dies while the system runs is replaced at the same
 * index, wired into the mesh again, and its actors come back by their supervision at the
 * same addresses; one that dies during shutdown is left out of the drain.
 *
 * @example
 * ```ts
 * declare const options: Omit<LoopOptions, "index">; // the system's options (workers: how many)
 * const pool = new WorkerPool(loop, options, directory, {
 *   stopping: () => false, // true once shutdown has begun: a dead worker is then not replaced
 *   forget: (address) => console.log(`actor ${address} was lost with its worker`),
 *   quiescenceCheck: () => {},
 * });
 * await pool.start();
 * pool.startReporting(); // every worker reports when it becomes idle (quiescence)
 * ```
 * @module
 */
import { ActorStoppedError, MissiveError } from "../errors.ts";
import { startWorker, type WorkerExit, type WorkerHandle } from "../runtime/adapters.ts";
import type { Transfer } from "../transport/endpoint.ts";
import { createRingPair, type RingPairSide } from "../transport/ring-endpoint.ts";
import { localIdOf } from "../wire/envelope.ts";
import { handleModules } from "../wire/handles.ts";
import type { FromWorker, ToWorker } from "./control.ts";
import type { Directory } from "./directory.ts";
import { linkEndpoint } from "./link-options.ts";
import { logEventFromWire } from "./log.ts";
import type { Loop } from "./loop.ts";
import type { LoopOptions, LoopStats } from "./loop-options.ts";

/** One worker, seen from the main loop. */
export interface WorkerSlot {
  handle: WorkerHandle;
  /** Resolves when the worker has said it is ready (rejects if it exits first). */
  ready: PromiseWithResolvers<void>;
  /** Its last idle report during the drain (sent/received counts per loop), or null. */
  idle: { sent: number[]; received: number[] } | null;
  /** Its final report, once it has sent one. */
  stats: LoopStats | null;
  /** Resolves when it has reported (or exited without). */
  exitedReport: PromiseWithResolvers<void>;
  /** Resolves when it says it got the exit (from then on a forced exit runs no user code). */
  exitStarted: PromiseWithResolvers<void>;
  exitStartedSeen: boolean;
  /** Died during shutdown and was not replaced: left out of the drain. */
  dead: boolean;
  /** Shutdown is terminating it: its exit is not a crash. */
  terminating: boolean;
  /** Its row of taken counts in shared memory (see `Peer.takenRow`). */
  taken: SharedArrayBuffer;
  /** With the ring transport: the worker's side of its rings to the main loop. */
  parentRing: RingPairSide | undefined;
}

/** What the pool tells the system. */
export interface PoolHooks {
  /** True once shutdown has begun (a dead worker is then not replaced). */
  stopping(): boolean;
  /** An actor is gone for good (lost with a worker): forget its name and place. */
  forget(address: number): void;
  /** Something changed that may complete the drain (an idle report, a worker lost). */
  quiescenceCheck(): void;
}

/** Every exit the system did not ask for is a crash, whatever code the runtime reports (Bun says 0 after an unhandled rejection). */
function normaliseExit(exit: WorkerExit): WorkerExit {
  if (exit.code !== 0 || exit.error !== undefined) return exit;
  return { ...exit, code: 1, reason: `exited unexpectedly (${exit.reason}, code 0; e.g. an unhandled rejection on Bun)` };
}

/** The worker's entry: the `.ts` source in development, the compiled `.js` in `dist/`. */
const WORKER_MODULE = new URL(import.meta.url.endsWith(".ts") ? "./worker-main.ts" : "./worker-main.js", import.meta.url);

export class WorkerPool {
  readonly #loop: Loop;
  readonly #base: Omit<LoopOptions, "index">;
  readonly #directory: Directory;
  readonly #hooks: PoolHooks;
  /** Slot of worker `w` (loop index `w + 1`). */
  readonly slots: WorkerSlot[] = [];
  /** Workers that died while the system ran. */
  readonly crashes: (WorkerExit & { worker: number })[] = [];
  /** The epoch of idle reports the workers were last asked for (0: none; see {@link startReporting}). */
  #epoch = 0;
  #reporting = false;

  constructor(loop: Loop, base: Omit<LoopOptions, "index">, directory: Directory, hooks: PoolHooks) {
    this.#loop = loop;
    this.#base = base;
    this.#directory = directory;
    this.#hooks = hooks;
    loop.onControl = (from, message) => this.#control(from, message as FromWorker);
  }

  get size(): number {
    return this.slots.length;
  }

  /** Sends a control message to worker loop `w` (after any pending frame). */
  post(w: number, message: ToWorker, transfer?: Transfer[]): void {
    this.#loop.link(w).postControl(message, transfer);
  }

  /**
   * Asks every worker to report idleness from now on, tagged with a new epoch, and forgets
   * the reports of earlier epochs (`idle` is null until a worker reports again). With
   * `drain`, the workers also begin shutdown's drain phase. Returns the epoch.
   */
  startReporting(drain = false): number {
    const epoch = ++this.#epoch;
    this.#reporting = true;
    for (const slot of this.slots) slot.idle = null;
    for (let w = 1; w <= this.size; w++) this.post(w, drain ? { type: "drain", epoch } : { type: "report", epoch });
    return epoch;
  }

  /** The workers stop reporting idleness (ignored by workers that drain); later reports of older epochs are ignored. */
  stopReporting(): void {
    this.#epoch++;
    this.#reporting = false;
    for (const slot of this.slots) slot.idle = null;
    for (let w = 1; w <= this.size; w++) if (!this.slots[w - 1]!.dead) this.post(w, { type: "report", epoch: 0 });
  }

  /** Starts every worker and resolves once each is ready (terminating all if one fails). */
  async start(): Promise<void> {
    const workers = this.#base.workers;
    for (let w = 1; w <= workers; w++) this.#startSlot(w);
    const inits = this.slots.map((): { peers: number[]; ports: MessagePort[]; rings: RingPairSide[] } => ({
      peers: [],
      ports: [],
      rings: [],
    }));
    for (let a = 1; a <= workers; a++) {
      for (let b = a + 1; b <= workers; b++) {
        const { port1, port2 } = new MessageChannel();
        inits[a - 1]!.peers.push(b);
        inits[a - 1]!.ports.push(port1);
        inits[b - 1]!.peers.push(a);
        inits[b - 1]!.ports.push(port2);
        const pair = this.#ringPair();
        if (pair !== undefined) {
          inits[a - 1]!.rings.push(pair[0]);
          inits[b - 1]!.rings.push(pair[1]);
        }
      }
    }
    inits.forEach(({ peers, ports, rings }, i) => this.#init(i + 1, peers, ports, rings, 0));
    try {
      await Promise.all(this.slots.map((s) => s.ready.promise));
    } catch (e) {
      await Promise.all(this.slots.map((s) => s.handle.terminate()));
      throw e;
    }
  }

  /** A new pair of rings for a link, with the ring transport. */
  #ringPair(): [RingPairSide, RingPairSide] | undefined {
    const link = this.#base.link;
    return link?.transport === "ring" ? createRingPair(link.ringBytes) : undefined;
  }

  /**
   * The first message to worker `w`, on its own channel as it is (not through the link: the
   * worker makes its link to the main loop from what this message brings).
   */
  #init(w: number, peers: number[], ports: MessagePort[], rings: RingPairSide[], reserve: number): void {
    const slot = this.slots[w - 1]!;
    const taken: SharedArrayBuffer[] = [];
    this.slots.forEach((slot, i) => (taken[i + 1] = slot.taken));
    const init: ToWorker = { type: "init", options: { ...this.#base, index: w }, peers, ports, reserve, taken, modules: handleModules() };
    if (slot.parentRing !== undefined) {
      init.rings = rings;
      init.parentRing = slot.parentRing;
    }
    slot.handle.endpoint.post(init, ports);
  }

  /** Starts the worker for loop `w` (a new one, or a replacement), connects the main loop to it, and watches its exit. */
  #startSlot(w: number): WorkerSlot {
    const handle = startWorker(WORKER_MODULE);
    // Taken counts from each loop, then the worker's highest actor number and live actor count (see Loop.#ownRow).
    const taken = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * (this.#base.workers + 3));
    const slot: WorkerSlot = {
      handle,
      ready: Promise.withResolvers<void>(),
      idle: null,
      stats: null,
      exitedReport: Promise.withResolvers<void>(),
      exitStarted: Promise.withResolvers<void>(),
      exitStartedSeen: false,
      dead: false,
      terminating: false,
      taken,
      parentRing: undefined,
    };
    const pair = this.#ringPair();
    slot.parentRing = pair?.[1];
    const endpoint = linkEndpoint(handle.endpoint, pair?.[0], this.#base.link, this.#loop.canSpin);
    slot.ready.promise.catch(() => undefined); // observed by start() or the recovery
    const replacing = this.slots[w - 1] !== undefined;
    this.slots[w - 1] = slot;
    if (replacing) this.#loop.replacePeer(w, endpoint, `worker ${w - 1}`, taken);
    else {
      this.#loop.connect(w, endpoint);
      this.#loop.setTakenRow(w, taken);
    }
    void handle.exited.then((exit) => {
      slot.ready.reject(new MissiveError(`worker ${w - 1} exited before it was ready (${exit.reason}).`, { cause: exit.error }));
      slot.exitedReport.resolve();
      if (this.slots[w - 1] !== slot || slot.dead || slot.terminating) return;
      if (!this.#hooks.stopping()) void this.#recover(w, normaliseExit(exit));
      else if (slot.stats === null) this.#lostDuringShutdown(w, slot, normaliseExit(exit));
    });
    return slot;
  }

  /**
   * Worker `w` died while the system was running: fail what waited on it, start a
   * replacement at the same index, re-create its actors by their supervision (same
   * addresses), and tell every loop what was restarted and what was lost.
   */
  async #recover(w: number, exit: WorkerExit): Promise<void> {
    const loop = this.#loop;
    const why = `worker ${w - 1} ${exit.reason}`;
    this.crashes.push({ worker: w - 1, ...exit });
    const cause = exit.error ?? new MissiveError(why);
    loop.peerLost(w, (what) => new ActorStoppedError(what, `its ${why}`, { cause }));
    const plan = this.#directory.plan(w, performance.now());
    const highest = highestActorNumber(this.slots[w - 1]!.taken);
    const slot = this.#startSlot(w);
    // New mesh channels between the replacement and every other worker.
    const peers: number[] = [];
    const ports: MessagePort[] = [];
    const rings: RingPairSide[] = [];
    for (let o = 1; o <= this.slots.length; o++) {
      if (o === w) continue;
      const { port1, port2 } = new MessageChannel();
      peers.push(o);
      ports.push(port1);
      const replaced: ToWorker = { type: "peerReplaced", peer: w, port: port2, reason: why, taken: slot.taken };
      const pair = this.#ringPair();
      if (pair !== undefined) {
        rings.push(pair[0]);
        replaced.ring = pair[1];
      }
      this.post(o, replaced, [port2]);
    }
    this.#init(w, peers, ports, rings, Math.max(this.#directory.maxLocalId(w), highest));
    if (this.#reporting) this.post(w, { type: "report", epoch: this.#epoch }); // a quiescence wait is on
    try {
      await slot.ready.promise;
    } catch {
      return; // the replacement died too; its own exit handler takes over
    }
    const restarted: number[] = [];
    const lost: [number, string][] = plan.lost.map((r) => [r.address, r.label]);
    await Promise.all(plan.restart.map(async (r) => {
      try {
        const arg = loop.codec.decode(r.restartArg!);
        await loop.requestOp(w, "spawn", [r.url, r.key, arg, r.parent, r.name, localIdOf(r.address)], arg, r.label);
        restarted.push(r.address);
      } catch (e) {
        loop.log({ level: "error", source: r.label, message: `could not be re-created after ${why}`, error: e });
        this.#directory.gone(r.address);
        lost.push([r.address, r.label]);
      }
    }));
    for (const [addr] of lost) this.#hooks.forget(addr);
    for (let o = 1; o <= this.slots.length; o++) this.post(o, { type: "actorsLost", loop: w, lost, restarted, reason: why });
    loop.lifecycle.actorsLost(w, lost, restarted, why);
    loop.log({ level: "warn", source: `worker ${w - 1}`, message: `${why}: re-created ${restarted.length} actor(s), lost ${lost.length}` });
  }

  /**
   * Worker `w` died after shutdown began: it is not replaced. What it had not taken is
   * counted (by every loop that sent to it), what waited on it fails, and it no longer
   * takes part in the drain.
   */
  #lostDuringShutdown(w: number, slot: WorkerSlot, exit: WorkerExit): void {
    const loop = this.#loop;
    const why = `worker ${w - 1} ${exit.reason}`;
    slot.dead = true;
    this.crashes.push({ worker: w - 1, ...exit });
    loop.peerLost(w, (what) => new ActorStoppedError(what, `its ${why}`, { cause: exit.error ?? new MissiveError(why) }));
    loop.abandonPeer(w, `worker ${w - 1}`);
    for (let o = 1; o <= this.slots.length; o++) {
      if (o !== w && !this.slots[o - 1]!.dead) this.post(o, { type: "peerDown", peer: w, reason: why });
    }
    for (const r of this.#directory.removeLoop(w)) this.#hooks.forget(r.address);
    this.#hooks.quiescenceCheck();
  }

  #control(from: number, message: FromWorker): void {
    const slot = this.slots[from - 1];
    if (slot === undefined) return;
    switch (message.type) {
      case "ready":
        slot.ready.resolve();
        break;
      case "idle":
        if (message.epoch !== this.#epoch) break; // stale: asked for by an earlier wait
        slot.idle = { sent: message.sent, received: message.received };
        this.#hooks.quiescenceCheck();
        break;
      case "log":
        this.#loop.log(logEventFromWire(message.event));
        break;
      case "exitStarted":
        slot.exitStartedSeen = true;
        slot.exitStarted.resolve();
        break;
      case "exited":
        slot.stats = message.stats;
        slot.exitedReport.resolve();
        break;
    }
  }

  /** Terminates every worker (the end of shutdown); resolves with their exits. */
  terminateAll(): Promise<WorkerExit[]> {
    return Promise.all(this.slots.map((slot) => {
      slot.terminating = true;
      return slot.handle.terminate();
    }));
  }
}

/** The highest actor number a worker used (the second-to-last slot of its shared row; see `Loop.#ownRow`). */
export function highestActorNumber(row: SharedArrayBuffer): number {
  const view = new Float64Array(row);
  return view[view.length - 2]!;
}

/** The actors a worker had alive (the last slot of its shared row). */
export function liveActorCount(row: SharedArrayBuffer): number {
  const view = new Float64Array(row);
  return view[view.length - 1]!;
}

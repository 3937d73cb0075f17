/**
 * An actor instance on its loop: state, mailbox, place in the tree, and the flags the
 * dispatcher reads. Owned by exactly one loop; never shared between threads.
 *
 * @example
 * ```ts
 * const cell = new ActorCell(3, address(1, 3), definition, "Counter#3@w1", 0, null);
 * cell.mailbox.push(envelope);
 * ```
 * @module
 */
import { Deque } from "../util/deque.ts";
import { IdSet } from "../util/id-table.ts";
import type { Envelope } from "../wire/envelope.ts";
import type { ActorContext } from "./context.ts";
import type { ActorRef } from "./ref.ts";
import type { AnyDefinition, CellTraits, OverflowPolicy } from "./definition.ts";
import { RestartWindow, type Supervision } from "./supervision.ts";

/** Lifecycle of a cell: starting (init/onStart) → running ⇄ restarting → stopping → stopped. */
export type CellStatus = "starting" | "running" | "restarting" | "stopping" | "stopped";

/** Children, watchers, links and watches: made when the actor has its first. */
class Relations {
  children: IdSet | null = null;
  remoteChildren: Set<ActorRef> | null = null;
  watchers: Set<number | string> | null = null;
  links: Set<number | string> | null = null;
  watching: Set<number | string> | null = null;
}

/** The stop sequence's state: made when the actor begins to stop. */
class StopState {
  stopping: Promise<void> | null = null;
  done: (() => void) | null = null;
  running = false;
  reason: { normal: boolean; reason: string; error?: unknown } | null = null;
}

/** What restarts need: made for `restart` supervision, or at the first failure. */
class RestartState {
  initBytes: Uint8Array | null = null;
  timer: unknown = undefined;
  window: RestartWindow | null = null;
}

/**
 * Why the rarely used fields live in records made on first use, and the definition's
 * settings in the one object its cells share (`definition.cellTraits`): a cell is most of
 * what an idle actor costs (issue 13: ≤ 1 KiB per idle actor), and 35 fields made it 304
 * bytes on V8 (now 216). The accessors keep every reader and writer as it was.
 */
export class ActorCell {
  /** Number of the actor on its loop. */ readonly localId: number;
  /** Global address (see `address()`). */ readonly address: number;
  readonly definition: AnyDefinition;
  readonly label: string;
  /** Address of the parent actor; 0 for top-level actors (the guardian). */ readonly parent: number;
  /** Registered name, if any. */ readonly name: string | null;
  /** FIFO of envelopes not yet processed. */ readonly mailbox = new Deque<Envelope>();
  state: unknown = undefined;
  status: CellStatus = "starting";
  /** An async handler (or init) is running: the next message waits for it. */ busy = false;
  /** In the dispatcher's ready queue. */ queued = false;
  /** `ctx.stop()` was called: stop once the current handler settles. */ stopRequested = false;
  /** Messages processed so far. */ processed = 0;
  /** Address of the sender of the message being processed (0 when not an actor). */ sender = 0;
  /** The message being processed. */ currentEnv: Envelope | null = null;
  /** The message whose reply the handler deferred (`ctx.deferReply`). */ deferredEnv: Envelope | null = null;
  ctx!: ActorContext;
  /** Deepest the mailbox has been. */ maxDepth = 0;
  /** `ctx.timers`, once the context exists (cancelled when the actor stops or restarts). */
  timers: { cancelAll(): void } | null = null;
  readonly #traits: CellTraits;
  #relations: Relations | null = null;
  #stop: StopState | null = null;
  #restart: RestartState | null = null;

  constructor(localId: number, address: number, definition: AnyDefinition, label: string, parent: number, name: string | null) {
    this.#traits = definition.cellTraits;
    this.localId = localId;
    this.address = address;
    this.definition = definition;
    this.label = label;
    this.parent = parent;
    this.name = name;
  }

  /** The definition's supervision (shared by its cells). */
  get supervision(): Supervision {
    return this.#traits.supervision;
  }
  /** Mailbox capacity (0 = unbounded). */
  get capacity(): number {
    return this.#traits.capacity;
  }
  /** What to do when the mailbox is full. */
  get overflow(): OverflowPolicy {
    return this.#traits.overflow;
  }
  /** True when senders hold credits for this actor (policies `reject` and `wait`). */
  get counted(): boolean {
    return this.#traits.counted;
  }

  // The sets and the restart window are made on first use: an idle actor that never had a
  // child, a watcher or a failure costs none of them.

  #related(): Relations {
    return this.#relations ??= new Relations();
  }
  /** Addresses of live children (they stop before this actor). */
  get children(): IdSet {
    const r = this.#related();
    return r.children ??= new IdSet();
  }
  /** Children spawned on other nodes (`ctx.spawn(…, { node })`): stopped with this actor, not supervised by it. */
  get remoteChildren(): Set<ActorRef> {
    const r = this.#related();
    return r.remoteChildren ??= new Set();
  }
  /** Addresses of actors watching this one (`"<node>@<address>"` for an actor of another node). */
  get watchers(): Set<number | string> {
    const r = this.#related();
    return r.watchers ??= new Set();
  }
  /** Addresses of actors linked to this one (failures propagate both ways; remote ones as for `watchers`). */
  get links(): Set<number | string> {
    const r = this.#related();
    return r.links ??= new Set();
  }
  /** Addresses this actor watches (remote ones as for `watchers`). */
  get watching(): Set<number | string> {
    const r = this.#related();
    return r.watching ??= new Set();
  }
  /** True when this actor has children, watchers, links or watches (without making the sets). */
  get hasRelations(): boolean {
    const r = this.#relations;
    return r !== null && (r.children !== null || r.remoteChildren !== null || r.watchers !== null || r.links !== null ||
      r.watching !== null);
  }

  #stopState(): StopState {
    return this.#stop ??= new StopState();
  }
  /** Settles when the cell has fully stopped (children, onStop, mailbox accounted). */
  get stopping(): Promise<void> | null {
    return this.#stop?.stopping ?? null;
  }
  set stopping(p: Promise<void> | null) {
    this.#stopState().stopping = p;
  }
  /** Resolves `stopping`. */
  get stopDone(): (() => void) | null {
    return this.#stop?.done ?? null;
  }
  set stopDone(done: (() => void) | null) {
    this.#stopState().done = done;
  }
  /** The stop sequence has started. */
  get stopRunning(): boolean {
    return this.#stop?.running ?? false;
  }
  set stopRunning(running: boolean) {
    this.#stopState().running = running;
  }
  /** Why it stops (told to watchers and linked actors). */
  get stopReason(): { normal: boolean; reason: string; error?: unknown } | null {
    return this.#stop?.reason ?? null;
  }
  set stopReason(reason: { normal: boolean; reason: string; error?: unknown } | null) {
    this.#stopState().reason = reason;
  }

  #restartState(): RestartState {
    return this.#restart ??= new RestartState();
  }
  /** The spawn argument as encoded at spawn, for restarts (only kept for `restart` supervision). */
  get initBytes(): Uint8Array | null {
    return this.#restart?.initBytes ?? null;
  }
  set initBytes(bytes: Uint8Array | null) {
    this.#restartState().initBytes = bytes;
  }
  /** Pending backoff before a restart. */
  get restartTimer(): unknown {
    return this.#restart?.timer;
  }
  set restartTimer(timer: unknown) {
    if (timer === undefined && this.#restart === null) return;
    this.#restartState().timer = timer;
  }
  /** The restarts within the supervision window. */
  get restarts(): RestartWindow {
    const r = this.#restartState();
    return r.window ??= new RestartWindow(this.supervision.maxRestarts, this.supervision.withinMs);
  }
  /** Restarts so far (without making the window). */
  get restartCount(): number {
    return this.#restart?.window?.total ?? 0;
  }

  /** True when the dispatcher may run the next message now. */
  get runnable(): boolean {
    return this.status === "running" && !this.busy && !this.stopRequested && this.mailbox.length > 0;
  }
}

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
import type { AnyDefinition, OverflowPolicy } from "./definition.ts";
import { RestartWindow, type Supervision, supervisionOf } from "./supervision.ts";

/** Lifecycle of a cell: starting (init/onStart) → running ⇄ restarting → stopping → stopped. */
export type CellStatus = "starting" | "running" | "restarting" | "stopping" | "stopped";

/** One supervision object per definition (the cells of a definition share it; it is never changed). */
const supervisions = new WeakMap<AnyDefinition, Supervision>();
function supervisionFor(definition: AnyDefinition): Supervision {
  let s = supervisions.get(definition);
  if (s === undefined) supervisions.set(definition, s = Object.freeze(supervisionOf(definition.spec.supervision)));
  return s;
}

export class ActorCell {
  /** Number of the actor on its loop. */ readonly localId: number;
  /** Global address (see `address()`). */ readonly address: number;
  readonly definition: AnyDefinition;
  readonly label: string;
  /** Address of the parent actor; 0 for top-level actors (the guardian). */ readonly parent: number;
  /** Registered name, if any. */ readonly name: string | null;
  #children: IdSet | null = null;
  #remoteChildren: Set<ActorRef> | null = null;
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
  readonly supervision: Supervision;
  /** Mailbox capacity (0 = unbounded) and what to do when full. */ readonly capacity: number;
  readonly overflow: OverflowPolicy;
  /** True when senders hold credits for this actor (policies `reject` and `wait`). */ readonly counted: boolean;
  /** Deepest the mailbox has been. */ maxDepth = 0;
  #watchers: Set<number | string> | null = null;
  #links: Set<number | string> | null = null;
  #watching: Set<number | string> | null = null;
  #restarts: RestartWindow | null = null;
  /** Settles when the cell has fully stopped (children, onStop, mailbox accounted). */
  stopping: Promise<void> | null = null;
  /** Resolves `stopping`. */
  stopDone: (() => void) | null = null;
  /** The stop sequence has started. */
  stopRunning = false;
  /** Why it stops (told to watchers and linked actors). */
  stopReason: { normal: boolean; reason: string; error?: unknown } | null = null;
  /** The spawn argument as encoded at spawn, for restarts (only kept for `restart` supervision). */
  initBytes: Uint8Array | null = null;
  /** Pending backoff before a restart. */
  restartTimer: unknown = undefined;
  /** `ctx.timers`, once the context exists (cancelled when the actor stops or restarts). */
  timers: { cancelAll(): void } | null = null;

  constructor(localId: number, address: number, definition: AnyDefinition, label: string, parent: number, name: string | null) {
    this.supervision = supervisionFor(definition);
    this.capacity = definition.spec.mailbox?.capacity ?? 0;
    this.overflow = definition.spec.mailbox?.overflow ?? "wait";
    this.counted = this.capacity > 0 && (this.overflow === "wait" || this.overflow === "reject");
    this.localId = localId;
    this.address = address;
    this.definition = definition;
    this.label = label;
    this.parent = parent;
    this.name = name;
  }

  // The sets and the restart window are made on first use: an idle actor that never had a
  // child, a watcher or a failure costs none of them (issue 13: ≤ 1 KiB per idle actor).

  /** Addresses of live children (they stop before this actor). */
  get children(): IdSet {
    return this.#children ??= new IdSet();
  }
  /** Children spawned on other nodes (`ctx.spawn(…, { node })`): stopped with this actor, not supervised by it. */
  get remoteChildren(): Set<ActorRef> {
    return this.#remoteChildren ??= new Set();
  }
  /** Addresses of actors watching this one (`"<node>@<address>"` for an actor of another node). */
  get watchers(): Set<number | string> {
    return this.#watchers ??= new Set();
  }
  /** Addresses of actors linked to this one (failures propagate both ways; remote ones as for `watchers`). */
  get links(): Set<number | string> {
    return this.#links ??= new Set();
  }
  /** Addresses this actor watches (remote ones as for `watchers`). */
  get watching(): Set<number | string> {
    return this.#watching ??= new Set();
  }
  /** The restarts within the supervision window. */
  get restarts(): RestartWindow {
    return this.#restarts ??= new RestartWindow(this.supervision.maxRestarts, this.supervision.withinMs);
  }
  /** Restarts so far (without making the window). */
  get restartCount(): number {
    return this.#restarts?.total ?? 0;
  }
  /** True when this actor has children, watchers, links or watches (without making the sets). */
  get hasRelations(): boolean {
    return this.#children !== null || this.#remoteChildren !== null || this.#watchers !== null || this.#links !== null ||
      this.#watching !== null;
  }

  /** True when the dispatcher may run the next message now. */
  get runnable(): boolean {
    return this.status === "running" && !this.busy && !this.stopRequested && this.mailbox.length > 0;
  }
}

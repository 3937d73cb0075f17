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
import type { Envelope } from "../wire/envelope.ts";
import type { ActorContext } from "./context.ts";
import type { ActorRef } from "./ref.ts";
import type { AnyDefinition, OverflowPolicy } from "./definition.ts";
import { RestartWindow, type Supervision, supervisionOf } from "./supervision.ts";

/** Lifecycle of a cell: starting (init/onStart) → running ⇄ restarting → stopping → stopped. */
export type CellStatus = "starting" | "running" | "restarting" | "stopping" | "stopped";

export class ActorCell {
  /** Number of the actor on its loop. */ readonly localId: number;
  /** Global address (see `address()`). */ readonly address: number;
  readonly definition: AnyDefinition;
  readonly label: string;
  /** Address of the parent actor; 0 for top-level actors (the guardian). */ readonly parent: number;
  /** Registered name, if any. */ readonly name: string | null;
  /** Addresses of live children (they stop before this actor). */ readonly children = new Set<number>();
  /** Children spawned on other nodes (`ctx.spawn(…, { node })`): stopped with this actor, not supervised by it. */
  readonly remoteChildren = new Set<ActorRef>();
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
  readonly restarts: RestartWindow;
  /** Mailbox capacity (0 = unbounded) and what to do when full. */ readonly capacity: number;
  readonly overflow: OverflowPolicy;
  /** True when senders hold credits for this actor (policies `reject` and `wait`). */ readonly counted: boolean;
  /** Deepest the mailbox has been. */ maxDepth = 0;
  /** Addresses of actors watching this one (`"<node>@<address>"` for an actor of another node). */ readonly watchers = new Set<
    number | string
  >();
  /** Addresses of actors linked to this one (failures propagate both ways; remote ones as for `watchers`). */ readonly links = new Set<
    number | string
  >();
  /** Addresses this actor watches (remote ones as for `watchers`). */ readonly watching = new Set<number | string>();
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
    this.supervision = supervisionOf(definition.spec.supervision);
    this.restarts = new RestartWindow(this.supervision.maxRestarts, this.supervision.withinMs);
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

  /** True when the dispatcher may run the next message now. */
  get runnable(): boolean {
    return this.status === "running" && !this.busy && !this.stopRequested && this.mailbox.length > 0;
  }
}

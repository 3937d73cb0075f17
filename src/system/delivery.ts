/**
 * Where an envelope goes on the loop that received it: a mailbox (with the bounded
 * mailboxes' overflow policies), a loop-level request, a waiting ask, the credits — or,
 * when it cannot be delivered, a dead letter, counted and reported, with its credit
 * returned and its ask failed. Also the count that lets other loops account for what
 * this one took (its row of taken counts in shared memory), and parking: while
 * a replacement worker re-creates the actors of one that died, their mail waits for them.
 *
 * @example
 * ```ts
 * declare const host: DeliveryHost; // the loop's cells, dispatcher, asks, credits, …
 * const delivery = new Delivery(host);
 * delivery.deliver([Kind.Tell, to, from, 0, "inc", 1]);
 * ```
 * @module
 */
import type { ActorCell } from "../actor/cell.ts";
import type { Dispatcher } from "../actor/dispatcher.ts";
import { ActorStoppedError, MailboxFullError } from "../errors.ts";
import { COUNTED, type Envelope, Kind, localIdOf, LOOP_SPAN, loopOf, SystemMessage, TAKEN } from "../wire/envelope.ts";
import type { PendingAsks } from "./asks.ts";
import type { DeadLetter, DeadLetterReason } from "./dead-letters.ts";
import type { Credits } from "./flow-control.ts";
import type { IdTable } from "../util/id-table.ts";

/** What delivery needs from its loop. */
export interface DeliveryHost {
  readonly index: number;
  /** "the main loop" or "worker N", for labels. */
  readonly name: string;
  readonly cells: IdTable<ActorCell>;
  /** Mailbox-only endpoints (test probes): envelopes to these ids go to a callback. */
  readonly probes: Map<number, (env: Envelope) => void>;
  readonly dispatcher: Dispatcher;
  readonly asks: PendingAsks;
  readonly credits: Credits;
  /** One more counted message of `senderLoop`'s was taken out of `actorAddress`'s mailbox: credit is owed. */
  owe(senderLoop: number, actorAddress: number): void;
  /** A request to the loop itself (actor number 0). */
  runOp(env: Envelope): void;
  /** Fails ask `env` with `error`. */
  fail(env: Envelope, error: unknown): void;
  /** Reports a dead letter (the main loop records it; workers forward it). */
  reportDeadLetter(d: DeadLetter): void;
}

/** Names starting with `$` are the framework's own messages: never refused by a full mailbox. */
export const isSystemName = (name: string | null): boolean => name !== null && name.charCodeAt(0) === 36; // "$"

export class Delivery {
  readonly #host: DeliveryHost;
  /** Read on every message: kept here rather than behind the host. */
  readonly #index: number;
  /** This loop's row of taken counts (see `Peer.takenRow`), once shared. */
  #ownTakenRow: Float64Array | undefined = undefined;
  /** Dead letters counted on this loop. */
  deadLetters = 0;
  /** Messages never processed because their actor stopped first, per actor label. */
  readonly undelivered = new Map<string, number>();
  /** The actor the last envelope was delivered to (see {@link deliver}). */
  #lastCell: ActorCell | undefined = undefined;
  #parked: Map<number, Envelope[]> | null = null;
  #parkBelow = 0;

  constructor(host: DeliveryHost) {
    this.#host = host;
    this.#index = host.index;
  }

  /** Puts one envelope where it belongs: a mailbox, a loop op, a waiting ask, or the credits. */
  deliver(env: Envelope): void {
    const host = this.#host;
    const kind = env[0] & 7;
    if (kind === Kind.Reply || kind === Kind.Fail) {
      host.asks.settle(env[3], kind === Kind.Reply, env[5]);
      return;
    }
    if (kind === Kind.Credit) {
      host.credits.give(env[2], env[3]);
      return;
    }
    // The actor of the last delivery is kept at hand: mail comes in runs to one actor, and
    // a removed cell is always "stopped" first, so a stale entry is never used.
    let cell = this.#lastCell;
    if (cell === undefined || cell.address !== env[1] || cell.status === "stopped") {
      const localId = localIdOf(env[1]);
      if (localId === 0) {
        host.runOp(env);
        return;
      }
      cell = this.#lastCell = host.cells.get(localId);
      if (cell === undefined) {
        this.#deliverNowhere(env, localId);
        return;
      }
    }
    if (cell.status === "stopping" || cell.status === "stopped") {
      this.deadLetter(env, cell.label, "stopped");
      return;
    }
    if (cell.capacity > 0 && cell.mailbox.length >= cell.capacity && !isSystemName(env[4])) {
      switch (cell.overflow) {
        case "drop-newest":
        case "reject":
          this.deadLetter(env, cell.label, "mailbox-full", new MailboxFullError(cell.label, cell.capacity));
          return;
        case "drop-oldest": {
          const oldest = cell.mailbox.peek()!;
          if (isSystemName(oldest[4])) {
            this.deadLetter(env, cell.label, "mailbox-full", new MailboxFullError(cell.label, cell.capacity));
            return;
          }
          cell.mailbox.shift();
          this.deadLetter(
            oldest,
            cell.label,
            "dropped-oldest",
            new MailboxFullError(cell.label, cell.capacity, "a newer message took its place (drop-oldest)"),
          );
          break;
        }
        case "wait":
          break; // bounded by the senders' credits (at most max(capacity, loops))
      }
    }
    cell.mailbox.push(env);
    if (cell.mailbox.length > cell.maxDepth) cell.maxDepth = cell.mailbox.length;
    host.dispatcher.enqueue(cell);
  }

  /** `env` is for an actor this loop does not have: parked (recovery), a probe's, or a dead letter. */
  #deliverNowhere(env: Envelope, localId: number): void {
    if (this.#parked !== null && localId <= this.#parkBelow) {
      const waiting = this.#parked.get(localId);
      if (waiting === undefined) this.#parked.set(localId, [env]);
      else waiting.push(env);
      return;
    }
    const probe = this.#host.probes.get(localId);
    if (probe !== undefined) {
      this.take(env);
      probe(env);
    } else this.deadLetter(env, `actor ${localId} on ${this.#host.name}`, "stopped");
  }

  // ---- parking (a replacement worker) ------------------------------------------------------

  /** Parks envelopes for actors numbered up to `upTo` until {@link endParking} (a recovering worker). */
  startParking(upTo: number): void {
    this.#parked = new Map();
    this.#parkBelow = upTo;
  }

  /** Actor `localId` exists again: its parked envelopes go to its mailbox, in arrival order. */
  unpark(localId: number): void {
    const waiting = this.#parked?.get(localId);
    if (waiting === undefined) return;
    this.#parked!.delete(localId);
    for (const env of waiting) this.deliver(env);
  }

  /** Recovery is over: what is still parked was for actors that are gone (dead letters). */
  endParking(): void {
    const parked = this.#parked;
    this.#parked = null;
    if (parked === null) return;
    for (const envelopes of parked.values()) for (const env of envelopes) this.deliver(env);
  }

  // ---- accounting ------------------------------------------------------------------------------

  /** This loop's own row of taken counts in shared memory (see `Peer.takenRow`). */
  setOwnTakenRow(row: Float64Array): void {
    this.#ownTakenRow = row;
  }

  /**
   * Counts a tell from another loop as taken out of the mailboxes, once, in this loop's
   * shared row (see `Peer.takenRow`). Only tells are counted: a lost ask is never silent,
   * its caller's promise rejects.
   */
  take(env: Envelope): void {
    if ((env[0] & TAKEN) !== 0) return;
    env[0] |= TAKEN;
    if ((env[0] & 7) === Kind.Tell && env[1] >= LOOP_SPAN) {
      const from = loopOf(env[2]);
      const row = this.#ownTakenRow;
      if (from !== this.#index && row !== undefined) row[from]!++;
    }
  }

  /** Returns the credit a counted envelope took, once, whatever became of it. */
  creditBack(env: Envelope): void {
    if ((env[0] & COUNTED) === 0) return;
    env[0] &= ~COUNTED;
    const senderLoop = loopOf(env[2]);
    if (senderLoop === this.#index) this.#host.credits.give(env[1], 1);
    else this.#host.owe(senderLoop, env[1]);
  }

  /**
   * `env` cannot be delivered: count it, return its credit, fail it if it is an ask, and
   * report it (main loop: `system.deadLetters`).
   */
  deadLetter(env: Envelope, label: string, reason: DeadLetterReason, error?: unknown): void {
    this.take(env);
    this.creditBack(env);
    const kind = env[0] & 7;
    // Reported before the ask fails, so that whoever sees the failure can already count it.
    if (kind === Kind.Tell || kind === Kind.Ask) {
      this.record({ address: env[1], target: label, name: env[4], arg: env[5], reason, count: 1 });
    }
    if (kind === Kind.Ask) {
      this.#host.fail(
        env,
        error ?? new ActorStoppedError(label, reason === "undelivered" ? "it stopped before processing the message" : undefined),
      );
    }
  }

  /** Counts and reports a dead letter. */
  record(d: DeadLetter): void {
    this.deadLetters += d.count;
    this.#host.reportDeadLetter(d);
  }

  /**
   * Counts messages an actor never processed (it stopped first) and fails the asks among
   * them; `inHandler` is 1 when a busy handler was still on a message (a forced stop).
   */
  undeliverable(cell: ActorCell, envelopes: Envelope[], inHandler = 0, why = "undelivered" as DeadLetterReason): void {
    const n = envelopes.filter((e) => !isSystemName(e[4]) || e[4] === SystemMessage.Flush).length + inHandler;
    if (n > 0) this.undelivered.set(cell.label, (this.undelivered.get(cell.label) ?? 0) + n);
    // Made only when there is mail to fail: an Error captures a stack, and every stop of an
    // actor with an empty mailbox comes here.
    let error: ActorStoppedError | undefined;
    for (const env of envelopes) {
      if (isSystemName(env[4]) && env[4] !== SystemMessage.Flush) {
        this.creditBack(env);
        continue;
      }
      error ??= new ActorStoppedError(
        cell.label,
        why === "worker-exited" ? "its worker exited" : "it stopped before processing the message",
      );
      this.deadLetter(env, cell.label, why, error);
    }
    if (inHandler > 0) {
      this.record({ address: cell.address, target: cell.label, name: null, arg: undefined, reason: why, count: inHandler });
    }
  }

  /** Counts `count` messages for `label` that were never processed and cannot be listed one by one (a worker that sent no report). */
  countUndelivered(label: string, addr: number, count: number): void {
    this.undelivered.set(label, (this.undelivered.get(label) ?? 0) + count);
    this.record({ address: addr, target: label, name: null, arg: undefined, reason: "undelivered", count });
  }
}

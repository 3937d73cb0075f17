/**
 * What one loop knows of one other loop (a peer): the link its frames leave by, and the
 * counts that account for every envelope between the two — for shutdown's quiescence check
 * (sent vs received) and for what a peer that died had not taken (see {@link Peer.lost}).
 *
 * @example
 * ```ts
 * const peer = new Peer(2);
 * peer.userSent += 3;       // three tells to its actors
 * peer.lost(1);             // 3: no row of taken counts shared yet, none known taken
 * ```
 * @module
 */
import type { Link } from "../transport/link.ts";

export class Peer {
  /** The peer's loop index (0: the main loop). */
  readonly index: number;
  /** Where frames to the peer go (`undefined` until connected). */
  link: Link | undefined = undefined;
  /** Envelopes received from the peer (frame headers' counts). */
  received = 0;
  /** Tells sent to the peer's actors. */
  userSent = 0;
  /**
   * The peer's row of taken counts in shared memory: `row[i]` counts the tells from loop `i`
   * the peer has taken out of a mailbox (handler started, or dead letter). It outlives the
   * peer's thread, so after a crash it says exactly what the peer never took.
   */
  takenRow: Float64Array | undefined = undefined;

  constructor(index: number) {
    this.index = index;
  }

  /**
   * Tells loop `self` sent to this peer's actors that the peer never took out of a mailbox:
   * exact once the peer is gone (its shared row; every worker shares one when it starts).
   */
  lost(self: number): number {
    return Math.max(0, this.userSent - (this.takenRow?.[self] ?? 0));
  }

  /** A new incarnation of the peer: every count starts afresh. */
  reset(takenRow: SharedArrayBuffer | undefined): void {
    this.received = this.userSent = 0;
    this.takenRow = takenRow === undefined ? undefined : new Float64Array(takenRow);
  }
}

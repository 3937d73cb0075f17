/**
 * A `Link` is this loop's outgoing side towards one other loop: envelopes appended
 * during a tick are sent as one frame at the end of the tick (a microtask, or the end of
 * the dispatcher's run, whichever comes first), or at once when the frame grows past
 * {@link FLUSH_BYTES}, so a long synchronous loop of tells streams out in bounded frames
 * instead of one huge one. Frames up to 1 KiB cross as strings (see string-frames.ts).
 *
 * Only the first frame of a task leaves from a microtask (a lone ask or reply goes out at
 * once); later frames in the same task wait for a macrotask. Without that, a producer
 * doing `await ref.send(…)` in a loop sent one frame per message — its continuation runs
 * after the flush microtask — 10 001 frames for 10 000 sends. A task ends when one of the
 * loop's own macrotasks begins (the flush of later frames is one), or when the loop
 * receives a lone small frame (see `Turns.enterTask`): an ask sent after its previous
 * answer arrived in the same turn (Node handles several message events per turn) waited
 * for a macrotask, ~a quarter of sequential asks on Node. Nothing is scheduled only to end
 * a task (turns.ts), so a frame sent from a timer or an I/O callback after an earlier
 * frame, with no message event between, waits for a macrotask too: it leaves in the same
 * event-loop turn, after the loop's I/O poll.
 *
 * Control messages (plain objects, used for the shutdown phases and the mesh set-up) go
 * through {@link postControl}, which first sends any pending frame so the two kinds stay
 * in order.
 *
 * @example
 * ```ts
 * const link = new Link(2, endpoint, (value) => codec.encode(value), () => ack);
 * link.writeEnvelope(Kind.Tell, 5, 0, 0, "inc", 1, maxMessageBytes);
 * // …sent as one frame when the current tick ends
 * ```
 * @module
 */
import { type Delegate, FrameEncoder } from "../wire/frame-encoder.ts";
import { macrotask } from "../util/macrotask.ts";
import { Turns } from "../util/turns.ts";
import { microtask } from "../util/microtask.ts";
import { FRAME_HEADER_BYTES, frameHeaderField } from "../wire/frame-header.ts";
import { frameToString, STRING_FRAME_BYTES, stringFrameCount } from "../wire/string-frames.ts";
import type { Endpoint, Transfer } from "./endpoint.ts";

/** A frame this large is posted at once instead of waiting for the end of the tick. */
export const FLUSH_BYTES = 64 * 1024;

export class Link {
  /** Index of the loop at the other end. */
  readonly peer: number;
  /** Envelopes sent over this link so far (used by shutdown's quiescence check). */
  sent = 0;
  readonly #endpoint: Endpoint;
  /** The ack to put in each frame header (this loop's consumption of the peer's messages). */
  readonly #ack: () => number;
  readonly #writer: FrameEncoder;
  readonly #macrotask: (fn: () => void) => void;
  /** The event loop's turns (shared by the loop's links and dispatcher, see turns.ts). */
  readonly #turns: Turns;
  readonly #flushBytes: number;
  #scheduled = false;
  #closed = false;
  #lastAck = 0;
  /** The task (see turns.ts) the last frame left in (0: none yet). */
  #frameTask = 0;
  readonly #flush = (): void => {
    this.#scheduled = false;
    this.flush();
  };
  /** The flush of a task's later frames: a macrotask of its own, so a new turn. */
  readonly #flushLater = (): void => {
    this.#turns.enterTurn();
    this.#flush();
  };

  /**
   * @param delegate encodes the values the frame encoder does not write itself (the loop's codec)
   * @param ack the value for each frame header's ack field
   * @param tuning `macrotask` to run later frames on, `turns` (the loop's, shared with its
   *   dispatcher; default: the link's own), and `flushBytes` (a frame this large
   *   leaves at once; the testkit's deterministic mode uses 1: one envelope per frame)
   */
  constructor(
    peer: number,
    endpoint: Endpoint,
    delegate: Delegate,
    ack: () => number = () => 0,
    tuning: { macrotask?: (fn: () => void) => void; turns?: Turns; flushBytes?: number } = {},
  ) {
    this.peer = peer;
    this.#endpoint = endpoint;
    this.#writer = new FrameEncoder(delegate);
    this.#ack = ack;
    this.#macrotask = tuning.macrotask ?? macrotask;
    this.#turns = tuning.turns ?? new Turns();
    this.#flushBytes = tuning.flushBytes ?? FLUSH_BYTES;
  }

  /** True once closed or abandoned: nothing more can be sent. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Encodes `[kind, to, from, id, name, payload]` straight into the pending frame and
   * returns its size. Throws the encoder's failure for a payload that cannot be encoded or
   * an envelope over `maxBytes` (nothing is queued).
   */
  writeEnvelope(kind: number, to: number, from: number, id: number, name: string | null, payload: unknown, maxBytes: number): number {
    const size = this.#writer.writeEnvelope(kind, to, from, id, name, payload, maxBytes); // throws past maxBytes
    this.#queued();
    return size;
  }

  /** Queues one envelope encoded elsewhere (copied now, so the caller may reuse its buffer). */
  append(envelope: Uint8Array): void {
    this.#writer.appendEncoded(envelope);
    this.#queued();
  }

  #queued(): void {
    this.sent++;
    if (this.#writer.byteLength >= this.#flushBytes) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      if (this.#frameTask !== this.#turns.task) microtask(this.#flush);
      else this.#macrotask(this.#flushLater);
    }
  }

  /** True while this link's flush is queued (a microtask, or a macrotask for a task's later frames). */
  get flushPending(): boolean {
    return this.#scheduled;
  }

  /**
   * Posts the pending frame, if any: copied by the endpoint when it can (a shared-memory
   * ring, see ring-endpoint.ts), else a transferred buffer, or a string when small (string-frames.ts).
   */
  flush(): void {
    if (this.#writer.count === 0 || this.#closed) return;
    this.#lastAck = this.#ack();
    const frame = this.#writer.take(this.#lastAck);
    if (this.#endpoint.postBytes?.(frame) === true) this.#writer.recycle(frame); // copied into shared memory
    else if (frame.byteLength <= STRING_FRAME_BYTES) {
      this.#endpoint.post(frameToString(frame));
      this.#writer.recycle(frame);
    } else this.#endpoint.post(frame, [frame.buffer as ArrayBuffer]); // frames never live in shared memory
    this.#frameTask = this.#turns.task;
  }

  /** Sends raw frame bytes (or a string frame, see string-frames.ts) after any pending frame (tests use it to send malformed frames). */
  postFrame(frame: Uint8Array | string): void {
    this.flush();
    // The receiver counts what the header announces; so must the sender (quiescence).
    if (typeof frame === "string") {
      this.sent += stringFrameCount(frame);
      if (!this.#closed) this.#endpoint.post(frame);
      return;
    }
    if (frame.byteLength >= FRAME_HEADER_BYTES) this.sent += frameHeaderField(frame, 0);
    if (!this.#closed) this.#endpoint.post(frame, [frame.buffer as ArrayBuffer]);
  }

  /** Sends a control object after any pending frame. */
  postControl(message: object, transfer?: Transfer[]): void {
    this.flush();
    if (!this.#closed) this.#endpoint.post(message, transfer);
  }

  /** Sends the current ack as a control message if the last frame carried an older one. */
  ackIfStale(): void {
    const ack = this.#ack();
    if (ack === this.#lastAck || this.#closed) return;
    this.#lastAck = ack;
    this.postControl({ type: "ack", n: ack });
  }

  /** The peer is gone: drop what is pending and stop using the endpoint (messages in it were lost). */
  abandon(): void {
    this.#closed = true;
    this.#endpoint.close();
  }

  /** Flushes and closes the underlying endpoint. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    this.#endpoint.close();
  }
}

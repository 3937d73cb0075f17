/**
 * The {@link Endpoint} a {@link Link} to another node posts through: one NATS subject per
 * destination node and sender (`<cluster>.f.<to>.<from>`), so a remote node is one more
 * peer behind the transport's seam and frames stay batched per destination. Each frame
 * goes out with an 8-byte prefix, the number of envelopes this sender posted to that node
 * before it (a float64), from which the receiver counts what NATS lost (a gap); small
 * frames that the link turned into strings go back to bytes. Control objects (acks, gap
 * notices) go to `<cluster>.c.<to>.<from>` as msgpack.
 *
 * @example
 * ```ts
 * declare const publish: (subject: string, data: Uint8Array) => void;
 * const endpoint = new NatsEndpoint(publish, "missive.f.b.a", "missive.c.b.a", (v) => codec.encode(v));
 * const link = new Link(1, endpoint, (v) => codec.encode(v));
 * ```
 * @module
 */
import type { Endpoint } from "../transport/endpoint.ts";
import { FRAME_HEADER_BYTES, frameHeaderField } from "../wire/frame-header.ts";

/** Bytes before the frame in a NATS message: the envelopes posted before it (float64). */
export const PREFIX_BYTES = 8;

export class NatsEndpoint implements Endpoint {
  /** Envelopes posted so far (the next frame's prefix). */
  posted = 0;
  /** Frames posted so far. */
  frames = 0;
  readonly #publish: (subject: string, data: Uint8Array) => void;
  readonly #frameSubject: string;
  readonly #controlSubject: string;
  readonly #encode: (value: unknown) => Uint8Array;
  #closed = false;

  constructor(
    publish: (subject: string, data: Uint8Array) => void,
    frameSubject: string,
    controlSubject: string,
    encode: (v: unknown) => Uint8Array,
  ) {
    this.#publish = publish;
    this.#frameSubject = frameSubject;
    this.#controlSubject = controlSubject;
    this.#encode = encode;
  }

  post(data: unknown): void {
    if (this.#closed) return;
    if (typeof data !== "string" && !(data instanceof Uint8Array)) {
      this.#publish(this.#controlSubject, this.#encode(data).slice());
      return;
    }
    const length = typeof data === "string" ? data.length : data.byteLength;
    const out = new Uint8Array(PREFIX_BYTES + length);
    if (typeof data === "string") { for (let i = 0; i < length; i++) out[PREFIX_BYTES + i] = data.charCodeAt(i); }
    else out.set(data, PREFIX_BYTES);
    new DataView(out.buffer).setFloat64(0, this.posted);
    if (length >= FRAME_HEADER_BYTES) this.posted += frameHeaderField(out.subarray(PREFIX_BYTES), 0);
    this.frames++;
    this.#publish(this.#frameSubject, out);
  }

  listen(): void {
    // Frames from the node arrive on this node's subscription (cluster-node.ts), not here.
  }

  close(): void {
    this.#closed = true;
  }
}

/**
 * The wires between the simulated loops of the testkit's deterministic mode: in-memory
 * `Endpoint`s whose frames wait in one FIFO queue per ordered pair of loops, until the
 * scheduler delivers them (see `schedulers.ts`). The oldest frame of each pair is on offer
 * (so FIFO per pair holds whatever the scheduler picks), labelled with the pair and the
 * envelope (`w0→w1: ask "get"`) for the scheduler's report.
 * Control objects (acks) are delivered at once: they carry no message.
 *
 * @example
 * ```ts
 * const net = new SimNetwork(seededScheduler(1), () => {});
 * const [a, b] = net.pair(0, 1); // a: loop 0's endpoint towards loop 1, b: loop 1's towards 0
 * ```
 * @module
 */
import type { Endpoint } from "../transport/endpoint.ts";
import { Codec } from "../wire/codec.ts";
import { type Envelope, Kind, localIdOf, loopOf } from "../wire/envelope.ts";
import { StringFrameReader } from "../wire/string-frames.ts";
import type { DeliveryScheduler } from "./schedulers.ts";

const loopName = (i: number): string => (i === 0 ? "main" : `w${i - 1}`);

/** A short description of an envelope, for schedules. */
function describeEnvelope(env: Envelope): string {
  const kind = env[0] & 7;
  const to = localIdOf(env[1]) === 0 ? `${loopName(loopOf(env[1]))} (loop)` : `actor ${localIdOf(env[1])}@${loopName(loopOf(env[1]))}`;
  switch (kind) {
    case Kind.Tell:
      return `tell "${env[4]}" to ${to}`;
    case Kind.Ask:
      return `ask "${env[4]}" to ${to}`;
    case Kind.Reply:
      return `reply to ask #${env[3]}`;
    case Kind.Fail:
      return `failure of ask #${env[3]}`;
    default:
      return "credit";
  }
}

export class SimNetwork {
  readonly #scheduler: DeliveryScheduler;
  readonly #onOffer: () => void;
  /** Frames waiting per ordered pair `from→to`. */
  readonly #queues = new Map<string, unknown[]>();
  /** `receivers[to][from]`: loop `to`'s handler for what `from` sends. */
  readonly #receivers = new Map<string, (data: unknown) => void>();
  readonly #labels = new Codec({ isRef: () => false, toWire: () => [0, 0, 0, ""], fromWire: (_n, _l, _i, label) => ({ label }) });
  readonly #strings = new StringFrameReader();
  /** Frames delivered so far. */
  delivered = 0;

  /** @param onOffer called whenever a delivery becomes possible (the system starts running it) */
  constructor(scheduler: DeliveryScheduler, onOffer: () => void) {
    this.#scheduler = scheduler;
    this.#onOffer = onOffer;
  }

  /** Frames offered and not yet delivered. */
  get waiting(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  /** The two ends of the wire between loops `a` and `b`: `a`'s endpoint, `b`'s endpoint. */
  pair(a: number, b: number): [Endpoint, Endpoint] {
    return [this.#end(a, b), this.#end(b, a)];
  }

  #end(self: number, peer: number): Endpoint {
    const key = `${self}→${peer}`;
    const queue: unknown[] = [];
    this.#queues.set(key, queue);
    let closed = false;
    // Only the oldest frame of a pair is on offer (FIFO per pair); the next one once it is delivered.
    const offerHead = (): void => {
      this.#scheduler.offer(`${loopName(self)}→${loopName(peer)}: ${this.#describe(queue[0])}`, () => {
        const frame = queue.shift();
        this.delivered++;
        if (queue.length > 0) offerHead();
        this.#receivers.get(`${peer}←${self}`)?.(frame);
      });
    };
    return {
      post: (data) => {
        if (closed) return;
        if (typeof data === "object" && data !== null && !(data instanceof Uint8Array)) {
          this.#receivers.get(`${peer}←${self}`)?.(data); // a control object (an ack): at once
          return;
        }
        queue.push(data);
        if (queue.length === 1) offerHead();
        this.#onOffer();
      },
      listen: (handler) => void this.#receivers.set(`${self}←${peer}`, handler),
      close: () => {
        closed = true;
      },
    };
  }

  #describe(data: unknown): string {
    try {
      const bytes = typeof data === "string" ? this.#strings.read(data) : data as Uint8Array;
      const cursor = this.#labels.openFrame(bytes.slice());
      const parts: string[] = [];
      for (let env = cursor.next(); env !== null; env = cursor.next()) parts.push(describeEnvelope(env));
      return parts.join(", ");
    } catch {
      return "(a frame)";
    }
  }
}

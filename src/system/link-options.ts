/**
 * How the loops of a system reach each other: over `MessageChannel` ports (the default),
 * or over shared-memory rings — one `SharedArrayBuffer` ring per direction for every pair
 * of loops, the port kept beside it for control messages and for frames the ring has no
 * room for (see `transport/ring-endpoint.ts`). Checked here, settled once at start, and
 * applied where the pool and the workers make their endpoints.
 *
 * @example
 * ```ts
 * await using system = await ActorSystem.start({ link: { transport: "ring", spinMicros: 50 } });
 * ```
 * @module
 */
import { checkInteger, checkOptions } from "../actor/validate.ts";
import { InvalidArgumentError } from "../errors.ts";
import type { Endpoint } from "../transport/endpoint.ts";
import { MIN_RING_BYTES, ringsAvailable } from "../transport/ring.ts";
import { RingEndpoint, type RingPairSide } from "../transport/ring-endpoint.ts";

/**
 * The `link` option of `ActorSystem.start`: how frames cross between the main thread and
 * the workers, and between workers.
 *
 * @example
 * ```ts
 * const link: LinkOptions = { transport: "ring", ringBytes: 512 * 1024 };
 * await using system = await ActorSystem.start({ link });
 * ```
 */
export interface LinkOptions {
  /**
   * `"port"` (default): every frame is a `postMessage` on a `MessageChannel` port.
   * `"ring"`: frames are copied into a shared-memory ring per direction (no allocation or
   * structured clone per frame, no wake-up while the receiver is busy); where
   * `SharedArrayBuffer` or `Atomics.waitAsync` is missing, ports are used instead.
   */
  transport?: "port" | "ring";
  /** Bytes of each ring, one per direction per pair of loops (default 256 KiB; 4 KiB to 64 MiB). Frames over half of it go by the port. */
  ringBytes?: number;
  /**
   * Low-latency mode (`"ring"` only): microseconds a loop polls its rings after it received
   * something, before it parks (default 0: park at once; at most 10 000). Lower ask latency
   * between busy loops, paid for in CPU time: up to that long per message on each side.
   * While it polls with nothing else queued, a loop watches its rings without yielding for
   * up to 10 µs at a time, so its timers and I/O may wait that long, and up to 1 ms per
   * event-loop turn while two polling loops talk.
   */
  spinMicros?: number;
}

/** The link settings every loop gets (in `LoopOptions`): the transport in use. */
export interface LinkSettings {
  /** `"ring"` only where the runtime has what rings need. */
  transport: "port" | "ring";
  ringBytes: number;
  spinMicros: number;
}

const LINK_OPTIONS = Object.keys(
  { transport: true, ringBytes: true, spinMicros: true } satisfies { [K in keyof Required<LinkOptions>]: true },
);

/** The default ring size. */
export const DEFAULT_RING_BYTES = 256 * 1024;

/**
 * Checks the `link` option (throws `InvalidArgumentError` naming the problem) and settles it.
 *
 * @example
 * ```ts
 * linkSettings({ transport: "ring" }); // { transport: "ring", ringBytes: 262144, spinMicros: 0 } where rings work
 * linkSettings({ transport: "shm" as never }); // InvalidArgumentError
 * ```
 */
export function linkSettings(options: LinkOptions | undefined): LinkSettings {
  checkOptions("the link option", options, LINK_OPTIONS);
  const transport = options?.transport ?? "port";
  if (transport !== "port" && transport !== "ring") {
    throw new InvalidArgumentError(
      `link.transport must be "port" (MessageChannel ports) or "ring" (shared-memory rings); got ${JSON.stringify(transport)}.`,
    );
  }
  checkInteger("link.ringBytes", options?.ringBytes, Math.max(MIN_RING_BYTES, 4096), 64 * 1024 * 1024);
  checkInteger("link.spinMicros", options?.spinMicros, 0, 10_000);
  if (options?.spinMicros !== undefined && options.spinMicros > 0 && transport !== "ring") {
    throw new InvalidArgumentError(`link.spinMicros needs link.transport "ring" (ports cannot be polled); add transport: "ring".`);
  }
  return {
    transport: transport === "ring" && ringsAvailable() ? "ring" : "port",
    ringBytes: options?.ringBytes ?? DEFAULT_RING_BYTES,
    spinMicros: options?.spinMicros ?? 0,
  };
}

/**
 * The endpoint a loop uses towards a peer: `port` as it is, or a {@link RingEndpoint} over
 * it when the set-up brought a ring pair (`side`); `canSpin` is the loop's say on when a
 * low-latency ring may hold the event loop (see `RingEndpointOptions.canSpin`).
 *
 * @example
 * ```ts
 * const { port1 } = new MessageChannel();
 * const [side] = createRingPair(64 * 1024);
 * loop.connect(2, linkEndpoint(portEndpoint(port1), side, loop.options.link, loop.canSpin));
 * ```
 */
export function linkEndpoint(
  port: Endpoint,
  side: RingPairSide | undefined,
  settings: LinkSettings | undefined,
  canSpin?: () => boolean,
): Endpoint {
  if (side === undefined) return port;
  return new RingEndpoint(port, side, { spinMicros: settings?.spinMicros ?? 0, canSpin });
}

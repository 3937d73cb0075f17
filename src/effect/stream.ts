/**
 * Channels as Streams and Sinks. The mapping both ways, with nothing lost or duplicated:
 *
 * | channel                              | Stream / Sink                                                   |
 * | ------------------------------------ | --------------------------------------------------------------- |
 * | closed (`close()`), buffer drained   | `fromChannel` ends                                              |
 * | closed with a reason, or owner gone  | `fromChannel` fails with `ChannelClosed` (`cause.cause`)        |
 * | a get waiting when the fiber is interrupted | the get is cancelled: an item already handed to it goes back to the front of the channel |
 * | full                                 | `toChannel` / `pipeInto` wait (backpressure: one put at a time) |
 * | a put waiting when the fiber is interrupted | the put is withdrawn (the value was not sent), or it had been accepted already |
 * | closed while putting                 | `toChannel` fails with `ChannelClosed` carrying the unsent value |
 * | `pipeInto`'s stream ends / fails / is interrupted | the channel is closed / closed with the error / closed with an `Interrupted` reason |
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect";
 * import { fromChannel, pipeInto } from "missive-actors/effect";
 * const copy = Effect.gen(function* () {
 *   yield* Effect.forkChild(pipeInto(Stream.range(1, 100), numbers)); // closes `numbers` at the end
 *   return yield* Stream.runCollect(fromChannel(numbers));            // 1 … 100
 * });
 * ```
 * @module
 */
import { Cause, Effect, Exit, type Scope, Sink, Stream } from "effect";
import { Channel, type ChannelOptions } from "../channel/channel.ts";
import { ChannelClosedError } from "../channel/errors.ts";
import { failWith } from "./client.ts";
import type { ChannelClosed, SpawnError } from "./errors.ts";
import { MissiveSystem } from "./system.ts";

const CLOSED = new Set(["ChannelClosed"]);
const OPEN_TAGS = new Set(["SpawnFailed", "SystemStopped"]);

/**
 * Opens a channel for the current scope: it is closed when the scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect";
 * import { openChannel } from "missive-actors/effect";
 * const jobs = Effect.scoped(Effect.flatMap(openChannel<number>({ capacity: 8 }), (ch) => Effect.succeed(ch.capacity)));
 * ```
 */
export function openChannel<T>(options: ChannelOptions): Effect.Effect<Channel<T>, SpawnError, MissiveSystem | Scope.Scope> {
  return Effect.acquireRelease(
    Effect.flatMap(Effect.service(MissiveSystem), (system) =>
      Effect.callback<Channel<T>, SpawnError>((resume) => {
        Channel.open<T>(system, options).then((ch) => resume(Effect.succeed(ch)), (e) => resume(failWith(e, OPEN_TAGS)));
      })),
    (ch) => Effect.promise(() => ch.close().catch(() => {})),
  );
}

/**
 * Takes the next item (waiting while the channel is empty). Fails with `ChannelClosed`
 * when the channel is closed and drained; interrupting cancels the get without losing an item.
 *
 * @example
 * ```ts
 * import { take } from "missive-actors/effect";
 * const next = take(jobs); // Effect<Job, ChannelClosed>
 * ```
 */
export function take<T>(ch: Channel<T>): Effect.Effect<T, ChannelClosed> {
  return Effect.callback<T, ChannelClosed>((resume, signal) => {
    ch.get({ signal }).then((item) => resume(Effect.succeed(item)), (e) => resume(failWith(e, CLOSED)));
  });
}

/**
 * Puts `value`, waiting while the channel is full. Fails with `ChannelClosed` (carrying the
 * value, which was not sent) when it is closed; interrupting withdraws a waiting put.
 *
 * @example
 * ```ts
 * import { put } from "missive-actors/effect";
 * const one = put(jobs, job); // Effect<void, ChannelClosed>
 * ```
 */
export function put<T>(ch: Channel<T>, value: T): Effect.Effect<void, ChannelClosed> {
  return Effect.callback<void, ChannelClosed>((resume, signal) => {
    ch.put(value, { signal }).then(() => resume(Effect.void), (e) => resume(failWith(e, CLOSED)));
  });
}

/**
 * The channel's items as a Stream, until it is closed and drained (see the module doc).
 *
 * @example
 * ```ts
 * import { Stream } from "effect";
 * import { fromChannel } from "missive-actors/effect";
 * const firstTen = Stream.runCollect(Stream.take(fromChannel(numbers), 10));
 * ```
 */
export function fromChannel<T>(ch: Channel<T>): Stream.Stream<T, ChannelClosed> {
  return Stream.fromEffectRepeat(Effect.callback<T, ChannelClosed | Cause.Done>((resume, signal) => {
    ch.get({ signal }).then((item) => resume(Effect.succeed(item)), (e) => {
      // A plain close, drained: the end of the stream.
      if (e instanceof ChannelClosedError && !e.hasValue && e.cause === undefined) resume(Cause.done());
      else resume(failWith(e, CLOSED));
    });
  }));
}

/**
 * A Sink that puts every element into the channel, one at a time, waiting while it is full.
 * It does not close the channel (see {@link pipeInto}).
 *
 * @example
 * ```ts
 * import { Stream } from "effect";
 * import { toChannel } from "missive-actors/effect";
 * const fill = Stream.run(Stream.range(1, 10), toChannel(numbers));
 * ```
 */
export function toChannel<T>(ch: Channel<T>): Sink.Sink<void, T, never, ChannelClosed> {
  return Sink.forEach((item: T) => put(ch, item));
}

/**
 * The reason `pipeInto` closes its channel with when it is interrupted: consumers' streams
 * fail with `ChannelClosed` whose cause says so, rather than end as if all was sent.
 *
 * @example
 * ```ts
 * import { ProducerInterrupted } from "missive-actors/effect";
 * const reason = new ProducerInterrupted("Channel(Owner#1@w0)");
 * ```
 */
export class ProducerInterrupted extends Error {
  constructor(what: string) {
    super(`the producer feeding ${what} was interrupted before its stream ended`);
    this.name = "ProducerInterrupted";
  }
}

/**
 * Runs `stream` into the channel with backpressure, then closes it: plainly when the stream
 * ends (consumers' streams end after the buffer), with the error when it fails, with
 * {@link ProducerInterrupted} when interrupted. Fails like the stream, or with
 * `ChannelClosed` when the channel was closed under it (the unsent value in it).
 *
 * @example
 * ```ts
 * import { Stream } from "effect";
 * import { pipeInto } from "missive-actors/effect";
 * const produce = pipeInto(Stream.make(1, 2, 3), numbers);
 * ```
 */
export function pipeInto<T, E, R>(stream: Stream.Stream<T, E, R>, ch: Channel<T>): Effect.Effect<void, E | ChannelClosed, R> {
  return Stream.run(stream, toChannel(ch)).pipe(Effect.onExit((exit) =>
    Effect.promise(() => {
      const reason = Exit.isSuccess(exit)
        ? undefined
        : Cause.hasInterruptsOnly(exit.cause)
        ? new ProducerInterrupted(`${ch}`)
        : Cause.squash(exit.cause);
      return ch.close(reason).catch(() => {}); // already closed, or the system is stopping
    })
  ));
}

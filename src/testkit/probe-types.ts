/**
 * The types of `TestProbe` (probe.ts): the protocol a probe receives, its messages, the
 * matchers of the expectations and their options.
 *
 * @example
 * ```ts
 * type Pongs = { pong: number };
 * const isBig: MessageMatcher<Pongs> = (m) => m.name === "pong" && m.arg > 100;
 * ```
 * @module
 */
import type { ActorDefinition } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";

/** What a probe receives: message name → argument type (`void` for none). */
export type ProbeProtocol = object;

/** One message a probe received (a union over the protocol's names, so `name` narrows `arg`). */
export type ProbeMessage<P extends ProbeProtocol = Record<string, unknown>> = {
  [K in keyof P & string]: {
    /** The message name. */
    name: K;
    /** The message argument. */
    arg: P[K];
    /** The sending actor, when an actor sent it. */
    sender: ActorRef | undefined;
  };
}[keyof P & string];

/** The message of `P` named `K`. */
export type ProbeMessageOf<P extends ProbeProtocol, K extends keyof P & string> = Extract<ProbeMessage<P>, { name: K }>;

/** The definition a probe's ref is typed by: one handler per protocol message. */
export type ProbeDefinition<P extends ProbeProtocol> = ActorDefinition<
  void,
  void,
  { [K in keyof P & string]: (state: void, arg: P[K]) => void }
>;

/** Which message an expectation wants: a name, or a predicate. */
export type MessageMatcher<P extends ProbeProtocol> = (keyof P & string) | ((message: ProbeMessage<P>) => boolean);

/** Options of {@link TestProbe.receive}. */
export interface ReceiveOptions {
  /** Milliseconds to wait before rejecting with `AskTimeoutError` (default 10 000). */
  timeout?: number;
  /** Aborting rejects the wait with the signal's reason and removes only this waiter. */
  signal?: AbortSignal;
}

/** Options of the expectations. */
export interface ExpectOptions {
  /**
   * Upper bound in milliseconds before the expectation fails (default 10 000). It bounds a
   * wait; it is never how the outcome is decided (`expectNoMessage` waits for quiescence).
   */
  within?: number;
  /** Aborting rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The envelope: the one shape every message has on the wire and in a mailbox.
 *
 * `[kind, to, from, id, name, payload]`, a msgpack array of six, kept as a plain array
 * after decoding (no per-message object is built). Addresses are integers
 * (see {@link address}), message names are short strings, so a small tell costs a
 * handful of bytes.
 *
 * In a frame, an envelope with the same kind, `to`, `from` and name as the whole envelope
 * before it is written as a repeat, `[id, payload]` (a msgpack array of two): mail comes
 * in runs from one sender to one actor, and a repeat is neither written nor read field by
 * field. A frame starts with a whole envelope; size limits count a repeat as the whole
 * envelope it stands for.
 *
 * @example
 * ```ts
 * const env: Envelope = [Kind.Tell, 7, 0, 0, "inc", 2];
 * ```
 * @module
 */

/** What an envelope asks of its receiver. */
export const Kind = {
  /** Fire-and-forget message to actor `to`. */
  Tell: 0,
  /** Request to actor `to`; the answer goes to the loop of `from` with the same `id`. */
  Ask: 1,
  /** Successful answer to ask `id` of the receiving loop. */
  Reply: 2,
  /** Failed answer to ask `id`; the payload is the error. */
  Fail: 3,
  /** Flow control: actor `from` took `id` more of this loop's counted messages out of its mailbox. */
  Credit: 4,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/**
 * Flag or-ed into the kind of a tell or ask that took a credit (to a bounded actor): the
 * receiver credits it back exactly once, whatever becomes of the message.
 */
export const COUNTED = 8;

/**
 * Flag set (on the receiving side only) once a user message from another loop has been
 * taken out of its mailbox: its handler started, or it became a dead letter.
 */
export const TAKEN = 32;

/** A decoded envelope: `[kind, to, from, id, name, payload]`. */
export type Envelope = [kind: number, to: number, from: number, id: number, name: string | null, payload: unknown];

/**
 * Actor addresses are one integer: `localId * LOOP_SPAN + loop`, where `loop` is the
 * index of the event loop (0 = main, 1..n = workers) and `localId` the actor's number on
 * that loop (0 = the loop itself, which answers system requests such as spawn and stop).
 * Integers keep the envelope lean; the node id of a future multi-machine transport
 * travels in refs, not in every envelope.
 */
export const LOOP_SPAN = 1024;

/** Address of actor `localId` on loop `loop`. */
export function address(loop: number, localId: number): number {
  return localId * LOOP_SPAN + loop;
}
/** The loop an address lives on. */
export function loopOf(addr: number): number {
  return addr % LOOP_SPAN;
}
/** The actor number of an address on its loop. */
export function localIdOf(addr: number): number {
  return Math.floor(addr / LOOP_SPAN);
}

/** Message names that start with `$` are reserved for the framework. */
export const SystemMessage = {
  /** Answered after every earlier message from the same sender was processed. */
  Flush: "$flush",
  /** A watched or linked actor stopped; the payload is `[address, label, reason, normal, error?]`. */
  Terminated: "$terminated",
  /** Shutdown's drain phase begins: the actor's `onDrain` runs (in mailbox order). */
  Drain: "$drain",
} as const;

/**
 * The messages between channel clients and the channel's owner actor, and the small
 * replies the owner sends back. Replies are codes, not errors: the client builds the
 * error itself (a `ChannelClosedError` carrying the caller's own value, with a stack
 * trace from the caller's side).
 *
 * | message | argument | reply |
 * | --- | --- | --- |
 * | `get` (ask) | `[key, wait, done]` (`done`: pending `taskDone` count) | `[Item, value]`, `[Empty]` (tries), `[Closed, reason?]`, `[Cancelled]` |
 * | `put` (ask) | `[value, key, mode]` | `[Accepted]`, `[Full]` (tries), `[Closed, reason?]`, `[Cancelled]`, `[Tentative]` (offers) |
 * | `ack` (tell) | `key` | — the item handed to cancellable get `key` was kept |
 * | `cancel` (tell) | `key` | — withdraw waiter `key`, or return its item, or decline its offer |
 * | `confirm` (tell) | `key` | — the tentatively accepted offer `key` is committed |
 * | `close` (ask) | `[reason?]` | `undefined` |
 * | `taskDone` (tell) | `count` | — |
 * | `join` (ask) | `key` | `[Done]`, `[Cancelled]`, `[Closed, reason?]` (owner stopped) |
 * | `stats` (ask) | — | `ChannelStats` |
 *
 * `key` is `null` for waits that cannot be cancelled (no signal, no timeout): those cost
 * no extra message.
 *
 * @example
 * ```ts
 * // The owner answers through ctx.deferReply, so the ask is typed by hand (as in Channel.get).
 * const [code, value] = await (ch.owner.ask("get", [null, true, 0], NO_TIMEOUT) as Promise<unknown> as Promise<GetReply>);
 * if (code === Reply.Item) use(value);
 * ```
 * @module
 */

/**
 * Reply codes (first element of every reply array).
 *
 * @example
 * ```ts
 * declare const reply: GetReply;
 * if (reply[0] === Reply.Closed) throw new ChannelClosedError(`${ch}`, closedCause(reply));
 * ```
 */
export const Reply = {
  Item: 0,
  Accepted: 0,
  Done: 0,
  Released: 0,
  Empty: 1,
  Full: 1,
  Closed: 2,
  Cancelled: 3,
  Tentative: 4,
} as const;

/**
 * `put` modes: wait or try, as a plain put or as a select's offer (bit 2).
 *
 * @example
 * ```ts
 * await owner.ask("put", [value, key, PutMode.Offer | PutMode.Try], NO_TIMEOUT);
 * ```
 */
export const PutMode = { Wait: 0, Try: 1, Offer: 2 } as const;

/**
 * What the owner answers to `get`.
 *
 * @example
 * ```ts
 * const r: GetReply = [Reply.Item, 42];
 * ```
 */
export type GetReply = [code: 0, value: unknown] | [code: 1] | [code: 2, reason?: unknown] | [code: 3];

/**
 * What the owner answers to `put`.
 *
 * @example
 * ```ts
 * const r: PutReply = [Reply.Accepted];
 * ```
 */
export type PutReply = [code: 0 | 1 | 3 | 4] | [code: 2, reason?: unknown];

/**
 * What an owner answers to `join` / a barrier's or latch's `wait`.
 *
 * @example
 * ```ts
 * const r: WaitReply = [Reply.Released, 0, 2]; // a barrier's generation and arrival index
 * ```
 */
export type WaitReply = [code: 0, ...rest: unknown[]] | [code: 2, reason?: unknown] | [code: 3];

/**
 * The `[Closed, reason?]` reply for a close `reason` (`[]` when closed without one).
 *
 * @example
 * ```ts
 * closedReply([]);      // [2]
 * closedReply([error]); // [2, error]
 * ```
 */
export function closedReply(reason: [] | [unknown]): [code: 2, reason?: unknown] {
  return reason.length === 0 ? [Reply.Closed] : [Reply.Closed, reason[0]];
}

/**
 * The close reason in a `[Closed, reason?]` reply, as error options (no `cause` without a reason).
 *
 * @example
 * ```ts
 * new ChannelClosedError("ch", closedCause([Reply.Closed, error])); // cause: error
 * ```
 */
export function closedCause(reply: readonly unknown[]): { cause?: unknown } {
  return reply.length > 1 ? { cause: reply[1] } : {};
}

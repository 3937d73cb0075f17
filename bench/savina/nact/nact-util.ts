/**
 * Small helpers for the nact versions of the Savina workloads: stateful actors whose
 * handler mutates their state, a `$sync` message to know set-up messages were processed
 * (nact's `query`), and stopping.
 * @module
 */
import { dispatch, query, type Ref, spawn, stop } from "nact";

/** The message a nact actor gets to confirm it processed everything before it. */
export interface SyncMessage {
  type: "$sync";
  reply: Ref<boolean>;
}

/** Spawns a nact actor under `parent` with `state`, handling messages with `handle`. */
export function spawnActor<S, M extends { type: string }>(
  parent: Ref<unknown>,
  state: S,
  handle: (state: S, msg: M) => void,
): Ref<M | SyncMessage> {
  const f = (s: S, msg: M | SyncMessage): S => {
    if (msg.type === "$sync") dispatch((msg as SyncMessage).reply, true);
    else handle(s, msg as M);
    return s;
  };
  return spawn(parent as Ref<never>, f, undefined, { initialState: state }) as Ref<M | SyncMessage>;
}

/** Resolves once every actor in `refs` has processed what was dispatched to it before. */
export async function syncAll(refs: readonly Ref<never>[]): Promise<void> {
  await Promise.all(
    refs.map((r) => query(r as Ref<SyncMessage>, (reply: Ref<boolean>) => ({ type: "$sync", reply }) as SyncMessage, 60_000)),
  );
}

/** Stops every actor in `refs`. */
export function stopAll(refs: readonly Ref<never>[]): void {
  for (const r of refs) stop(r);
}

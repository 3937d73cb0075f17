/**
 * A FIFO double-ended queue on a growable ring buffer: O(1) push, shift and
 * unshift, no per-item allocation. Mailboxes, ready queues and waiter lists
 * are all deques (as in Deno std's channel), never arrays with `shift()`.
 * An empty deque that was never used holds no buffer (an idle actor's mailbox costs
 * only the deque object); the first push allocates 4 slots.
 *
 * @example
 * ```ts
 * const q = new Deque<number>();
 * q.push(1); q.push(2);
 * q.shift(); // 1
 * ```
 */
/** The buffer of every deque that never held an item: length 0, never written (a push grows first). */
const NONE: never[] = [];

export class Deque<T> {
  #items: (T | undefined)[] = NONE;
  #head = 0;
  #size = 0;

  /** Number of items in the queue. */
  get length(): number {
    return this.#size;
  }

  /** Appends an item at the back. */
  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = item;
    this.#size++;
  }

  /** Puts an item back at the front (used to return an item that was taken). */
  unshift(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & (this.#items.length - 1);
    this.#items[this.#head] = item;
    this.#size++;
  }

  /** Removes and returns the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#size--;
    return item;
  }

  /** The front item without removing it. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes every item and returns them in FIFO order. */
  drain(): T[] {
    const out: T[] = [];
    while (this.#size > 0) out.push(this.shift() as T);
    return out;
  }

  #grow(): void {
    const old = this.#items;
    const next: (T | undefined)[] = new Array(old.length === 0 ? 4 : old.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = next;
    this.#head = 0;
  }
}

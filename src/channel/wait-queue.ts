/**
 * A FIFO queue of waiters (waiting getters, putters, joiners, barrier parties) that also
 * removes any waiter in O(1): a doubly linked list. Owners keep their waiters here
 * rather than in a `Deque` (as Deno std's channel does) because a cancelled waiter is
 * taken out of the *middle* of the queue — exactly that one, leaving the others in
 * order — and a cancel-heavy workload (gets with short timeouts on an empty channel)
 * must not leave tombstones behind.
 *
 * @example
 * ```ts
 * const q = new WaitQueue<string>();
 * const a = q.push("a"); q.push("b");
 * q.remove(a);
 * q.shift(); // "b"
 * ```
 * @module
 */

/**
 * A waiter's place in its queue (keep it to remove the waiter later).
 *
 * @example
 * ```ts
 * const node = queue.push(waiter);
 * queue.remove(node); // cancelled: exactly this waiter leaves
 * ```
 */
export interface WaitNode<T> {
  readonly value: T;
  /** @internal */ prev: WaitNode<T> | null;
  /** @internal */ next: WaitNode<T> | null;
  /** The queue holding the node, or `null` once it left. */
  queue: WaitQueue<T> | null;
}

/**
 * FIFO of waiters with O(1) push, shift, peeks at both ends and removal of any node.
 *
 * @example
 * ```ts
 * const q = new WaitQueue<number>();
 * q.push(1);
 * q.shift(); // 1
 * ```
 */
export class WaitQueue<T> {
  #head: WaitNode<T> | null = null;
  #tail: WaitNode<T> | null = null;
  #length = 0;

  /** Number of waiters. */
  get length(): number {
    return this.#length;
  }

  /** Appends a waiter at the back; returns its node (for {@link remove}). */
  push(value: T): WaitNode<T> {
    const node: WaitNode<T> = { value, prev: this.#tail, next: null, queue: this };
    if (this.#tail === null) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
    this.#length++;
    return node;
  }

  /** The front waiter, without removing it. */
  peek(): T | undefined {
    return this.#head?.value;
  }

  /** The back waiter (the newest), without removing it. */
  peekLast(): T | undefined {
    return this.#tail?.value;
  }

  /** Removes and returns the front waiter. */
  shift(): T | undefined {
    const node = this.#head;
    if (node === null) return undefined;
    this.remove(node);
    return node.value;
  }

  /** Removes `node` if it is still in this queue; true when it was. */
  remove(node: WaitNode<T>): boolean {
    if (node.queue !== this) return false;
    if (node.prev === null) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = null;
    node.queue = null;
    this.#length--;
    return true;
  }

  /** Removes every waiter and returns them in FIFO order. */
  drain(): T[] {
    const out: T[] = [];
    while (this.#head !== null) out.push(this.shift()!);
    return out;
  }
}

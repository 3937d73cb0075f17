/**
 * A single-producer, single-consumer byte ring in shared memory: one direction of a
 * shared-memory link between two threads. The producer copies each frame in as a record
 * `[length u32][sequence u32][bytes, padded to 8]`; the consumer copies it out. Nothing is
 * allocated per frame on the producer's side, and the consumer carves its copies out of
 * slabs (see {@link RingReader}).
 *
 * Indices live in a small `Int32Array` over their own `SharedArrayBuffer`
 * ({@link RingControl}): the producer owns `TAIL`, the consumer owns `HEAD`; both are byte
 * offsets in `[0, capacity)`, empty when equal, and the producer always leaves a gap so a
 * full ring never looks empty. A record that does not fit before the end is preceded by a
 * wrap marker and written at offset 0. `Atomics.store` of `TAIL` publishes a record (the
 * bytes are written before it), `Atomics.load` of `TAIL` makes them visible to the
 * consumer: a producer that dies half-way through a record never publishes it.
 *
 * `SLEEPING` is the consumer's "I am parked" flag: the producer wakes it only then (how
 * is the endpoint's business, see ring-endpoint.ts) — never while the consumer is busy or
 * spinning.
 *
 * @example
 * ```ts
 * const shared = createRing(64 * 1024);          // cross to the other thread as data
 * const producer = new Ring(shared);
 * producer.tryWrite(0, new Uint8Array([1, 2, 3])); // true: published
 * const consumer = new RingReader(new Ring(shared));
 * consumer.peekSequence();                        // 0
 * consumer.read();                                // Uint8Array [1, 2, 3]
 * ```
 * @module
 */

/** The two shared buffers of one ring (structured-cloneable: pass them to the other thread). */
export interface RingShared {
  /** `RingControl` slots as Int32. */
  readonly control: SharedArrayBuffer;
  /** The records. */
  readonly data: SharedArrayBuffer;
}

/** Slots of a ring's control array. */
export const RingControl = {
  /** Consumer's read offset. */
  HEAD: 0,
  /** Producer's write offset. */
  TAIL: 1,
  /** 1 while the consumer is parked (or about to be). */
  SLEEPING: 2,
} as const;

const CONTROL_SLOTS = 3;
/** Bytes of a record's header (length, sequence). */
const RECORD_HEADER = 8;
/** A record length that means "go on at offset 0". */
const WRAP = -1;
/** Smallest ring: room for a header and a few small frames. */
export const MIN_RING_BYTES = 1024;

/** Records are 8-byte aligned: header plus bytes, rounded up. */
const recordBytes = (length: number): number => (RECORD_HEADER + length + 7) & ~7;

/** Creates the shared buffers of a ring of `bytes` (rounded up to a multiple of 8, at least {@link MIN_RING_BYTES}). */
export function createRing(bytes: number): RingShared {
  const capacity = Math.max(MIN_RING_BYTES, (bytes + 7) & ~7);
  return {
    control: new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT),
    data: new SharedArrayBuffer(capacity),
  };
}

/** True where shared-memory links can work: `SharedArrayBuffer` exists (cross-origin isolation in a browser). */
export function ringsAvailable(): boolean {
  return typeof SharedArrayBuffer === "function" && typeof Atomics === "object";
}

/** One thread's view of a ring: the producer's `tryWrite`, and what a {@link RingReader} needs. */
export class Ring {
  /** The control slots (see {@link RingControl}). */
  readonly control: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #words: Int32Array;
  readonly #capacity: number;

  constructor(shared: RingShared) {
    this.control = new Int32Array(shared.control);
    this.#bytes = new Uint8Array(shared.data);
    this.#words = new Int32Array(shared.data);
    this.#capacity = shared.data.byteLength;
  }

  /** Bytes of the ring. */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * The largest frame this ring takes (larger ones must go another way): half the ring, so
   * that an empty ring always has room for it, before its end or after a wrap.
   */
  get maxFrameBytes(): number {
    return (this.#capacity >> 1) - 3 * RECORD_HEADER;
  }

  /**
   * Producer: copies `frame` in as record `sequence` and publishes it; false (nothing
   * written) when it does not fit now.
   */
  tryWrite(sequence: number, frame: Uint8Array): boolean {
    if (frame.byteLength > this.maxFrameBytes) return false;
    const control = this.control;
    const capacity = this.#capacity;
    const size = recordBytes(frame.byteLength);
    const head = Atomics.load(control, RingControl.HEAD);
    const tail = control[RingControl.TAIL]!; // only this thread writes it
    let at = tail;
    let next: number;
    if (tail >= head) {
      if (tail + size < capacity || (tail + size === capacity && head !== 0)) next = (tail + size) % capacity;
      else if (size < head) {
        this.#words[tail >> 2] = WRAP; // tail < capacity and 8-aligned: the header fits
        at = 0;
        next = size;
      } else return false;
    } else if (tail + size < head) next = tail + size;
    else return false;
    this.#words[at >> 2] = frame.byteLength;
    this.#words[(at >> 2) + 1] = sequence | 0;
    this.#bytes.set(frame, at + RECORD_HEADER);
    Atomics.store(control, RingControl.TAIL, next);
    return true;
  }

  /** Consumer: the offset of the next record (wrap markers skipped), or -1 when empty. */
  nextRecord(head: number): number {
    const tail = Atomics.load(this.control, RingControl.TAIL);
    if (head === tail) return -1;
    if (this.#words[head >> 2] === WRAP) return tail === 0 ? -1 : 0;
    return head;
  }

  /** Consumer: the length and sequence of the record at `at`. */
  recordLength(at: number): number {
    return this.#words[at >> 2]!;
  }

  recordSequence(at: number): number {
    return this.#words[(at >> 2) + 1]!;
  }

  /** Consumer: the bytes of the record at `at` (a view into shared memory: copy before releasing). */
  recordBytes(at: number): Uint8Array {
    const length = this.#words[at >> 2]!;
    return this.#bytes.subarray(at + RECORD_HEADER, at + RECORD_HEADER + length);
  }

  /** Consumer: the offset just past the record at `at`. */
  after(at: number): number {
    return (at + recordBytes(this.#words[at >> 2]!)) % this.#capacity;
  }
}

/** Receiving slabs: frames are copied into these one after the other. */
const SLAB_BYTES = 256 * 1024;

/**
 * The consuming side of a {@link Ring}: peeks at the next record's sequence, and reads it
 * out into a slab (a bump allocator: a slab is never written twice, so a frame, and any
 * view a decoder keeps into it, stays valid; a used-up slab goes when nothing refers to it).
 */
export class RingReader {
  readonly ring: Ring;
  #slab = new Uint8Array(0);
  #used = 0;

  constructor(ring: Ring) {
    this.ring = ring;
  }

  /** The sequence of the next record, or -1 when the ring is empty. */
  peekSequence(): number {
    const ring = this.ring;
    const at = ring.nextRecord(ring.control[RingControl.HEAD]!);
    return at < 0 ? -1 : ring.recordSequence(at) >>> 0;
  }

  /** True when a record is waiting. */
  get available(): boolean {
    const ring = this.ring;
    return ring.nextRecord(ring.control[RingControl.HEAD]!) >= 0;
  }

  /** Takes the next record out (a copy) and frees its room; undefined when empty. */
  read(): Uint8Array | undefined {
    const ring = this.ring;
    const at = ring.nextRecord(ring.control[RingControl.HEAD]!);
    if (at < 0) return undefined;
    const source = ring.recordBytes(at);
    const n = source.byteLength;
    if (this.#used + n > this.#slab.length) {
      this.#slab = new Uint8Array(Math.max(SLAB_BYTES, n));
      this.#used = 0;
    }
    const start = this.#used;
    const copy = this.#slab.subarray(start, start + n);
    copy.set(source);
    this.#used = (start + n + 7) & ~7;
    Atomics.store(ring.control, RingControl.HEAD, ring.after(at));
    return copy;
  }
}

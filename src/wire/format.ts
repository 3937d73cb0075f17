/**
 * What the frame encoder and reader agree on: the nesting limit and how it is counted,
 * and the msgpack extension types Missive writes.
 *
 * Depth: a value's depth is 1 at the top of what is encoded (the envelope array of a
 * message; a spawn argument or control value encoded on its own), and a container's items
 * are one deeper. Containers are arrays, maps (plain objects) and the extension types with
 * msgpack data inside — Map, Set, Error, ActorRef, handles, null-prototype objects — whose
 * data is read at the extension's own depth, so an extension counts as one level, like the
 * array it is. A container deeper than {@link MAX_DEPTH} is refused by the encoder (the
 * sender) and by the reader alike; leaves (numbers, strings, byte arrays, dates, bigints)
 * are never refused for depth. So in a message, whose payload is at depth 2, a payload
 * nested 99 levels deep is accepted and one nested 100 deep is refused at the call.
 *
 * @example
 * ```ts
 * if (depth > MAX_DEPTH) throw new WireError(`nested deeper than ${MAX_DEPTH} levels`);
 * ```
 * @module
 */

/** The deepest a container may be (see the module comment for how depth is counted). */
export const MAX_DEPTH = 100;

/**
 * Extension types. Data of the structured ones is one msgpack value:
 * Ref `[node, loop, id, label]`, Error `[name, message, stack, fields, cause?]`, Map the
 * flat `[k0, v0, k1, v1, …]`, Set `[items…]`, Handle `[name, data]`, NullProto a map.
 * BigInt is the decimal digits (ASCII), ArrayBuffer its bytes, Utf16 a string that is not
 * well-formed UTF-16 (a lone surrogate) as its UTF-16LE code units; Undefined and
 * InvalidDate have no data. Timestamp is msgpack's own, for valid dates.
 */
export const Ext = {
  Timestamp: -1,
  Ref: 0,
  Error: 1,
  Map: 2,
  Set: 3,
  BigInt: 4,
  ArrayBuffer: 5,
  Handle: 6,
  // 7 was the old encoder's guard: never written, refused when read.
  Undefined: 8,
  InvalidDate: 9,
  NullProto: 10,
  Utf16: 11,
  /**
   * A ref carried as it is by a same-loop copy (`Codec.copyEnvelope`): one byte, its index
   * in that copy's own table of refs. Never on a link: every other reader refuses it as a
   * type Missive does not write.
   */
  LocalRef: 12,
} as const;

/** How refs are written and rebuilt; supplied by the loop that owns the codec. */
export interface RefCodec {
  isRef(value: object): boolean;
  toWire(ref: object): [node: number, loop: number, id: number, label: string];
  fromWire(node: number, loop: number, id: number, label: string): object;
  /**
   * True when `ref` decoded on this codec's own loop would be the same as `ref` itself (a
   * ref of this loop, immutable, with nothing that does not travel): a same-loop copy then
   * carries the object instead of its bytes. Optional: without it every ref is encoded.
   */
  local?(ref: object): boolean;
}

/**
 * Says *where* and *why* a value could not be encoded, for {@link MessageEncodeError}:
 * from the encoder's own {@link EncodeFailure} (the way to the failing value, recorded as
 * it unwound), counted from the value the caller sent; or, when that value is not on the
 * way (the failure was elsewhere in the envelope), by encoding the value again on its own.
 * Only runs after an encode failed (the fast path never walks a value twice), and never
 * throws, whatever the value does when read.
 *
 * @example
 * ```ts
 * findUnencodable({ a: [1, () => 2] }, "arg", isRef); // { path: "arg.a[1]", reason: "a function (anonymous)" }
 * ```
 * @module
 */
import { describeThrown, EncodeFailure } from "./encode-failure.ts";
import { FrameEncoder } from "./frame-encoder.ts";

/** Where and why a value cannot be encoded. */
export interface Unencodable {
  path: string;
  reason: string;
  /** What was thrown while reading the value (a getter, a Proxy trap), when that is the problem. */
  cause?: unknown;
  /** Set when the problem is the size: `bytes` encoded (a lower bound when `atLeast`), over `limit`; the path is then the root. */
  tooLarge?: { bytes: number; limit: number; atLeast: boolean };
}

/** Class instances with a codec of their own on the wire that the encoder hands to the loop (refs). */
export type HasCodec = (value: object) => boolean;

const NIL = new Uint8Array([0xc0]);

/**
 * The first unencodable place in `value` (named `root` in the path). With `error` — what
 * the encoder threw while sending `value`, possibly inside a larger envelope — the answer
 * is where that failure happened, and is always given.
 */
export function findUnencodable(value: unknown, root: string, hasCodec: HasCodec): Unencodable | undefined;
export function findUnencodable(value: unknown, root: string, hasCodec: HasCodec, error: unknown): Unencodable;
export function findUnencodable(value: unknown, root: string, hasCodec: HasCodec, ...error: unknown[]): Unencodable | undefined {
  let thrown = error[0];
  let failure: EncodeFailure | undefined;
  try {
    failure = thrown instanceof EncodeFailure ? thrown : undefined; // (a Proxy's trap could throw here)
  } catch {
    thrown = undefined;
  }
  try {
    if (failure !== undefined) {
      const placed = place(failure, value, root, false);
      if (placed !== undefined) return placed;
    }
    const again = new FrameEncoder((v) => {
      if (typeof v === "object" && v !== null && hasCodec(v)) return NIL;
      throw EncodeFailure.type(v);
    });
    try {
      again.encodeValue(value);
    } catch (e) {
      const placed = place(EncodeFailure.from(e), value, root, true);
      if (placed !== undefined) return placed;
    }
  } catch {
    // A value hostile enough to break the search: say what is known.
  }
  if (error.length === 0) return undefined;
  if (failure !== undefined) {
    return { path: root, reason: failure.reason, cause: failure.kind === "unreadable" ? failure.cause : undefined };
  }
  return { path: root, reason: `not encodable (${describeThrown(thrown)})`, cause: thrown };
}

/**
 * The failure `f` as a path from `root`: `root` must be one of the containers on the way
 * or the failing value itself (`encodedRoot`: `f` came from encoding `root` on its own).
 * A failure for depth whose way passes an object twice is reported as the cycle it is.
 */
function place(f: EncodeFailure, root: unknown, rootName: string, encodedRoot: boolean): Unencodable | undefined {
  const holders = f.holders.slice().reverse(); // outermost first; steps[i] leads from holders[i] to the next
  const steps = f.steps.slice().reverse();
  let r = encodedRoot ? 0 : holders.indexOf(root);
  if (r < 0 && (f.kind === "type" || f.kind === "depth") && f.value === root) r = holders.length; // the failing value is the root
  const pathTo = (j: number): string => rootName + steps.slice(r, r + j).join("");
  if (r >= 0 && (f.kind === "depth" || f.kind === "size")) {
    // A cycle runs into the depth limit, or into the size limit first when each turn writes a lot.
    const chain = holders.slice(r);
    if (f.kind === "depth") chain.push(f.value);
    const seen = new Map<unknown, number>();
    for (let j = 0; j < chain.length; j++) {
      const i = seen.get(chain[j]);
      if (i !== undefined) return { path: pathTo(j), reason: `a cycle (it refers back to ${pathTo(i)})` };
      seen.set(chain[j], j);
    }
  }
  if (f.kind === "size") return { path: rootName, reason: f.reason, tooLarge: { bytes: f.bytes, limit: f.limit, atLeast: f.atLeast } };
  if (r < 0) return undefined;
  const found: Unencodable = { path: pathTo(steps.length - r), reason: f.reason };
  if (f.kind === "unreadable") found.cause = f.cause;
  return found;
}

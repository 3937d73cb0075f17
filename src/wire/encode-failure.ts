/**
 * The one error the frame encoder throws: what could not be encoded and why, and the way
 * to it — each container the encoder was inside adds itself and the step to the failing
 * value while the error unwinds (a `try` around each container's loop, which costs nothing
 * until something throws). `findUnencodable` (unencodable.ts) turns it into the path of a
 * `MessageEncodeError`, `arg.items[3].cb`, counted from whatever value the caller sent.
 *
 * @example
 * ```ts
 * throw EncodeFailure.type(fn); // "a function (fn)"; the path is added as it unwinds
 * ```
 * @module
 */
import { MAX_DEPTH } from "./format.ts";

/**
 * - `type`: a value of a kind that cannot be sent (function, symbol, class without codec,
 *   a `"__proto__"` key);
 * - `depth`: a container nested deeper than the limit (a cycle ends up here too);
 * - `size`: over the size limit (`bytes` is a lower bound of the encoded size);
 * - `unreadable`: reading the value threw (a getter, a Proxy trap, a revoked Proxy); `cause`
 *   is what was thrown.
 */
export type FailureKind = "type" | "depth" | "size" | "unreadable";

export class EncodeFailure extends Error {
  readonly kind: FailureKind;
  readonly reason: string;
  /** The value that failed (undefined when reading it threw). */
  readonly value: unknown;
  /** The containers around the failing value, innermost first… */
  readonly holders: unknown[] = [];
  /** …and the step from each to the next (`.key`, `[3]`, `.get("k")`, `.cause`). */
  readonly steps: string[] = [];
  /** For `size`: `bytes` encoded (at least, when `atLeast`: encoding stopped early), over `limit`. */
  bytes = 0;
  limit = 0;
  atLeast = false;

  constructor(kind: FailureKind, reason: string, value: unknown, cause?: unknown) {
    super(reason, cause === undefined ? undefined : { cause });
    this.name = "EncodeFailure";
    this.kind = kind;
    this.reason = reason;
    this.value = value;
  }

  /** Records that the failure is at `step` inside `holder` (called while unwinding). */
  at(holder: unknown, step: string): this {
    this.holders.push(holder);
    this.steps.push(step);
    return this;
  }

  /** The path from the outermost container, e.g. `value.items[3].cb` (for the message). */
  path(root: string): string {
    let path = root;
    for (let i = this.steps.length - 1; i >= 0; i--) path += this.steps[i];
    return path;
  }

  /** A value of a type that has no wire form. */
  static type(value: unknown): EncodeFailure {
    return new EncodeFailure("type", typeReason(value), value);
  }

  static depth(value: unknown): EncodeFailure {
    return new EncodeFailure("depth", `nested deeper than ${MAX_DEPTH} levels`, value);
  }

  static size(bytes: number, limit: number, atLeast: boolean): EncodeFailure {
    const f = new EncodeFailure("size", `${atLeast ? "at least " : ""}${bytes} bytes encoded, over the limit of ${limit} bytes`, undefined);
    f.bytes = bytes;
    f.limit = limit;
    f.atLeast = atLeast;
    return f;
  }

  /** `thrown` came out of reading a value (a getter, a Proxy trap…): the value is unreadable. */
  static unreadable(thrown: unknown, what = "reading it"): EncodeFailure {
    return new EncodeFailure("unreadable", `unreadable (${what} threw ${describeThrown(thrown)})`, undefined, thrown);
  }

  /** `e` as a failure: itself, or whatever else was thrown as an unreadable value. */
  static from(e: unknown): EncodeFailure {
    return e instanceof EncodeFailure ? e : EncodeFailure.unreadable(e);
  }
}

/** Why `value` has no wire form (it is a function, a symbol, or a class instance without codec). */
function typeReason(value: unknown): string {
  try {
    if (typeof value === "function") return `a function (${(value as { name?: unknown }).name || "anonymous"})`;
    if (typeof value === "symbol") return `a symbol (${String(value)})`;
    const cls = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return `an instance of ${
      typeof cls === "string" && cls !== "" ? cls : "an unnamed class"
    }, which has no wire codec (send its plain fields instead)`;
  } catch {
    return "a value with no wire form";
  }
}

/** `Name: message` of a thrown value, without ever throwing itself. */
export function describeThrown(thrown: unknown): string {
  try {
    if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
    return typeof thrown === "string" ? JSON.stringify(thrown) : String(thrown);
  } catch {
    return "an exception";
  }
}

/** A map key or step for a path: `.name` for identifiers, `["odd key"]` otherwise. */
export function keyStep(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * The failure for `e`, thrown while reading plain object `o`: reading the value of `key`,
 * or (`key` undefined) listing its keys, as a Proxy's trap may.
 */
export function entryFailure(e: unknown, o: object, key: string | undefined): EncodeFailure {
  return key === undefined ? EncodeFailure.from(e) : EncodeFailure.from(e).at(o, keyStep(key));
}

/** A Map key as shown in a path, `.get("k")`, without ever throwing. */
export function mapKeyStep(key: unknown): string {
  let shown: string;
  try {
    shown = typeof key === "string" ? JSON.stringify(key) : typeof key === "bigint" ? `${key}n` : (JSON.stringify(key) ?? String(key));
  } catch {
    shown = "…";
  }
  return `.get(${shown.length > 40 ? `${shown.slice(0, 37)}…` : shown})`;
}

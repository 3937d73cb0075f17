/**
 * Finds *where* a value stops being msgpack-encodable, for {@link MessageEncodeError}.
 * Only runs after an encode failed (the fast path never walks the value twice).
 *
 * @example
 * ```ts
 * findUnencodable({ a: [1, () => 2] }, "arg"); // { path: "arg.a[1]", reason: "a function" }
 * ```
 * @module
 */

/** Where and why a value cannot be encoded. */
export interface Unencodable {
  path: string;
  reason: string;
}

/** Classes with a codec of their own on the wire (checked by the caller's predicate). */
export type HasCodec = (value: object) => boolean;

const MAX_DEPTH = 100;

/** Returns the first unencodable place in `value`, or `undefined` if the walker finds none. */
export function findUnencodable(value: unknown, root: string, hasCodec: HasCodec): Unencodable | undefined {
  const ancestors: object[] = [];
  const paths: string[] = [];
  const walk = (v: unknown, path: string, depth: number): Unencodable | undefined => {
    if (v === null || v === undefined) return undefined;
    switch (typeof v) {
      case "string": case "number": case "boolean": case "bigint": return undefined;
      case "function": return { path, reason: `a function (${(v as { name?: string }).name || "anonymous"})` };
      case "symbol": return { path, reason: `a symbol (${String(v)})` };
    }
    const o = v as object;
    if (depth > MAX_DEPTH) return { path, reason: `nested deeper than ${MAX_DEPTH} levels` };
    const seen = ancestors.indexOf(o);
    if (seen >= 0) return { path, reason: `a cycle (it refers back to ${paths[seen]})` };
    if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer || o instanceof Date) return undefined;
    const proto = Object.getPrototypeOf(o);
    const plain = proto === Object.prototype || proto === null || Array.isArray(o);
    if (!plain && !hasCodec(o)) {
      const cls = (o as { constructor?: { name?: string } }).constructor?.name || "an unnamed class";
      return { path, reason: `an instance of ${cls}, which has no wire codec (send its plain fields instead)` };
    }
    ancestors.push(o);
    paths.push(path);
    try {
      if (o instanceof Map) {
        let i = 0;
        for (const [k, val] of o) {
          const r = walk(k, `${path}.<key ${i}>`, depth + 1) ?? walk(val, `${path}.get(${JSON.stringify(k) ?? String(k)})`, depth + 1);
          if (r) return r;
          i++;
        }
        return undefined;
      }
      if (o instanceof Set) {
        let i = 0;
        for (const val of o) {
          const r = walk(val, `${path}.<item ${i++}>`, depth + 1);
          if (r) return r;
        }
        return undefined;
      }
      if (o instanceof Error) return undefined;
      if (Array.isArray(o)) {
        for (let i = 0; i < o.length; i++) {
          const r = walk(o[i], `${path}[${i}]`, depth + 1);
          if (r) return r;
        }
        return undefined;
      }
      if (!plain) return undefined; // a class with its own codec (e.g. ActorRef)
      for (const key of Object.keys(o)) {
        if (key === "__proto__") return { path: `${path}["__proto__"]`, reason: `a "__proto__" key, which is refused (it could change the receiver's prototype); rename the key` };
        const r = walk((o as Record<string, unknown>)[key], /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`, depth + 1);
        if (r) return r;
      }
      return undefined;
    } finally {
      ancestors.pop();
      paths.pop();
    }
  };
  return walk(value, root, 1);
}

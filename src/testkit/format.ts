/**
 * Messages as short readable text, for the testkit's failure messages: `"pong"(3) from
 * Pinger#1@w0`, values as compact JSON-like text (refs by label, bigints with `n`, maps and
 * sets by content), cut at a length so that a failure stays one screen.
 *
 * @example
 * ```ts
 * formatValue({ to: 3n, items: new Set([1]) }); // '{"to":3n,"items":Set[1]}'
 * ```
 * @module
 */
import { ActorRef } from "../actor/ref.ts";

const MAX = 120;

/** `value` as compact text, at most `max` characters. */
export function formatValue(value: unknown, max = MAX): string {
  const text = write(value, 0);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function write(v: unknown, depth: number): string {
  if (depth > 6) return "…";
  switch (typeof v) {
    case "undefined":
      return "undefined";
    case "bigint":
      return `${v}n`;
    case "string":
      return JSON.stringify(v);
    case "number":
    case "boolean":
      return String(v);
    case "function":
      return `[function ${v.name || "anonymous"}]`;
    case "symbol":
      return v.toString();
  }
  if (v === null) return "null";
  if (v instanceof ActorRef) return `ref(${v.label})`;
  if (v instanceof Error) return `${v.name}(${JSON.stringify(v.message)})`;
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? "invalid" : v.toISOString()})`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${write(k, depth + 1)}=>${write(x, depth + 1)}`).join(",")}}`;
  if (v instanceof Set) return `Set[${[...v].map((x) => write(x, depth + 1)).join(",")}]`;
  if (v instanceof Uint8Array) return `Uint8Array(${v.byteLength})`;
  if (Array.isArray(v)) return `[${v.map((x) => write(x, depth + 1)).join(",")}]`;
  try {
    return `{${Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)}:${write(x, depth + 1)}`).join(",")}}`;
  } catch {
    return "[unreadable object]";
  }
}

/** One probe message as text: `"name"(arg) from sender`. */
export function formatMessage(m: { name: string; arg: unknown; sender: ActorRef | undefined }): string {
  const arg = m.arg === undefined ? "" : formatValue(m.arg);
  return `"${m.name}"(${arg})${m.sender === undefined ? "" : ` from ${m.sender.label}`}`;
}

/** A numbered list of messages, or "nothing", for a failure message. */
export function formatMessages(ms: readonly { name: string; arg: unknown; sender: ActorRef | undefined }[], limit = 20): string {
  if (ms.length === 0) return "nothing";
  const shown = ms.slice(-limit).map((m, i) => `\n    ${ms.length - Math.min(ms.length, limit) + i + 1}. ${formatMessage(m)}`);
  const hidden = ms.length > limit ? `\n    (${ms.length - limit} earlier not shown)` : "";
  return `${ms.length} message${ms.length === 1 ? "" : "s"}:${hidden}${shown.join("")}`;
}

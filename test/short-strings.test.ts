/**
 * The frame reader's cache of short strings (src/wire/short-strings.ts): whatever it holds,
 * evicts or shares between strings of up to 4 bytes (one integer each) and longer ones,
 * it returns what a UTF-8 decoder returns for the same bytes.
 */
import process from "node:process";
import { describe, expect, it } from "vitest";
import { SHORT_STRING_BYTES, ShortStrings } from "../src/wire/short-strings.ts";

const SEED = Number(process.env.MISSIVE_SEED ?? 20261130);
const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Lays `strings` out one after the other: the bytes, and where each one starts and how long it is. */
function layout(strings: readonly Uint8Array[]): { bytes: Uint8Array; at: [number, number][] } {
  const bytes = new Uint8Array(strings.reduce((n, s) => n + s.length + 1, 1));
  const at: [number, number][] = [];
  let p = 1; // not at offset 0, and a byte between strings: no string is read from where another one starts
  for (const s of strings) {
    bytes.set(s, p);
    at.push([p, s.length]);
    p += s.length + 1;
  }
  return { bytes, at };
}

describe("ShortStrings", () => {
  it("decodes any sequence of short strings, repeated, as UTF-8 does (fast-check)", async () => {
    const fc = (await import("fast-check")).default;
    const short = fc.oneof(
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 4 }),
      fc.string({ unit: "binary", minLength: 1, maxLength: 6 }),
      fc.constantFrom("a", "ab", "ba", "tick", "tock", "é", "✓", "value", "k".repeat(SHORT_STRING_BYTES)),
    ).map((s) => encoder.encode(s)).filter((b) => b.length >= 1 && b.length <= SHORT_STRING_BYTES);
    fc.assert(
      fc.property(fc.array(short, { minLength: 1, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 120 }), (strings, order) => {
        const cache = new ShortStrings();
        const { bytes, at } = layout(strings);
        for (const i of [...at.keys(), ...order.map((o) => o % at.length)]) {
          const [start, length] = at[i]!;
          expect(cache.decode(bytes, start, length)).toBe(utf8.decode(bytes.subarray(start, start + length)));
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("stays right when more strings than it has slots share them, short ones with long ones", () => {
    const strings: Uint8Array[] = [];
    for (let a = 32; a < 127; a++) for (let b = 32; b < 127; b++) strings.push(new Uint8Array([a, b])); // 9 025 two-byte strings
    for (let i = 0; i < 3000; i++) strings.push(encoder.encode(`s${i}`), encoder.encode(`long-${i}`), new Uint8Array([i & 0x7f, 1, 2, 3]));
    const cache = new ShortStrings();
    const { bytes, at } = layout(strings);
    for (let round = 0; round < 2; round++) {
      at.forEach(([start, length], i) => {
        expect(cache.decode(bytes, start, length), `string ${i}, round ${round}`).toBe(utf8.decode(bytes.subarray(start, start + length)));
      });
    }
  });
});

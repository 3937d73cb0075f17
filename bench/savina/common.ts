/**
 * What the Missive and nact versions of the Savina workloads share: parameters, the
 * result shape, and the pure helpers (random numbers, colours, the fork-join computation)
 * so both compute exactly the same thing.
 *
 * The workloads follow the Savina suite (Imam & Sarkar, 2014):
 * PingPong, Counting, ThreadRing, Fork-Join throughput, Big and Chameneos.
 * @module
 */
import type { Check } from "../harness/types.ts";

/** Parameters of each workload. */
export interface SavinaParams {
  pingpong: { pings: number };
  counting: { messages: number };
  threadring: { actors: number; hops: number };
  fjthroughput: { actors: number; messages: number };
  big: { actors: number; pings: number };
  chameneos: { chameneos: number; meetings: number };
}

/** A workload's name. */
export type SavinaWorkload = keyof SavinaParams;

/** A request to run one workload. */
export type SavinaRequest = { [K in SavinaWorkload]: { workload: K; params: SavinaParams[K] } }[SavinaWorkload];

/** What one run of a workload measured (time from the start message to completion; spawning excluded). */
export interface WorkloadRun {
  elapsedMs: number;
  /** Messages the workload sent. */
  messages: number;
  check: Check;
}

/** Next state of the per-actor xorshift32 generator (never 0 for a non-zero seed). */
export function nextRandom(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** Seed of actor `index`'s generator. */
export const seedOf = (index: number): number => (Math.imul(index + 1, 0x9e3779b1) >>> 0) || 1;

/** Chameneos colours; `FADED` once the mall is closed. */
export const Color = { Red: 0, Yellow: 1, Blue: 2, Faded: 3 } as const;

/** The colour two chameneos take after meeting (Savina's complement rule). */
export function complement(a: number, b: number): number {
  return a === b ? a : 3 - a - b;
}

/** The fork-join worker's per-message computation (Savina: sin(37.2)², checked positive). */
export function fjCompute(theta: number): number {
  const s = Math.sin(theta);
  return s * s;
}

/**
 * Phases synchronised by a barrier, not by sleeping.
 *
 * An iterative parallel computation — Jacobi relaxation of a 1-D grid, the heat equation's
 * classic kernel — split shared-nothing over {@link Segment} actors on every worker. Each
 * iteration has two phases: trade edge values with the neighbours (through channels), then
 * compute. A {@link Barrier} separates the phases: no segment computes before every edge of
 * the step has been traded, and none starts the next step before all have computed. The
 * Python original slept between the phases and hoped. The result is checked against a
 * sequential run of the same arithmetic: they must be identical to the last bit.
 *
 * ```sh
 * npx tsx examples/barrier-phases/main.ts     # or: npx deno run -A … / npx bun …
 * ```
 * @module
 */
import process from "node:process";
import { ActorSystem, Barrier, Channel } from "../../mod.ts";
import { jacobiStep, Segment, type Side } from "./segment.ts";

const POINTS = 1_200;
const SEGMENTS = 4;
const ITERATIONS = 300;
/** The grid's fixed boundary values (left end hot, right end cold). */
const FIXED: [number, number] = [1, 0];

const initial = Array.from({ length: POINTS }, (_, i) => ((i * 7919) % 101) / 100);

await using system = await ActorSystem.start();
const size = POINTS / SEGMENTS;
const segments = await Promise.all(
  Array.from(
    { length: SEGMENTS },
    (_, s) => system.spawn(Segment, initial.slice(s * size, (s + 1) * size), { worker: s % system.workers }),
  ),
);
await using barrier = await Barrier.open(system, SEGMENTS);

// Between segments s and s + 1: one channel each way, capacity 1 (one edge value per step).
const rightward = await Promise.all(Array.from({ length: SEGMENTS - 1 }, () => Channel.open<number>(system, { capacity: 1 })));
const leftward = await Promise.all(Array.from({ length: SEGMENTS - 1 }, () => Channel.open<number>(system, { capacity: 1 })));
const sides = (s: number): { left: Side | null; right: Side | null } => ({
  left: s === 0 ? null : { out: leftward[s - 1]!, in: rightward[s - 1]! },
  right: s === SEGMENTS - 1 ? null : { out: rightward[s]!, in: leftward[s]! },
});

const started = performance.now();
const parts = await Promise.all(
  segments.map((seg, s) => seg.ask("relax", { iterations: ITERATIONS, barrier, fixed: FIXED, ...sides(s) }, { timeout: Infinity })),
);
const parallel = parts.flat();
const ms = performance.now() - started;

let sequential = initial;
for (let k = 0; k < ITERATIONS; k++) sequential = jacobiStep(sequential, FIXED[0], FIXED[1]);
const differing = parallel.filter((v, i) => v !== sequential[i]).length;
const { generation } = await barrier.stats();

console.log(`${SEGMENTS} segments on ${system.workers} workers, ${POINTS} points, ${ITERATIONS} iterations in ${ms.toFixed(0)} ms`);
console.log(`barrier generations: ${generation} (2 phases × ${ITERATIONS} iterations)`);
console.log(`u[0..4] = ${parallel.slice(0, 4).map((v) => v.toFixed(6)).join(" ")}`);
console.log(differing === 0 ? "identical to the sequential run" : `${differing} points DIFFER from the sequential run`);
for (const ch of [...rightward, ...leftward]) await ch.close();
if (differing !== 0 || generation !== 2 * ITERATIONS) process.exitCode = 1;

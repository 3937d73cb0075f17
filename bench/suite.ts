/**
 * Every benchmark, in the order the suite runs them.
 * @module
 */
import { askPipelined, askSequential } from "./benchmarks/ask.ts";
import { channelCancelStorm } from "./benchmarks/channel.ts";
import { clusterAsk, clusterTell } from "./benchmarks/cluster.ts";
import { idleActors } from "./benchmarks/idle.ts";
import { askLocal, spawnBatch, tellLocal10k, tellLocal1k } from "./benchmarks/local-vs-nact.ts";
import { memoryBounded, memoryWindow } from "./benchmarks/memory.ts";
import { taskOffload } from "./benchmarks/offload.ts";
import { pingPongRefs, pingPongRefsAcross, pingPongRefsObject } from "./benchmarks/ref-pingpong.ts";
import { savinaBenchmarks } from "./benchmarks/savina.ts";
import { spawnFromMain, spawnLocal } from "./benchmarks/spawn.ts";
import { tellAllToAll, tellCold, tellOneToOne } from "./benchmarks/tell.ts";
import type { BenchmarkFactory } from "./harness/types.ts";

/**
 * The suite. the memory benchmarks come first: resident memory only grows over a process's life,
 * so after the Savina workloads it would measure their high-water mark, not the flood.
 */
export const benchmarks: BenchmarkFactory[] = [
  memoryBounded,
  memoryWindow,
  tellOneToOne,
  tellCold,
  tellAllToAll,
  askSequential,
  askPipelined,
  taskOffload,
  ...savinaBenchmarks,
  pingPongRefs,
  pingPongRefsObject,
  pingPongRefsAcross,
  spawnFromMain,
  spawnLocal,
  spawnBatch,
  askLocal,
  tellLocal1k,
  tellLocal10k,
  idleActors,
  channelCancelStorm,
  clusterTell,
  clusterAsk,
];

/**
 * The task module of the piscina and tinypool baselines: its default export runs
 * {@link tinyTask} on the seed it is given.
 * @module
 */
import { tinyTask } from "../util/tiny-task.ts";

/** piscina and tinypool call the default export with the task's argument. */
export default function run(seed: number): number {
  return tinyTask(seed);
}

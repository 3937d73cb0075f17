/**
 * `TaskRunner`: one member of the actor pool of the task-offload benchmark; answers
 * `run(seed)` with the tiny CPU-bound task's result.
 * @module
 */
import { defineActor } from "../../mod.ts";
import { tinyTask } from "../util/tiny-task.ts";

/** `run(seed)` answers `tinyTask(seed)`. */
export const TaskRunner = defineActor(import.meta.url, {
  name: "TaskRunner",
  init: () => ({}),
  handlers: {
    run(_state, seed: number): number {
      return tinyTask(seed);
    },
  },
});

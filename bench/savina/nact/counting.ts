/**
 * Savina Counting on nact (same protocol as `../missive/counting.ts`).
 * @module
 */
import { dispatch, type Ref } from "nact";
import { expectEqual } from "../../util/check.ts";
import type { SavinaParams, WorkloadRun } from "../common.ts";
import { spawnActor, stopAll, syncAll } from "./nact-util.ts";

type CounterMsg = { type: "inc" } | { type: "retrieve"; reply: Ref<ProducerMsg> };
type ProducerMsg = { type: "start"; messages: number } | { type: "result"; count: number };

/** Runs Counting under `system`. */
export async function runCountingNact(system: Ref<never>, { messages }: SavinaParams["counting"]): Promise<WorkloadRun> {
  const done = Promise.withResolvers<number>();
  const counter = spawnActor(system, { count: 0 }, (s, msg: CounterMsg) => {
    if (msg.type === "inc") s.count++;
    else dispatch(msg.reply, { type: "result", count: s.count });
  });
  const producer: Ref<ProducerMsg> = spawnActor(system, {}, (_s, msg: ProducerMsg) => {
    if (msg.type === "start") {
      for (let i = 0; i < msg.messages; i++) dispatch(counter, { type: "inc" });
      dispatch(counter, { type: "retrieve", reply: producer });
    } else done.resolve(msg.count);
  });
  await syncAll([counter, producer]);
  const started = performance.now();
  dispatch(producer, { type: "start", messages });
  const count = await done.promise;
  const elapsedMs = performance.now() - started;
  stopAll([counter, producer]);
  return { elapsedMs, messages: messages + 2, check: expectEqual("count", count, messages) };
}

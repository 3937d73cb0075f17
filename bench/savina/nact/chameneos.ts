/**
 * Savina Chameneos on nact (same protocol as `../missive/chameneos.ts`).
 * @module
 */
import { dispatch, type Ref } from "nact";
import { expectEqual } from "../../util/check.ts";
import { Color, complement, type SavinaParams, type WorkloadRun } from "../common.ts";
import { spawnActor, stopAll, syncAll } from "./nact-util.ts";

type MallMsg = { type: "meet"; index: number; color: number } | { type: "count"; meetings: number };
type CreatureMsg =
  | { type: "setup"; creatures: Ref<CreatureMsg>[] }
  | { type: "start" }
  | { type: "meet"; index: number; color: number }
  | { type: "change"; color: number }
  | { type: "exit" };

/** Runs Chameneos under `system`. */
export async function runChameneosNact(system: Ref<never>, { chameneos, meetings }: SavinaParams["chameneos"]): Promise<WorkloadRun> {
  const done = Promise.withResolvers<{ sum: number; mallMessages: number }>();
  let creatures: Ref<CreatureMsg>[] = [];
  const mall = spawnActor(system, { left: meetings, waiting: -1, faded: 0, sum: 0, messages: 0 }, (s, msg: MallMsg) => {
    if (msg.type === "count") {
      s.sum += msg.meetings;
      if (++s.faded === chameneos) done.resolve({ sum: s.sum, mallMessages: s.messages });
      return;
    }
    s.messages++;
    if (s.left > 0) {
      if (s.waiting < 0) s.waiting = msg.index;
      else {
        s.left--;
        dispatch(creatures[s.waiting]!, { type: "meet", index: msg.index, color: msg.color });
        s.waiting = -1;
      }
    } else dispatch(creatures[msg.index]!, { type: "exit" });
  });
  creatures = Array.from(
    { length: chameneos },
    (_, index) =>
      spawnActor(system, { index, color: index % 3, meetings: 0, peers: [] as Ref<CreatureMsg>[] }, (s, msg: CreatureMsg) => {
        switch (msg.type) {
          case "setup":
            s.peers = msg.creatures;
            break;
          case "start":
            dispatch(mall, { type: "meet", index: s.index, color: s.color });
            break;
          case "meet":
            s.color = complement(s.color, msg.color);
            s.meetings++;
            dispatch(s.peers[msg.index]!, { type: "change", color: s.color });
            dispatch(mall, { type: "meet", index: s.index, color: s.color });
            break;
          case "change":
            s.color = msg.color;
            s.meetings++;
            dispatch(mall, { type: "meet", index: s.index, color: s.color });
            break;
          case "exit":
            s.color = Color.Faded;
            dispatch(mall, { type: "count", meetings: s.meetings });
            break;
        }
      }),
  );
  for (const c of creatures) dispatch(c, { type: "setup", creatures });
  await syncAll([mall, ...creatures]);
  const started = performance.now();
  for (const c of creatures) dispatch(c, { type: "start" });
  const { sum, mallMessages } = await done.promise;
  const elapsedMs = performance.now() - started;
  stopAll([mall, ...creatures]);
  const messages = chameneos + mallMessages + 2 * meetings + 2 * chameneos;
  return { elapsedMs, messages, check: expectEqual("meetings counted by the creatures", sum, 2 * meetings) };
}

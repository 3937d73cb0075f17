/**
 * Worker crashes: detected from the exit, pending asks fail at once, the worker is
 * replaced, actors come back by their supervision, watchers of the others are told.
 */
import { describe, expect, it } from "vitest";
import { ActorStoppedError, ActorSystem, runtimeName } from "../mod.ts";
import { workerHandleOf } from "../src/system/actor-system.ts";
import { TestProbe } from "../testkit.ts";
import { Holder } from "./fixtures/actors.ts";
import { LogCapture } from "./fixtures/log.ts";
import { Crasher, Restarting, Stopping, Watcher } from "./fixtures/faulty.ts";

describe(`worker crashes on ${runtimeName}`, () => {
  for (const how of ["exit", "throw", "reject", "terminate"] as const) {
    it(`recovers from a worker that dies by ${how}`, async () => {
      const log = new LogCapture();
      const system = await ActorSystem.start({ workers: 2, logger: log.logger });
      const probe = TestProbe.create(system);
      const survivor = await system.spawn(Restarting, { probe: probe.ref, id: "survivor" }, { worker: 0, name: "survivor" });
      const mortal = await system.spawn(Stopping, { probe: probe.ref, id: "mortal" }, { worker: 0 });
      const watcher = await system.spawn(Watcher, probe.ref, { worker: 1 });
      await watcher.ask("watch", survivor);
      await watcher.ask("watch", mortal);
      expect(await survivor.ask("inc")).toBe(1);
      const hung = (await system.spawn(Holder, undefined, { worker: 0 })).ask("hang").catch((e: unknown) => e);

      if (how === "terminate") void workerHandleOf(system, 0).terminate();
      else (await system.spawn(Crasher, undefined, { worker: 0 })).tell("crash", how);

      // The pending ask fails at once, caused by the exit.
      const error = await hung;
      expect(error).toBeInstanceOf(ActorStoppedError);
      expect((error as Error).message).toContain("worker 0");
      // The restartable actor is back at the same address, with a fresh state; its name too.
      expect(await survivor.ask("inc")).toBe(1);
      expect(system.lookup<typeof Restarting>("survivor").equals(survivor)).toBe(true);
      // The other is gone, and its watcher was told why.
      await expect(mortal.ask("inc")).rejects.toBeInstanceOf(ActorStoppedError);
      let signal;
      do signal = await probe.receive(); while (signal.name !== "terminated");
      expect(signal.arg).toMatchObject({ address: mortal.address, normal: false });
      expect((signal.arg as { reason: string }).reason).toContain("worker 0");
      await log.logged("re-created"); // the recovery is over
      const report = await system.shutdown();
      expect(report.crashes).toHaveLength(1);
      expect(report.crashes[0]!.worker).toBe(0);
      expect(report.crashes[0]!.code).not.toBe(0);
      expect(report.exits).toHaveLength(2);
      expect(log.containing("re-created 1 actor(s)").map((e) => [e.level, e.source])).toEqual([["warn", "worker 0"]]);
    });
  }
});

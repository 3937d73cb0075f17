/**
 * The system with shared-memory links (`link: { transport: "ring" }`): FIFO between every
 * pair of loops, asks settle, a killed worker does not hang the survivors, shutdown accounts
 * for every message. Small rings, so that frames wrap around and spill to the port (order
 * must hold across the two ways), and the low-latency mode too.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ActorStoppedError, ActorSystem, InvalidArgumentError, runtimeName } from "../mod.ts";
import { workerHandleOf } from "../src/system/actor-system.ts";
import { linkSettings } from "../src/system/link-options.ts";
import { Echo, Recorder, Sender } from "./fixtures/actors.ts";
import { LogCapture } from "./fixtures/log.ts";

const LINKS = [
  { transport: "ring", ringBytes: 4096 },
  { transport: "ring", ringBytes: 4096, spinMicros: 20 },
] as const;

describe(`shared-memory links on ${runtimeName}`, () => {
  let system: ActorSystem | undefined;
  afterEach(async () => {
    await system?.shutdown();
    system = undefined;
  });

  for (const link of LINKS) {
    const label = JSON.stringify(link);

    it(`FIFO per sender and receiver across workers and the main loop, with frames spilling to the port (${label})`, async () => {
      system = await ActorSystem.start({ workers: 2, link });
      const recs = [await system.spawn(Recorder, undefined, { worker: 0 }), await system.spawn(Recorder, undefined, { worker: 1 })];
      const senders = [await system.spawn(Sender, 1, { worker: 0 }), await system.spawn(Sender, 2, { worker: 1 })];
      const n = 3000;
      // Each sender tells both recorders (one on its own worker, one across); the main loop tells both too.
      const runs = senders.map((s) => s.ask("run", Array.from({ length: n }, (_, i) => ({ to: recs[i % 2]!, n: i }))));
      for (let i = 0; i < n; i++) recs[i % 2]!.tell("rec", { s: 0, n: i, pad: "x".repeat(i % 7 === 0 ? 3000 : 10) } as never);
      expect(await Promise.all(runs)).toEqual([n, n]);
      await Promise.all(recs.map((r) => r.flush()));
      const logs = await Promise.all(recs.map((r) => r.ask("log")));
      for (const [r, log] of logs.entries()) {
        for (const s of [0, 1, 2]) {
          const seen = log.filter(([from]) => from === s).map(([, i]) => i);
          expect(seen).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === r));
        }
      }
    });

    it(`asks settle: sequential, concurrent, and larger than the ring (${label})`, async () => {
      system = await ActorSystem.start({ workers: 2, link });
      const echoes = [await system.spawn(Echo, undefined, { worker: 0 }), await system.spawn(Echo, undefined, { worker: 1 })];
      for (let i = 0; i < 500; i++) expect(await echoes[i % 2]!.ask("echo", i)).toBe(i);
      const all = await Promise.all(Array.from({ length: 2000 }, (_, i) => echoes[i % 2]!.ask("echo", i)));
      expect(all).toEqual(Array.from({ length: 2000 }, (_, i) => i));
      const big = "y".repeat(100_000);
      expect(await echoes[0]!.ask("echo", big)).toBe(big);
    });

    it(`shutdown accounts for every message in flight (${label})`, async () => {
      const sys = await ActorSystem.start({ workers: 2, link });
      const rec = await sys.spawn(Recorder, undefined, { worker: 1 });
      const sender = await sys.spawn(Sender, 1, { worker: 0 });
      const n = 5000;
      sender.tell("run", Array.from({ length: n }, (_, i) => ({ to: rec, n: i })));
      for (let i = 0; i < n; i++) rec.tell("rec", { s: 0, n: i });
      const report = await sys.shutdown();
      expect(report.undelivered).toEqual({});
      expect(report.deadLetters).toBe(0);
      expect(report.processed).toBe(2 * n + 1); // every rec, and the run
      expect(report.exits.map((e) => e.code)).toEqual([0, 0]);
    });
  }

  it("a killed worker does not hang the survivors; its replacement is reached over new rings", async () => {
    const log = new LogCapture();
    system = await ActorSystem.start({ workers: 2, link: LINKS[0], logger: log.logger });
    const survivor = await system.spawn(Echo, undefined, { worker: 1 });
    const doomed = await system.spawn(Echo, undefined, { worker: 0 });
    const sender = await system.spawn(Sender, 1, { worker: 1 });
    const rec = await system.spawn(Recorder, undefined, { worker: 0 });
    expect(await doomed.ask("echo", 1)).toBe(1);
    // Worker 1 is streaming to worker 0 when it dies.
    const run = sender.ask("run", Array.from({ length: 20_000 }, (_, i) => ({ to: rec, n: i }))).catch((e: unknown) => e);
    await workerHandleOf(system, 0).terminate();
    await log.logged("re-created"); // the recovery is over
    await run; // settled one way or the other: nothing hangs
    expect(await survivor.ask("echo", "still here")).toBe("still here");
    await expect(doomed.ask("echo", 2)).rejects.toBeInstanceOf(ActorStoppedError);
    const fresh = await system.spawn(Echo, undefined, { worker: 0 });
    expect(await fresh.ask("echo", "new")).toBe("new");
    const fromWorker = await system.spawn(Sender, 2, { worker: 1 });
    const rec2 = await system.spawn(Recorder, undefined, { worker: 0 });
    expect(await fromWorker.ask("run", Array.from({ length: 1000 }, (_, i) => ({ to: rec2, n: i })))).toBe(1000);
    expect((await rec2.ask("log")).map(([, n]) => n)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const report = await system.shutdown();
    system = undefined;
    expect(report.crashes).toHaveLength(1);
  });

  it("bad link options are refused with the fix", async () => {
    expect(() => linkSettings({ transport: "shm" as never })).toThrow(InvalidArgumentError);
    expect(() => linkSettings({ ringBytes: 100 })).toThrow(/link.ringBytes/);
    expect(() => linkSettings({ spinMicros: 50 })).toThrow(/transport "ring"/);
    expect(() => linkSettings({ spin: 1 } as never)).toThrow(/no option "spin"/);
    await expect(ActorSystem.start({ link: { transport: "ring", spinMicros: -1 } })).rejects.toThrow(/link.spinMicros/);
    expect(linkSettings(undefined)).toEqual({ transport: "port", ringBytes: 256 * 1024, spinMicros: 0 });
  });
});

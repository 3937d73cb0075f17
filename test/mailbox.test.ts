/**
 * Bounded mailboxes: the four overflow policies, waiting senders, cancellation, and the
 * bound holding under a sustained flood from another loop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorRef, ActorSystem, type DeadLetter, MailboxFullError, runtimeName } from "../mod.ts";
import { Bounded, BoundedDropNewest, BoundedDropOldest, BoundedReject, Gate } from "./fixtures/faulty.ts";
import { TestProbe } from "../testkit.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

/**
 * Spawns `def` and a gate on worker 0, and blocks the actor on a `hold` until `release()`;
 * resolves once the actor is inside `hold`.
 */
async function held(def: typeof Bounded, id: string) {
  const actor = await system.spawn(def, undefined, { worker: 0 });
  const gate = await system.spawn(Gate, undefined, { worker: 0 });
  using probe = TestProbe.create(system);
  const holding = actor.ask("hold", { id, probe: probe.ref });
  await probe.receive(); // the actor is inside `hold`: its mailbox is empty and stays unprocessed
  return { actor, holding, release: () => gate.ask("open", id) };
}

async function depthOf(ref: ActorRef): Promise<{ depth: number; max: number }> {
  const m = await system.metrics();
  const a = m.workers.flatMap((w) => w.actors).find((x) => x.address === ref.address)!;
  return { depth: a.mailboxDepth, max: a.maxMailboxDepth };
}

describe(`bounded mailboxes on ${runtimeName}`, () => {
  it("wait: senders wait in FIFO order for room; tell throws instead of waiting; nothing is lost", async () => {
    const actor = await system.spawn(Bounded, undefined, { worker: 0 });
    const gate = await system.spawn(Gate, undefined, { worker: 0 });
    const holding = actor.ask("hold", "w1");
    const sends = Array.from({ length: 40 }, (_, n) => actor.send("put", n));
    // This loop's share of the capacity is used up: a tell refuses rather than waits.
    expect(() => actor.tell("put", -1)).toThrow(MailboxFullError);
    const { depth } = await depthOf(actor);
    expect(depth).toBeLessThanOrEqual(8);
    expect(await gate.ask("open", "w1")).toBe(true);
    await holding;
    await Promise.all(sends);
    await actor.flush();
    expect(await actor.ask("seen")).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect((await depthOf(actor)).max).toBeLessThanOrEqual(8);
  });

  it("wait: cancelling a waiting send removes exactly that message", async () => {
    const { actor, holding, release } = await held(Bounded, "w2");
    const first = Array.from({ length: 10 }, (_, n) => actor.send("put", n));
    const controller = new AbortController();
    const cancelled = actor.send("put", 999, { signal: controller.signal });
    const after = Array.from({ length: 5 }, (_, n) => actor.send("put", 100 + n));
    controller.abort(new Error("changed my mind"));
    await expect(cancelled).rejects.toThrow("changed my mind");
    await release();
    await holding;
    await Promise.all([...first, ...after]);
    await actor.flush();
    const seen = await actor.ask("seen");
    expect(seen).toEqual([...Array.from({ length: 10 }, (_, n) => n), 100, 101, 102, 103, 104]);
  });

  it("reject: tell and ask fail with MailboxFullError when there is no room", async () => {
    const { actor, holding, release } = await held(BoundedReject, "r1");
    let accepted = 0;
    let refused: unknown;
    for (let n = 0; n < 20 && refused === undefined; n++) {
      try {
        actor.tell("put", n);
        accepted++;
      } catch (e) {
        refused = e;
      }
    }
    expect(refused).toBeInstanceOf(MailboxFullError);
    expect((refused as MailboxFullError).capacity).toBe(8);
    await expect(actor.ask("seen")).rejects.toBeInstanceOf(MailboxFullError);
    expect(await release()).toBe(true);
    await holding;
    await actor.flush();
    expect(await actor.ask("seen")).toEqual(Array.from({ length: accepted }, (_, n) => n));
  });

  for (
    const [def, policy, kept] of [
      [BoundedDropOldest, "drop-oldest", [13, 14, 15, 16, 17, 18, 19, 20]],
      [BoundedDropNewest, "drop-newest", [0, 1, 2, 3, 4, 5, 6, 7]],
    ] as const
  ) {
    it(`${policy}: keeps ${kept.length} messages and reports the others as dead letters`, async () => {
      const dead: DeadLetter[] = [];
      using _ = system.deadLetters.subscribe((d) => dead.push(d));
      const { actor, holding, release } = await held(def, policy);
      for (let n = 0; n < 20; n++) actor.tell("put", n);
      await actor.send("put", 20).catch(() => undefined); // senders are never held back
      await release();
      await holding;
      await actor.flush();
      expect(await actor.ask("seen")).toEqual(kept);
      const mine = dead.filter((d) => d.address === actor.address);
      expect(mine.map((d) => d.arg).sort((a, b) => (a as number) - (b as number))).toEqual(
        Array.from({ length: 21 }, (_, n) => n).filter((n) => !(kept as readonly number[]).includes(n)),
      );
      expect(new Set(mine.map((d) => d.reason))).toEqual(new Set([policy === "drop-oldest" ? "dropped-oldest" : "mailbox-full"]));
    });
  }

  it("holds the bound under a sustained flood from another worker", async () => {
    const { Flooder } = await import("./fixtures/flood.ts");
    const sink = await system.spawn(Bounded, undefined, { worker: 1 });
    const flooder = await system.spawn(Flooder, undefined, { worker: 0 });
    // 20 000 messages of 10 KiB: 200 MB queued if nothing held the producer back. (Memory
    // under such a flood is a benchmark figure: `npm run bench`, "bounded flood".)
    const sent = await flooder.ask("flood", { to: sink, count: 20_000, bytes: 10_240 }, { timeout: Infinity });
    await sink.flush();
    expect(sent).toBe(20_000);
    expect((await depthOf(sink)).max).toBeLessThanOrEqual(8);
    expect((await sink.ask("seen")).length).toBe(20_000);
  });
});

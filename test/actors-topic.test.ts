/**
 * Pub/sub topics (actors/topic.ts): every subscriber gets every message published after
 * it subscribed, in publishing order, across workers; a stopped subscriber is removed;
 * unsubscribe; the handle travels.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, InvalidArgumentError, runtimeName } from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import { Topic } from "../actors/mod.ts";
import { Listener, Publisher } from "./fixtures/actors-blocks.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

type News = { at: number; item: string };

describe(`Topic on ${runtimeName}`, () => {
  it("publishes to every subscriber on every worker, in order, from the main loop and from actors", async () => {
    using probe = TestProbe.create(system);
    await using topic = await Topic.open<string>(system, { worker: 0 });
    const listeners = await Promise.all([0, 1, 1].map((worker) => system.spawn(Listener, probe.ref, { worker })));
    for (const l of listeners) await topic.subscribe(l, "news");
    expect((await topic.subscribers()).map((r) => r.address).sort()).toEqual(listeners.map((l) => l.address).sort());
    topic.publish("a");
    topic.publish("b");
    const publisher = await system.spawn(Publisher, undefined, { worker: 1 }); // the handle travels to worker 1
    expect(await publisher.ask("publish", { topic, items: ["c", "d"] })).toBe(2);
    const got = (await probe.receiveN(12)).map((m) => m.arg as News);
    for (const l of listeners) {
      const mine = got.filter((n) => n.at === l.address).map((n) => n.item);
      expect(mine).toEqual(["a", "b", "c", "d"]); // each publisher's order kept; main published first
    }
  });

  it("a subscriber that stops is removed (death watch); unsubscribe removes one", async () => {
    using probe = TestProbe.create(system);
    await using topic = await Topic.open<string>(system);
    const [stays, quits, leaves] = await Promise.all([0, 1, 0].map((worker) => system.spawn(Listener, probe.ref, { worker })));
    for (const l of [stays!, quits!, leaves!]) await topic.subscribe(l, "news");
    expect(await topic.publishAndCount("first")).toBe(3);
    await probe.receiveN(3);
    quits!.tell("quit");
    await quits!.flush().catch(() => undefined);
    expect(await topic.unsubscribe(leaves!)).toBe(true);
    expect(await topic.unsubscribe(leaves!)).toBe(false);
    // The Terminated signal reaches the owner in its mailbox order; wait for it through the listing.
    let left = await topic.subscribers();
    while (left.length > 1) left = await topic.subscribers();
    expect(left.map((r) => r.address)).toEqual([stays!.address]);
    expect(await topic.publishAndCount("second")).toBe(1);
    expect((await probe.receive()).arg).toEqual({ at: stays!.address, item: "second" });
  });

  it("an actor subscribes itself with the handle it was sent; a probe can subscribe too", async () => {
    using probe = TestProbe.create(system);
    await using topic = await Topic.open<string>(system, { worker: 1 });
    // On the owner's worker: the owner's tell lands in its mailbox during the publish, so
    // the ask below (sent after publishAndCount's reply) finds it there.
    const self = await system.spawn(Publisher, undefined, { worker: 1 });
    await self.ask("join", topic);
    await topic.subscribe(probe.ref, "direct");
    expect((await topic.subscribers()).length).toBe(2);
    expect(await topic.publishAndCount("x")).toBe(2);
    expect((await probe.receive()).name).toBe("direct");
    expect(await self.ask("received")).toEqual(["x"]);
  });

  it("is typed: only handler names that take the topic's type", async () => {
    using probe = TestProbe.create(system);
    await using topic = await Topic.open<string>(system);
    const l = await system.spawn(Listener, probe.ref);
    await topic.subscribe(l, "news");
    // Compiled, never run: what the types refuse.
    const _typeChecks = async () => {
      // @ts-expect-error tick takes a number, not a string
      await topic.subscribe(l, "tick");
      // @ts-expect-error no such handler
      await topic.subscribe(l, "nope");
      // @ts-expect-error the topic carries strings
      topic.publish(3);
    };
    expect(await topic.publishAndCount("typed")).toBe(1);
  });

  it("closing stops the owner; bad options are InvalidArgumentError", async () => {
    const topic = await Topic.open<string>(system);
    await topic.close();
    await expect(topic.publishAndCount("late")).rejects.toThrow();
    await topic.close(); // idempotent
    await expect(Topic.open(system, { worker: -1 })).rejects.toThrow(InvalidArgumentError);
    await expect(Topic.open(system, 5 as never)).rejects.toThrow(InvalidArgumentError);
  });
});

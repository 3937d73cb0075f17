/**
 * The receptionist (actors/receptionist.ts): register / find / deregister by typed service
 * keys, from the main loop and from actors on other workers (the handle travels); change
 * notifications (the current listing at once, then each change); a registered actor that
 * stops leaves the listing and subscribers are told.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorRef, ActorSystem, InvalidArgumentError, runtimeName } from "../mod.ts";
import { TestProbe } from "../testkit.ts";
import { type Listing, Receptionist, serviceKey } from "../actors/mod.ts";
import { Listener, Publisher, Routee } from "./fixtures/actors-blocks.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

const Routees = serviceKey<typeof Routee>("routees");

describe(`Receptionist on ${runtimeName}`, () => {
  it("register, find (typed), deregister; registering twice changes nothing", async () => {
    await using receptionist = await Receptionist.open(system, { worker: 1 });
    const a = await system.spawn(Routee, undefined, { worker: 0 });
    const b = await system.spawn(Routee, undefined, { worker: 1 });
    expect(await receptionist.find(Routees)).toEqual([]);
    expect(await receptionist.register(Routees, a)).toBe(true);
    expect(await receptionist.register(Routees, b)).toBe(true);
    expect(await receptionist.register(Routees, a)).toBe(false);
    const found = await receptionist.find(Routees);
    expect(found.map((r) => r.address)).toEqual([a.address, b.address]);
    expect(await found[1]!.ask("whoami")).toBe(b.address); // typed refs: whoami → number
    expect(await receptionist.owner.ask("keys")).toEqual(["routees"]);
    expect(await receptionist.deregister(Routees, a)).toBe(true);
    expect(await receptionist.deregister(Routees, a)).toBe(false);
    expect((await receptionist.find(Routees)).map((r) => r.address)).toEqual([b.address]);
    expect(await receptionist.find(serviceKey("other"))).toEqual([]);
  });

  it("actors on other workers register themselves with the handle they were sent", async () => {
    await using receptionist = await Receptionist.open(system, { worker: 0 });
    const actors = await Promise.all([0, 1].map((worker) => system.spawn(Publisher, undefined, { worker })));
    for (const actor of actors) expect(await actor.ask("register", { receptionist, key: "publishers" })).toBe(true);
    const found = await receptionist.find(serviceKey<typeof Publisher>("publishers"));
    expect(found.map((r) => r.address).sort()).toEqual(actors.map((r) => r.address).sort());
  });

  it("subscribers get the listing at once and after every change, including a registered actor that stops", async () => {
    using probe = TestProbe.create(system);
    await using receptionist = await Receptionist.open(system);
    const listener = await system.spawn(Listener, probe.ref, { worker: 1 });
    await receptionist.subscribe(Routees, listener, "listing");
    const next = async () => (await probe.receive()).arg as { key: string; refs: number[] };
    expect(await next()).toMatchObject({ key: "routees", refs: [] });
    const a = await system.spawn(Routee, undefined, { worker: 0 });
    const b = await system.spawn(Publisher, undefined, { worker: 1 });
    await receptionist.register(Routees, a);
    expect((await next()).refs).toEqual([a.address]);
    await receptionist.register(serviceKey("routees"), b); // untyped key: any ref
    expect((await next()).refs).toEqual([a.address, b.address]);
    b.tell("quit"); // stops: the receptionist's watch takes it out
    expect((await next()).refs).toEqual([a.address]);
    await receptionist.deregister(Routees, a);
    expect((await next()).refs).toEqual([]);
    expect(await receptionist.unsubscribe(Routees, listener)).toBe(true);
    await receptionist.register(Routees, a);
    await receptionist.owner.flush();
    expect(probe.messages.length).toBe(5); // nothing after unsubscribing
  });

  it("a probe subscribes too (not watched); a subscriber that stops is dropped", async () => {
    using probe = TestProbe.create(system);
    await using receptionist = await Receptionist.open(system);
    await receptionist.subscribe(Routees, probe.ref, "listing");
    const first = await probe.receive();
    expect(first.name).toBe("listing");
    expect((first.arg as Listing).refs).toEqual([]);
    const quitter = await system.spawn(Listener, probe.ref);
    await receptionist.subscribe(Routees, quitter, "listing");
    await probe.receive(); // its first listing, forwarded
    quitter.tell("quit");
    const a = await system.spawn(Routee, undefined);
    await receptionist.register(Routees, a);
    const seen = await probe.receive();
    expect(seen.name).toBe("listing"); // the probe's own; the stopped listener's is a dead letter at most
  });

  it("is typed, and bad input is InvalidArgumentError", async () => {
    await using receptionist = await Receptionist.open(system);
    // Compiled, never run: what the types refuse.
    const _typeChecks = async (listener: ActorRef<typeof Listener>, pub: ActorRef<typeof Publisher>) => {
      // @ts-expect-error news takes a string, not a listing
      await receptionist.subscribe(Routees, listener, "news");
      // @ts-expect-error found refs carry the key's protocol: Routee has no "publish"
      (await receptionist.find(Routees))[0]?.tell("publish", pub);
    };
    expect(() => serviceKey("")).toThrow(InvalidArgumentError);
    await expect(receptionist.find({ id: 3 } as never)).rejects.toThrow(InvalidArgumentError);
    await expect(Receptionist.open(system, { worker: 1.5 })).rejects.toThrow(InvalidArgumentError);
  });
});

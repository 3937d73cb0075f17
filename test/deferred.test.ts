/**
 * Deferred replies (`ctx.deferReply`) and handle classes with registered codecs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActorSystem, runtimeName } from "../mod.ts";
import { Rendezvous, Ticket } from "./fixtures/deferred.ts";

let system: ActorSystem;
beforeAll(async () => {
  system = await ActorSystem.start({ workers: 2 });
});
afterAll(async () => {
  await system.shutdown();
});

describe(`deferred replies and handles on ${runtimeName}`, () => {
  it("answers an ask later while the actor goes on with other messages", async () => {
    const r = await system.spawn(Rendezvous);
    const a = r.ask("wait");
    const b = r.ask("wait");
    expect(await r.ask("pending")).toBe(2); // processed while two asks wait
    expect(await r.ask("signal", "go")).toBe("signalled");
    expect(await Promise.all([a, b])).toEqual(["go", "go"]);
  });

  it("keeps a registered handle class across workers", async () => {
    const [a, b] = await Promise.all([
      system.spawn(Rendezvous, undefined, { worker: 0 }),
      system.spawn(Rendezvous, undefined, { worker: 1 }),
    ]);
    const ticket = await a.ask("ticket");
    expect(ticket).toBeInstanceOf(Ticket);
    expect(ticket.owner.equals(a)).toBe(true);
    expect(await b.ask("describe", ticket)).toBe(`seat 1 at ${a.label}`);
  });
});

/**
 * Handles (channels, latches) reach workers that have not loaded the channel code yet:
 * every worker imports the modules that registered handle codecs before it takes any
 * message. Each test starts a fresh system, so the receiving worker is fresh too.
 */
import { describe, expect, it } from "vitest";
import { ActorSystem, Channel, Latch, runtimeName } from "../mod.ts";
import { ChannelSummer } from "./fixtures/channel-summer.ts";

describe(`handles on fresh workers on ${runtimeName}`, () => {
  it("a channel as the spawn argument of the first actor on a worker", async () => {
    await using system = await ActorSystem.start({ workers: 2 });
    const ch = await Channel.open<number>(system, { capacity: 4, worker: 0 });
    const summer = await system.spawn(ChannelSummer, ch, { worker: 1 }); // worker 1 decodes the Channel first
    const sum = summer.ask("sum", undefined, { timeout: Infinity });
    for (let i = 0; i < 10; i++) await ch.put(i);
    await ch.close();
    expect(await sum).toBe(45);
  });

  it("a channel and a latch as items, through a worker that hosts nothing but a channel's owner", async () => {
    await using system = await ActorSystem.start({ workers: 2 });
    const ch = await Channel.open<number>(system, { capacity: 4, worker: 1 });
    const latch = await Latch.open(system, { worker: 1 });
    const handles = await Channel.open<Channel<number> | Latch>(system, { capacity: 4, worker: 0 });
    await handles.put(ch);
    await handles.put(latch);
    const got = [await handles.get(), await handles.get()];
    expect(got[0]).toBeInstanceOf(Channel);
    expect(got[1]).toBeInstanceOf(Latch);
    await ch.put(7);
    expect(await (got[0] as Channel<number>).get()).toBe(7);
  });
});

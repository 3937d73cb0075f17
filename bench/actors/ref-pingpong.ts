/**
 * Ping-pong on one worker, three ways of naming the reply's target:
 *
 * - `ref`: every `ping` is the ref to answer (`ctx.self`), as a request with a reply
 *   address; the pong side answers it.
 * - `ref-in-object`: every `ping` is `{ replyTo: ctx.self, n }` (a reply address inside a
 *   request object, which is copied as any object is).
 * - `sender`: `ping` carries nothing and the pong side answers `ctx.sender`.
 *
 * `RefPingDriver.run` spawns the pair as its children (on its own worker, or the pong side
 * on `pongWorker`), runs `pings` round trips and answers with the time and the counts seen
 * on both sides.
 *
 * @example
 * ```ts
 * const driver = await system.spawn(RefPingDriver, undefined, { worker: 0 });
 * const run = await driver.ask("run", { pings: 10_000, mode: "ref" });
 * ```
 * @module
 */
import { type ActorContext, type ActorRef, defineActor } from "../../mod.ts";
import { openLatch, releaseLatch } from "../savina/latch.ts";
import type { WorkloadRun } from "../savina/common.ts";
import { allOf, expectEqual } from "../util/check.ts";

/** How the pong side finds whom to answer. */
export type RefPingMode = "ref" | "ref-in-object" | "sender";

function quit(_state: unknown, _arg: void, ctx: ActorContext): boolean {
  ctx.stop();
  return true;
}

/** Answers `ping` with `pong`: to the ref in the message, or to `ctx.sender`. */
export const RefPong = defineActor(import.meta.url, {
  name: "RefPong",
  init: () => ({ pings: 0, wrong: 0 }),
  handlers: {
    ping(state, replyTo: ActorRef) { // untyped: RefPing's type refers to RefPong's
      state.pings++;
      replyTo.tell("pong");
    },
    pingObject(state, msg: { replyTo: ActorRef; n: number }) {
      state.pings++;
      if (msg.n !== state.pings) state.wrong++;
      msg.replyTo.tell("pong");
    },
    pingSender(state, _: void, ctx) {
      state.pings++;
      ctx.sender!.tell("pong");
    },
    /** Pings seen, or -1 when one arrived out of order. */
    count(state): number {
      return state.wrong === 0 ? state.pings : -1;
    },
    quit,
  },
});

/** Sends `pings` pings one at a time; releases the latch with the pongs it received. */
export const RefPing = defineActor(import.meta.url, {
  name: "RefPing",
  init: (pong: ActorRef<typeof RefPong>) => ({ pong, left: 0, sent: 0, pongs: 0, latch: 0, mode: "ref" as RefPingMode }),
  handlers: {
    start(state, req: { pings: number; latch: number; mode: RefPingMode }, ctx) {
      Object.assign(state, { left: req.pings, sent: 0, pongs: 0, latch: req.latch, mode: req.mode });
      send(state, ctx);
    },
    pong(state, _: void, ctx) {
      state.pongs++;
      if (state.left > 0) send(state, ctx);
      else releaseLatch(state.latch, state.pongs);
    },
    quit,
  },
});

function send(state: { pong: ActorRef<typeof RefPong>; left: number; sent: number; mode: RefPingMode }, ctx: ActorContext): void {
  state.left--;
  const n = ++state.sent;
  if (state.mode === "ref") state.pong.tell("ping", ctx.self);
  else if (state.mode === "ref-in-object") state.pong.tell("pingObject", { replyTo: ctx.self, n });
  else state.pong.tell("pingSender");
}

/** `run({ pings, mode })`: one timed ping-pong among fresh children. */
export const RefPingDriver = defineActor(import.meta.url, {
  name: "RefPingDriver",
  init: () => ({}),
  handlers: {
    async run(_state, req: { pings: number; mode: RefPingMode; pongWorker?: number }, ctx): Promise<WorkloadRun> {
      const pong = await ctx.spawn(RefPong, undefined, req.pongWorker === undefined ? undefined : { worker: req.pongWorker });
      const ping = await ctx.spawn(RefPing, pong);
      const { id, done } = openLatch<number>();
      const started = performance.now();
      ping.tell("start", { pings: req.pings, latch: id, mode: req.mode });
      const pongs = await done;
      const elapsedMs = performance.now() - started;
      const seen = await pong.ask("count");
      await Promise.all([ping.ask("quit"), pong.ask("quit")]);
      return {
        elapsedMs,
        messages: 2 * req.pings,
        check: allOf(
          expectEqual("pings seen by pong", seen, req.pings),
          expectEqual("pongs", pongs, req.pings),
        ),
      };
    },
  },
});

/**
 * The program every worker runs: one {@link Loop}, connected to the main loop over the
 * worker's own channel and to every other worker over a `MessagePort` of the mesh.
 *
 * It answers the shutdown phases: during `drain` it reports each time it becomes idle
 * (with its sent/received counters, for the main loop's quiescence check); on `exit` it
 * stops any actor left, closes every port, reports its counters and ends.
 * @module
 */
import { ActorStoppedError } from "../errors.ts";
import { parentEndpoint, portEndpoint, runtimeName } from "../runtime/adapters.ts";
import type { FromWorker, ToPeer, ToWorker } from "./control.ts";
import { Loop } from "./loop.ts";
import { LatenessSampler, type WorkerMetrics } from "./metrics.ts";
import { logEventToWire } from "./log.ts";

const parent = parentEndpoint();
let loop: Loop | undefined;
let draining = false;
let lastReport = "";
const sampler = new LatenessSampler();

function post(message: FromWorker): void {
  loop!.links[0]!.postControl(message);
}

function reportIfIdle(): void {
  if (!draining || loop === undefined || !loop.idle) return;
  loop.flushLinks();
  const sent = loop.links.map((l) => l?.sent ?? 0);
  const received = [...loop.received];
  const key = `${sent}|${received}`;
  if (key === lastReport) return;
  lastReport = key;
  post({ type: "idle", sent, received });
}

/** Peers whose `halt` has not come yet during the exit (see {@link ToPeer}), and who waits for them. */
const haltsAwaited = new Set<number>();
const haltsEarly = new Set<number>();
let allHalted: (() => void) | null = null;

function halted(peer: number): void {
  if (!haltsAwaited.delete(peer)) haltsEarly.add(peer); // a peer may get there before this worker's own exit
  if (haltsAwaited.size === 0) allHalted?.();
}

async function exit(force: boolean): Promise<void> {
  const l = loop!;
  post({ type: "exitStarted" });
  draining = false;
  sampler.stop();
  // Past the deadline: what is still in received frames is queued mail too, counted with
  // the mailboxes as undelivered (it was waiting to be decoded, in step with processing).
  if (force) l.drainInbound();
  await l.lifecycle.stopAll(force);
  // Every actor here is gone. Say so to each peer, and wait for theirs: then nothing a peer
  // sent is still in flight, and what came for actors here is counted (dead letters).
  const peers = l.links.flatMap((link) => (link && link.peer !== 0 && !link.closed ? [link.peer] : []));
  for (const p of peers) if (!haltsEarly.has(p)) haltsAwaited.add(p);
  for (const p of peers) l.links[p]!.postControl({ type: "halt" } satisfies ToPeer);
  if (haltsAwaited.size > 0) {
    // A peer stuck in a handler never says `halt`: the main loop then says `peerStuck`.
    const { promise, resolve } = Promise.withResolvers<void>();
    allHalted = resolve;
    await promise;
  }
  l.drainInbound();
  l.asks.rejectAll(() => new ActorStoppedError("the asked actor", "the system shut down"));
  const stats = l.stats();
  for (const link of l.links) if (link && link.peer !== 0) link.close();
  post({ type: "exited", stats });
  l.links[0]!.close();
  // The main loop terminates the worker once it has this report, so a timer an actor
  // left running cannot keep the worker alive. Deno web workers can also close themselves.
  if (runtimeName === "deno") closeSelf?.();
}

// Deno web workers have no exit event: a worker that ends itself says so first.
const closeSelf = (globalThis as unknown as { close?: () => void }).close?.bind(globalThis);
if (runtimeName === "deno") {
  const g = globalThis as unknown as { Deno: { exit(code?: number): never }; close(): void; process?: { exit(code?: number): never } };
  const notify = (code: number, how: string): void => {
    try {
      parent.post({ type: "exiting", code, reason: `exited by ${how}` } satisfies FromWorker);
    } catch {
      // the parent is gone already
    }
  };
  const denoExit = g.Deno.exit.bind(g.Deno);
  g.Deno.exit = (code = 0) => {
    notify(code, `Deno.exit(${code})`);
    return denoExit(code);
  };
  if (g.process) g.process.exit = (code = 0) => g.Deno.exit(code);
  g.close = () => {
    notify(0, "self.close()");
    closeSelf?.();
  };
  // An uncaught error or unhandled rejection ends the worker as on Node and Bun, but is
  // reported through the system's logger (as the exit's error), not printed by Deno.
  const crash = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    try {
      parent.post({ type: "exiting", code: 1, reason: `uncaught error: ${message}`, error: error instanceof Error ? { name: error.name, message, stack: error.stack } : { name: "Error", message } } satisfies FromWorker);
    } catch {
      // the parent is gone already
    }
    closeSelf?.();
  };
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    crash((event as ErrorEvent).error);
  });
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    crash((event as PromiseRejectionEvent).reason);
  });
}

parent.listen((data) => {
  const message = data as ToWorker;
  if (message.type !== "init") return;
  const l = (loop = new Loop(message.options));
  message.taken.forEach((row, i) => l.setTakenRow(i, row));
  l.connect(0, parent);
  message.peers.forEach((peer, i) => l.connect(peer, portEndpoint(message.ports[i]!)));
  if (message.reserve > 0) {
    // A replacement worker: actors come back at their old numbers; mail for them waits.
    l.reserveLocalIds(message.reserve);
    l.startParking(message.reserve);
  }
  l.onMaybeIdle = reportIfIdle;
  l.log = (event) => {
    if (!l.links[0]!.closed) post({ type: "log", event: logEventToWire(event) });
  };
  sampler.start();
  l.ops.set("metrics", (): WorkerMetrics => ({
    worker: l.index - 1,
    eventLoopDelay: sampler.take(),
    processed: l.processed,
    deadLetters: l.deadLetters,
    actors: l.actorMetrics(),
  }));
  l.onControl = (from, control) => {
    const m = control as ToWorker | ToPeer;
    if (m.type === "halt") halted(from);
    else if (m.type === "peerStuck") halted(m.peer);
    else if (m.type === "drain") {
      draining = true;
      reportIfIdle();
    } else if (m.type === "exit") void exit(m.force);
    else if (m.type === "peerReplaced") {
      l.peerLost(m.peer, (what) => new ActorStoppedError(what, `its ${m.reason}`));
      l.replacePeer(m.peer, portEndpoint(m.port), `worker ${m.peer - 1}`, m.taken);
    } else if (m.type === "peerDown") {
      l.peerLost(m.peer, (what) => new ActorStoppedError(what, `its ${m.reason}`));
      l.abandonPeer(m.peer, `worker ${m.peer - 1}`);
      halted(m.peer);
      reportIfIdle();
    } else if (m.type === "actorsLost") {
      l.lifecycle.actorsLost(m.lost, m.restarted, m.reason);
      l.endParking();
    }
  };
  post({ type: "ready" });
});

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
import type { FromWorker, ToWorker } from "./control.ts";
import { Loop } from "./loop.ts";
import { LatenessSampler, type WorkerMetrics } from "./metrics.ts";

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

async function exit(force: boolean): Promise<void> {
  const l = loop!;
  draining = false;
  sampler.stop();
  await l.lifecycle.stopAll(force);
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
}

parent.listen((data) => {
  const message = data as ToWorker;
  if (message.type !== "init") return;
  const l = (loop = new Loop(message.options));
  l.connect(0, parent);
  message.peers.forEach((peer, i) => l.connect(peer, portEndpoint(message.ports[i]!)));
  if (message.reserve > 0) {
    // A replacement worker: actors come back at their old numbers; mail for them waits.
    l.reserveLocalIds(message.reserve);
    l.startParking(message.reserve);
  }
  l.onMaybeIdle = reportIfIdle;
  sampler.start();
  l.ops.set("metrics", (): WorkerMetrics => ({
    worker: l.index - 1,
    eventLoopDelay: sampler.take(),
    processed: l.processed,
    deadLetters: l.deadLetters,
    actors: l.actorMetrics(),
  }));
  l.onControl = (_from, control) => {
    const m = control as ToWorker;
    if (m.type === "drain") {
      draining = true;
      reportIfIdle();
    } else if (m.type === "exit") void exit(m.force);
    else if (m.type === "peerReplaced") {
      l.peerLost(m.peer, (what) => new ActorStoppedError(what, `its ${m.reason}`));
      l.replacePeer(m.peer, portEndpoint(m.port), `worker ${m.peer - 1}`);
    } else if (m.type === "peerDown") {
      l.peerLost(m.peer, (what) => new ActorStoppedError(what, `its ${m.reason}`));
      l.abandonPeer(m.peer, `worker ${m.peer - 1}`);
      reportIfIdle();
    } else if (m.type === "actorsLost") {
      l.lifecycle.actorsLost(m.lost, m.restarted, m.reason);
      l.endParking();
    }
  };
  post({ type: "ready" });
});

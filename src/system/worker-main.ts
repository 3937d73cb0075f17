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
import { announceOwnExit, endOwnWorker, parentEndpoint, portEndpoint } from "../runtime/adapters.ts";
import type { FromWorker, ToPeer, ToWorker } from "./control.ts";
import { Loop } from "./loop.ts";
import { ForwardingRemote } from "./remote.ts";
import { LatenessSampler } from "./metrics.ts";
import { SystemMessage } from "../wire/envelope.ts";
import { logEventToWire } from "./log.ts";
import { linkEndpoint } from "./link-options.ts";

const parent = parentEndpoint();
let loop: Loop | undefined;
let draining = false;
/** The epoch idle reports are tagged with (0: not reporting; see `ToWorker` "report"). */
let reportEpoch = 0;
let lastReport = "";
const sampler = new LatenessSampler();

function post(message: FromWorker): void {
  loop!.link(0).postControl(message);
}

function reportIfIdle(): void {
  if (reportEpoch === 0 || loop === undefined || !loop.idle) return;
  loop.flushLinks();
  const sent = loop.sentCounts();
  const received = loop.receivedCounts();
  const key = `${reportEpoch}|${sent}|${received}`;
  if (key === lastReport) return;
  lastReport = key;
  post({ type: "idle", epoch: reportEpoch, sent, received });
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
  reportEpoch = 0;
  sampler.stop();
  // Past the deadline: what is still in received frames is queued mail too, counted with
  // the mailboxes as undelivered (it was waiting to be decoded, in step with processing).
  if (force) l.drainInbound();
  await l.lifecycle.stopAll(force);
  // Every actor here is gone. Say so to each peer, and wait for theirs: then nothing a peer
  // sent is still in flight, and what came for actors here is counted (dead letters).
  const peers = l.peers.flatMap((p) => (p.index !== 0 && p.link !== undefined && !p.link.closed ? [p.index] : []));
  for (const p of peers) if (!haltsEarly.has(p)) haltsAwaited.add(p);
  for (const p of peers) l.link(p).postControl({ type: "halt" } satisfies ToPeer);
  if (haltsAwaited.size > 0) {
    // A peer stuck in a handler never says `halt`: the main loop then says `peerStuck`.
    const { promise, resolve } = Promise.withResolvers<void>();
    allHalted = resolve;
    await promise;
  }
  l.drainInbound();
  l.asks.rejectAll(() => new ActorStoppedError("the asked actor", "the system shut down"));
  const stats = l.stats();
  l.closeLinks(0);
  post({ type: "exited", stats });
  l.link(0).close();
  // The main loop terminates the worker once it has this report, so a timer an actor
  // left running cannot keep the worker alive.
  endOwnWorker();
}

announceOwnExit();

parent.listen((data) => {
  const message = data as ToWorker;
  if (message.type !== "init") return;
  const l = (loop = new Loop(message.options));
  message.taken.forEach((row, i) => l.setTakenRow(i, row));
  const link = message.options.link;
  l.connect(0, linkEndpoint(parent, message.parentRing, link, l.canSpin));
  l.remote = new ForwardingRemote(l); // refs to actors of other nodes go through the main loop (remote.ts)
  message.peers.forEach((peer, i) => l.connect(peer, linkEndpoint(portEndpoint(message.ports[i]!), message.rings?.[i], link, l.canSpin)));
  if (message.reserve > 0) {
    // A replacement worker: actors come back at their old numbers; mail for them waits.
    l.reserveLocalIds(message.reserve);
    l.delivery.startParking(message.reserve);
  }
  l.onMaybeIdle = reportIfIdle;
  l.log = (event) => {
    if (!l.link(0).closed) post({ type: "log", event: logEventToWire(event) });
  };
  sampler.start();
  l.ops.on("metrics", () => ({
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
    else if (m.type === "report") {
      if (draining) return; // the drain's reports go on
      reportEpoch = m.epoch;
      lastReport = "";
      reportIfIdle();
    } else if (m.type === "drain") {
      draining = true;
      reportEpoch = m.epoch;
      lastReport = "";
      // Actors with an onDrain hook get it first, in mailbox order (a channel closes itself).
      for (const cell of l.cells.values()) {
        if (cell.definition.spec.onDrain !== undefined) l.tellSystem(cell.address, cell.address, SystemMessage.Drain, undefined);
      }
      reportIfIdle();
    } else if (m.type === "exit") void exit(m.force);
    else if (m.type === "peerReplaced") {
      l.peerLost(m.peer, (what) => new ActorStoppedError(what, `its ${m.reason}`));
      l.replacePeer(m.peer, linkEndpoint(portEndpoint(m.port), m.ring, l.options.link, l.canSpin), `worker ${m.peer - 1}`, m.taken);
    } else if (m.type === "peerDown") {
      l.peerLost(m.peer, (what) => new ActorStoppedError(what, `its ${m.reason}`));
      l.abandonPeer(m.peer, `worker ${m.peer - 1}`);
      halted(m.peer);
      reportIfIdle();
    } else if (m.type === "actorsLost") {
      l.lifecycle.actorsLost(m.loop, m.lost, m.restarted, m.reason);
      l.delivery.endParking();
    }
  };
  // Handle classes (channels, …) registered on the main thread are known here before the
  // worker says it is ready: the main loop sends it nothing before that, so a handle can be
  // the first thing it decodes (a spawn argument). The loop is wired first, synchronously:
  // a replacement worker's peers may already be sending. A module that fails to import
  // leaves its handles to arrive as a WireError naming their type.
  void Promise.all(message.modules.map((url) => import(url).catch(() => undefined))).then(() => post({ type: "ready" }));
});

/**
 * `pingpong-refs`: ping-pong between two actors on one worker where every `ping` is the
 * ref to answer, against the same ping-pong answering `ctx.sender` (see
 * `../actors/ref-pingpong.ts`): the cost of a ref as a message over a message without
 * one. A third row puts the ref in a `{ replyTo, n }` object (every object is copied on
 * the same loop; shown here).
 *
 * `pingpong-refs-object`: the `{ replyTo, n }` request against `ctx.sender`, on one worker
 * (a same-loop copy per ping) and `pingpong-refs-across`: the same with the pong side on
 * another worker (every ping and pong crosses a link; the ref is encoded and decoded).
 *
 * The cases of a benchmark share one system, so each round's pair runs on the same workers:
 * on this project's VM a worker can run at one of two speeds for long stretches (seen
 * here: ~3.5 and ~7 M msgs/s for the same case), and cases with workers of their own
 * compared those speeds as much as their code (one run read 1.46× and the next 0.36× for
 * the same tree; bench/results/ab-flat-copy).
 * @module
 */
import type { ActorRef, ActorSystem } from "../../mod.ts";
import { RefPingDriver, type RefPingMode } from "../actors/ref-pingpong.ts";
import type { BenchmarkFactory, CaseRunner, CaseSpec } from "../harness/types.ts";
import { poolSize, rateMetric, startSystem, timeMetric } from "./common.ts";

/** One system for the cases of a benchmark (see the module's doc): started by the first to open it, shut down when the last closes. */
class SharedSystem {
  readonly #workers: number;
  #started: ReturnType<typeof startSystem> | null = null;
  #users = 0;
  constructor(workers: number) {
    this.#workers = workers;
  }
  async open(): Promise<{ system: ActorSystem; close(): Promise<void> }> {
    this.#users++;
    this.#started ??= startSystem({ workers: this.#workers });
    const { system } = await this.#started;
    let closed = false;
    return {
      system,
      close: async () => {
        if (closed) return;
        closed = true;
        if (--this.#users > 0) return;
        const started = this.#started!; // set by every open, and only the last close clears it
        this.#started = null;
        await (await started).close();
      },
    };
  }
}

function pingCase(
  shared: SharedSystem,
  name: string,
  role: "missive" | "baseline",
  mode: RefPingMode,
  pings: number,
  across = false,
): CaseSpec {
  return {
    name,
    role,
    unavailable: () => (across && poolSize() < 2 ? "needs at least 2 cores" : undefined),
    async setup(): Promise<CaseRunner> {
      const { system, close } = await shared.open();
      const driver: ActorRef<typeof RefPingDriver> = await system.spawn(RefPingDriver, undefined, { worker: 0 });
      const pongWorker = across ? 1 : undefined;
      return {
        async run() {
          const r = await driver.ask("run", { pings, mode, pongWorker }, { timeout: 170_000 });
          return { metrics: { rate: (r.messages / r.elapsedMs) * 1000, ms: r.elapsedMs }, check: r.check };
        },
        close,
      };
    },
  };
}

/** `pingpong-refs`: msgs/s with a reply ref in every message vs with `ctx.sender`. */
export const pingPongRefs: BenchmarkFactory = (size) => {
  const pings = size === "full" ? 40_000 : 2_000;
  const shared = new SharedSystem(1);
  return {
    name: "pingpong-refs",
    title: "in-loop ping-pong (1 worker): reply ref in every message vs ctx.sender",
    metrics: [rateMetric(), timeMetric],
    params: { pings },
    notes: [],
    cases: [
      pingCase(shared, "missive", "missive", "ref", pings),
      pingCase(shared, "ref in { replyTo, n }", "baseline", "ref-in-object", pings),
      pingCase(shared, "ctx.sender", "baseline", "sender", pings),
    ],
  };
};

/** `pingpong-refs-object` / `pingpong-refs-across`: a `{ replyTo, n }` request vs `ctx.sender`, on one worker or across two. */
function pingPongRequest(across: boolean): BenchmarkFactory {
  return (size) => {
    // Across workers every round trip waits for two thread hand-offs (~10k msgs/s here): fewer pings.
    const pings = size === "quick" ? 2_000 : across ? 20_000 : 100_000;
    const shared = new SharedSystem(across ? 2 : 1);
    return {
      name: across ? "pingpong-refs-across" : "pingpong-refs-object",
      title: across
        ? "cross-worker ping-pong (2 workers): { replyTo, n } request vs ctx.sender"
        : "in-loop ping-pong (1 worker): { replyTo, n } request vs ctx.sender",
      metrics: [rateMetric(), timeMetric],
      params: { pings },
      notes: [],
      cases: [
        pingCase(shared, "missive", "missive", "ref-in-object", pings, across),
        pingCase(shared, "ctx.sender", "baseline", "sender", pings, across),
        ...(across ? [pingCase(shared, "ref as the message", "baseline", "ref", pings, across)] : []),
      ],
    };
  };
}

/** `pingpong-refs-object`: msgs/s of a `{ replyTo, n }` request vs `ctx.sender`, on one worker. */
export const pingPongRefsObject: BenchmarkFactory = pingPongRequest(false);
/** `pingpong-refs-across`: the same, the pong side on another worker. */
export const pingPongRefsAcross: BenchmarkFactory = pingPongRequest(true);

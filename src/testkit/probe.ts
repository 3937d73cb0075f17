/**
 * `TestProbe<P>`: a mailbox on the main loop that actors can send to, for tests, with
 * assertions. Give its `ref` to actors (inside messages or as a spawn argument); then
 * `expectMessage`, `fishForMessage`, `receiveN`, `expectNoMessage`, `expectTerminated`.
 * `P` is the protocol the probe receives (message name → argument type): its `ref` is
 * typed by it, and so are the messages the expectations return.
 *
 * `expectNoMessage()` never sleeps: it resolves once the whole system is quiescent
 * (nothing queued, running or in flight, decided by the same counting as shutdown's
 * drain) and nothing came; it fails as soon as something does. A failed expectation
 * rejects with {@link ProbeExpectationError}, which lists what did arrive.
 *
 * Asks to a probe are answered with `undefined`, and `flush()` works, so an actor can make
 * sure its report has arrived before it goes on.
 *
 * @example
 * ```ts
 * using probe = TestProbe.create<{ pong: number }>(system);
 * const pinger = await system.spawn(Pinger, probe.ref);
 * pinger.tell("ping", 3);
 * const { arg } = await probe.expectMessage("pong"); // arg: number, 3
 * await probe.expectNoMessage(); // nothing else comes, once the system is quiet
 * ```
 * @module
 */
import type { Terminated } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { checkOptions, checkSignal, checkTimeout } from "../actor/validate.ts";
import { AskTimeoutError, InvalidArgumentError } from "../errors.ts";
import { Deque } from "../util/deque.ts";
import { address, Kind, localIdOf, loopOf, SystemMessage } from "../wire/envelope.ts";
import { formatMessage, formatMessages } from "./format.ts";
import { type ProbeHost, probeHostOf, type ProbeHostSource } from "./probe-host.ts";
import { ProbeExpectationError } from "./probe-error.ts";
import type {
  ExpectOptions,
  MessageMatcher,
  ProbeDefinition,
  ProbeMessage,
  ProbeMessageOf,
  ProbeProtocol,
  ReceiveOptions,
} from "./probe-types.ts";
import { checkExpectOptions, DEFAULT_WITHIN, describeMatcher, handOver, matcherTest, type Waiter, waitOn } from "./probe-waits.ts";

export { ProbeExpectationError } from "./probe-error.ts";
export type {
  ExpectOptions,
  MessageMatcher,
  ProbeDefinition,
  ProbeMessage,
  ProbeMessageOf,
  ProbeProtocol,
  ReceiveOptions,
} from "./probe-types.ts";

/** A probe: see the module doc. Dispose it (`using`) to stop receiving. */
export class TestProbe<P extends ProbeProtocol = Record<string, unknown>> implements Disposable {
  /** Send this to actors; everything they send to it lands in this probe. */
  readonly ref: ActorRef<ProbeDefinition<P>>;
  /** Every message received so far, in arrival order (including those already taken). */
  readonly messages: ProbeMessage<P>[] = [];
  readonly #host: ProbeHost;
  readonly #unread = new Deque<ProbeMessage<P>>();
  readonly #waiters = new Deque<Waiter<ProbeMessage<P>>>();
  readonly #terminated: Terminated[] = [];
  readonly #terminatedWaiters = new Set<Waiter<Terminated>>();
  readonly #watching = new Set<number>();
  readonly #silence = new Set<(m: ProbeMessage<P>) => void>();
  readonly #dispose: () => void;

  private constructor(host: ProbeHost, ref: ActorRef, dispose: () => void) {
    this.#host = host;
    this.ref = ref as ActorRef<ProbeDefinition<P>>;
    this.#dispose = dispose;
  }

  /**
   * Creates a probe on `system`'s main loop; `P` types what it receives.
   *
   * @example
   * ```ts
   * using probe = TestProbe.create<{ pong: number; done: void }>(system, "pongs");
   * ```
   */
  static create<P extends ProbeProtocol = Record<string, unknown>>(system: ProbeHostSource, label = "probe"): TestProbe<P> {
    const host = probeHostOf(system);
    const loop = host.loop;
    const localId = loop.allocateLocalId();
    const probe: TestProbe<P> = new TestProbe<P>(host, loop.refTo(address(0, localId), label), () => loop.probes.delete(localId));
    loop.probes.set(localId, (env) => {
      const name = env[4];
      if (name === SystemMessage.Terminated) probe.#terminatedSignal(env[5]);
      else if (name !== SystemMessage.Flush) {
        const from = env[2];
        const sender = localIdOf(from) === 0 ? undefined : loop.refTo(from, host.labelOf(from) ?? `actor ${from}`);
        probe.#push({ name: name ?? "", arg: env[5], sender } as ProbeMessage<P>);
      }
      if ((env[0] & 7) === Kind.Ask) loop.reply(env, undefined);
    });
    return probe;
  }

  #push(message: ProbeMessage<P>): void {
    this.messages.push(message);
    for (const fail of this.#silence) fail(message);
    // The oldest waiter takes it (receive and the expectations take the next message).
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(message);
    else this.#unread.push(message);
  }

  #terminatedSignal(payload: unknown): void {
    if (!Array.isArray(payload) || typeof payload[0] !== "number") return;
    const [addr, label, reason, normal, error] = payload as [number, string, string, boolean, unknown?];
    const t: Terminated = { actor: this.#host.loop.refTo(addr, label), reason, normal };
    if (error !== undefined) t.error = error;
    this.#watching.delete(addr);
    if (!handOver(this.#terminatedWaiters, t)) this.#terminated.push(t);
  }

  /** The next unread message, waiting for it if needed (FIFO among waiters). */
  receive(options: ReceiveOptions = {}): Promise<ProbeMessage<P>> {
    try {
      checkOptions("receive options", options);
      checkTimeout("receive option timeout", options.timeout, true);
      checkSignal("receive option signal", options.signal);
    } catch (e) {
      return Promise.reject(e);
    }
    const timeout = options.timeout ?? DEFAULT_WITHIN;
    return this.#next(timeout, options.signal, () => new AskTimeoutError(this.ref.label, "receive", timeout));
  }

  #next(within: number, signal: AbortSignal | undefined, onTimeout: () => unknown): Promise<ProbeMessage<P>> {
    const next = this.#unread.shift();
    if (next) return Promise.resolve(next);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { promise, resolve, reject } = Promise.withResolvers<ProbeMessage<P>>();
    const waiter: Waiter<ProbeMessage<P>> = { accept: () => true, resolve, reject };
    this.#waiters.push(waiter);
    const cancel = (error: unknown): void => {
      // Remove exactly this waiter; the others keep their places.
      const rest = this.#waiters.drain();
      if (!rest.includes(waiter)) {
        for (const w of rest) this.#waiters.push(w);
        return;
      }
      for (const w of rest) if (w !== waiter) this.#waiters.push(w);
      reject(error);
    };
    const timer = Number.isFinite(within) ? setTimeout(() => cancel(onTimeout()), within) : undefined;
    const onAbort = (): void => cancel(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    return promise.finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    });
  }

  #fail(expected: string, detail: string): ProbeExpectationError {
    return new ProbeExpectationError(
      `${this.ref.label}: expected ${expected}, but ${detail}.\n  received so far: ${formatMessages(this.messages)}`,
      expected,
      [...this.messages],
    );
  }

  /**
   * The next message, which must match `matcher` (a name or a predicate); rejects with
   * {@link ProbeExpectationError} when it does not, or when none comes `within` ms.
   *
   * @example
   * ```ts
   * const pong = await probe.expectMessage("pong", { within: 5_000 }); // ProbeMessageOf<P, "pong">
   * await probe.expectMessage((m) => m.name === "pong" && m.arg === 3);
   * ```
   */
  expectMessage<K extends keyof P & string>(name: K, options?: ExpectOptions): Promise<ProbeMessageOf<P, K>>;
  expectMessage(predicate: (message: ProbeMessage<P>) => boolean, options?: ExpectOptions): Promise<ProbeMessage<P>>;
  async expectMessage(matcher: MessageMatcher<P>, options?: ExpectOptions): Promise<ProbeMessage<P>> {
    const { within, signal } = checkExpectOptions("expectMessage", options);
    const test = matcherTest(matcher);
    const expected = `${describeMatcher(matcher as MessageMatcher<never>)} within ${within} ms`;
    const m = await this.#next(within, signal, () => this.#fail(expected, "nothing more came"));
    if (!test(m)) throw this.#fail(expected, `the next message was ${formatMessage(m)}`);
    return m;
  }

  /**
   * Skips messages until one matches `matcher` and returns it (the skipped ones are taken,
   * and listed if it fails); rejects when none matches `within` ms.
   *
   * @example
   * ```ts
   * const done = await probe.fishForMessage("done"); // progress reports before it are skipped
   * ```
   */
  fishForMessage<K extends keyof P & string>(name: K, options?: ExpectOptions): Promise<ProbeMessageOf<P, K>>;
  fishForMessage(predicate: (message: ProbeMessage<P>) => boolean, options?: ExpectOptions): Promise<ProbeMessage<P>>;
  async fishForMessage(matcher: MessageMatcher<P>, options?: ExpectOptions): Promise<ProbeMessage<P>> {
    const { within, signal } = checkExpectOptions("fishForMessage", options);
    const test = matcherTest(matcher);
    const expected = `${describeMatcher(matcher as MessageMatcher<never>)} within ${within} ms`;
    const deadline = performance.now() + within;
    let skipped = 0;
    for (;;) {
      const left = Math.max(1, deadline - performance.now());
      const m = await this.#next(left, signal, () => this.#fail(expected, `none matched (${skipped} skipped)`));
      if (test(m)) return m;
      skipped++;
    }
  }

  /**
   * The next `n` messages, in order; rejects when fewer come `within` ms (or the older
   * `timeout`, per message), listing those that did.
   *
   * @example
   * ```ts
   * const [first, second] = await probe.receiveN(2);
   * ```
   */
  async receiveN(n: number, options?: ExpectOptions & ReceiveOptions): Promise<ProbeMessage<P>[]> {
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`receiveN: ${n} is not a message count.`);
    const { within, signal } = checkExpectOptions("receiveN", { within: options?.within ?? options?.timeout, signal: options?.signal });
    const deadline = performance.now() + within;
    const out: ProbeMessage<P>[] = [];
    for (let i = 0; i < n; i++) {
      const left = Math.max(1, deadline - performance.now());
      out.push(await this.#next(left, signal, () => this.#fail(`${n} messages within ${within} ms`, `only ${out.length} came`)));
    }
    return out;
  }

  /**
   * Resolves once the system is quiescent — nothing queued, running or in flight anywhere,
   * decided by acknowledgements (the counting of shutdown's drain), never by a sleep — and
   * no message came to this probe; rejects with {@link ProbeExpectationError} at once when
   * one is unread or comes. `within` bounds the wait for quiescence: an actor with a
   * periodic timer keeps a system busy for ever.
   *
   * @example
   * ```ts
   * counter.tell("inc", 1);
   * await probe.expectNoMessage(); // the tell and all it caused were processed; nothing came
   * ```
   */
  async expectNoMessage(options?: ExpectOptions): Promise<void> {
    const { within, signal } = checkExpectOptions("expectNoMessage", options);
    const expected = "no message";
    const first = this.#unread.peek();
    if (first !== undefined) throw this.#fail(expected, `${formatMessage(first)} is unread`);
    if (signal?.aborted) throw signal.reason;
    const stop = new AbortController();
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const onMessage = (m: ProbeMessage<P>): void => {
      reject(this.#fail(expected, `${formatMessage(m)} came`));
      stop.abort();
    };
    const onAbort = (): void => {
      reject(signal!.reason);
      stop.abort();
    };
    this.#silence.add(onMessage);
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = Number.isFinite(within)
      ? setTimeout(() => {
        reject(
          this.#fail(
            expected,
            `the system did not become quiescent within ${within} ms (a periodic timer, or actors that never stop talking?)`,
          ),
        );
        stop.abort();
      }, within)
      : undefined;
    this.#host.quiescent(stop.signal).then(resolve, (e) => {
      if (!stop.signal.aborted) reject(e);
    });
    try {
      await promise;
    } finally {
      this.#silence.delete(onMessage);
      signal?.removeEventListener("abort", onAbort);
      clearTimeout(timer);
      if (!stop.signal.aborted) stop.abort();
    }
  }

  /**
   * Watches `ref` from this probe (as `ctx.watch` does). Resolves once registered; a
   * `Terminated` comes at once for an actor already gone. {@link expectTerminated} watches
   * by itself when needed.
   */
  async watch(ref: ActorRef): Promise<void> {
    if (this.#watching.has(ref.address)) return;
    this.#watching.add(ref.address);
    await this.#host.loop.requestOp(loopOf(ref.address), "watch", [localIdOf(ref.address), this.ref.address, false]);
  }

  /**
   * Resolves with the `Terminated` signal of `ref` once it has stopped (watching it first
   * if this probe does not yet); rejects when it has not stopped `within` ms. Other
   * messages are not affected.
   *
   * @example
   * ```ts
   * await system.stop(counter);
   * const t = await probe.expectTerminated(counter); // t.normal: true, t.reason: "stopped"
   * ```
   */
  async expectTerminated(ref: ActorRef, options?: ExpectOptions): Promise<Terminated> {
    const { within, signal } = checkExpectOptions("expectTerminated", options);
    const known = this.#terminated.some((t) => t.actor.address === ref.address);
    const waiting = waitOn(
      this.#terminated,
      this.#terminatedWaiters,
      (t) => t.actor.address === ref.address,
      within,
      signal,
      () => this.#fail(`${ref.label} to stop within ${within} ms`, `it did not (stopped meanwhile: ${this.#stoppedLabels()})`),
    );
    if (!known) {
      try {
        await this.watch(ref);
      } catch (e) {
        waiting.catch(() => undefined);
        throw e;
      }
    }
    return waiting;
  }

  #stoppedLabels(): string {
    return this.#terminated.length === 0 ? "none" : this.#terminated.map((t) => t.actor.label).join(", ");
  }

  /** Stops receiving: later messages to the probe become dead letters. */
  [Symbol.dispose](): void {
    this.#dispose();
  }
}

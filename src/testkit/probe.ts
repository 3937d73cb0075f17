/**
 * `TestProbe`: a mailbox on the main loop that actors can send to, for tests. Give its
 * `ref` to actors (inside messages or as a spawn argument); await what they send with
 * `receive()`. Asks to a probe are answered with `undefined`, and `flush()` works, so an
 * actor can make sure its report has arrived before it goes on.
 *
 * @example
 * ```ts
 * using probe = TestProbe.create(system);
 * const pinger = await system.spawn(Pinger, probe.ref);
 * pinger.tell("ping", 3);
 * const msg = await probe.receive(); // { name: "pong", arg: 3, sender: … }
 * ```
 * @module
 */
import type { ActorRef } from "../actor/ref.ts";
import { AskTimeoutError, InvalidArgumentError } from "../errors.ts";
import { type ActorSystem, mainLoopOf } from "../system/actor-system.ts";
import { Deque } from "../util/deque.ts";
import { address, Kind, localIdOf, SystemMessage } from "../wire/envelope.ts";

/** One message a probe received. */
export interface ProbeMessage {
  /** The message name. */
  name: string;
  /** The message argument. */
  arg: unknown;
  /** The sending actor, when an actor sent it. */
  sender: ActorRef | undefined;
}

/** Options of {@link TestProbe.receive}. */
export interface ReceiveOptions {
  /** Milliseconds to wait before rejecting with `AskTimeoutError` (default 10 000). */
  timeout?: number;
  /** Aborting rejects the wait with the signal's reason and removes only this waiter. */
  signal?: AbortSignal;
}

interface Waiter {
  resolve: (m: ProbeMessage) => void;
  reject: (e: unknown) => void;
  done: boolean;
}

export class TestProbe implements Disposable {
  /** Send this to actors; everything they send to it lands in this probe. */
  readonly ref: ActorRef;
  /** Every message received so far, in arrival order (including those already taken by `receive`). */
  readonly messages: ProbeMessage[] = [];
  readonly #unread = new Deque<ProbeMessage>();
  readonly #waiters = new Deque<Waiter>();
  readonly #dispose: () => void;

  private constructor(ref: ActorRef, dispose: () => void) {
    this.ref = ref;
    this.#dispose = dispose;
  }

  /** Creates a probe on `system`'s main loop. */
  static create(system: ActorSystem, label = "probe"): TestProbe {
    const loop = mainLoopOf(system);
    const localId = loop.allocateLocalId();
    const addr = address(0, localId);
    const probe: TestProbe = new TestProbe(loop.refTo(addr, label), () => loop.probes.delete(localId));
    loop.probes.set(localId, (env) => {
      if (env[4] !== SystemMessage.Flush) {
        const from = env[2];
        probe.#push({ name: env[4] ?? "", arg: env[5], sender: localIdOf(from) === 0 ? undefined : loop.refTo(from, `actor ${from}`) });
      }
      if ((env[0] & 7) === Kind.Ask) loop.reply(env, undefined);
    });
    return probe;
  }

  #push(message: ProbeMessage): void {
    this.messages.push(message);
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.done = true;
      waiter.resolve(message);
    } else this.#unread.push(message);
  }

  /** The next unread message, waiting for it if needed (FIFO among waiters). */
  receive(options: ReceiveOptions = {}): Promise<ProbeMessage> {
    const next = this.#unread.shift();
    if (next) return Promise.resolve(next);
    const { promise, resolve, reject } = Promise.withResolvers<ProbeMessage>();
    const { signal, timeout = 10_000 } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const waiter: Waiter = { resolve, reject, done: false };
    this.#waiters.push(waiter);
    const cancel = (error: unknown): void => {
      if (waiter.done) return;
      waiter.done = true;
      // Remove exactly this waiter; the others keep their places.
      const rest = this.#waiters.drain().filter((w) => w !== waiter);
      for (const w of rest) this.#waiters.push(w);
      reject(error);
    };
    const timer = Number.isFinite(timeout)
      ? setTimeout(() => cancel(new AskTimeoutError(this.ref.label, "receive", timeout)), timeout)
      : undefined;
    const onAbort = () => cancel(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    return promise.finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    });
  }

  /** The next `n` messages, in order. */
  async receiveN(n: number, options?: ReceiveOptions): Promise<ProbeMessage[]> {
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`receiveN: ${n} is not a message count.`);
    const out: ProbeMessage[] = [];
    for (let i = 0; i < n; i++) out.push(await this.receive(options));
    return out;
  }

  /** Stops receiving: later messages to the probe become dead letters. */
  [Symbol.dispose](): void {
    this.#dispose();
  }
}

/**
 * Model-based testing of an actor: `actorModel(fc, Definition, spec)` turns the actor's
 * protocol into fast-check commands (`fc.commands`). The spec is a plain model object and,
 * per message, an arbitrary of its argument and what the message does to the model: `tell`
 * (update it) or `ask` (update it and return the reply the model predicts; throw to predict
 * a rejection). fast-check runs random command sequences against a fresh actor and the
 * model (`fc.asyncModelRun`), compares each reply with the prediction, and on a mismatch
 * prints the seed and the shrunk command sequence.
 *
 * Two modes: by default each run gets a deterministic `TestSystem` whose deliveries follow a
 * shrinkable list of choices ({@link choiceScheduler}); with `{ system }` the actor runs on
 * the real workers of that `ActorSystem` (one fresh actor per run, stopped after it).
 *
 * Message names, argument and reply types come from the definition: a misspelt message, a
 * wrong arbitrary or a wrong predicted reply is a type error.
 *
 * `fc` is passed in (the testkit has no runtime dependency on fast-check).
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * const model = actorModel(fc, Counter, {
 *   spawnArg: 0,
 *   model: () => ({ n: 0 }),
 *   messages: {
 *     inc: { arg: fc.integer({ min: -3, max: 3 }), tell: (m, by) => void (m.n += by) },
 *     get: { ask: (m) => m.n },
 *   },
 * });
 * await model.check({ seed: 1 }); // deterministic mode; throws with the seed and shrunk commands on a mismatch
 * await model.check({ system }); // the same commands on real workers
 * ```
 * @module
 */
import type { SpawnArgs } from "../actor/context.ts";
import type { AnyDefinition, ArgOf, HandlersOf, InitArgOf, MessageName, ReplyOf } from "../actor/definition.ts";
import type { ActorRef } from "../actor/ref.ts";
import { checkInteger, checkOptions } from "../actor/validate.ts";
import { InvalidArgumentError } from "../errors.ts";
import type { ActorSystem } from "../system/actor-system.ts";
import { deepEqual } from "./equal.ts";
import { formatValue } from "./format.ts";
import { choiceScheduler } from "./schedulers.ts";
import { TestSystem } from "./test-system.ts";

/** The part of a fast-check `Arbitrary<T>` the testkit uses (structural). */
export interface ArbitraryLike<T> {
  map<U>(mapper: (value: T) => U): ArbitraryLike<U>;
  generate(random: never, biasFactor: never): { readonly value: T };
}

/** The part of the `fast-check` module the model helper uses (pass `fc` itself). */
export interface FastCheckLike {
  commands(arbitraries: never, constraints?: { maxCommands?: number }): ArbitraryLike<Iterable<unknown>>;
  asyncModelRun(setup: never, commands: never): Promise<void>;
  asyncProperty(...args: never[]): unknown;
  assert(property: never, parameters?: { seed?: number; numRuns?: number }): unknown;
  constant<T>(value: T): ArbitraryLike<T>;
  array<T>(arbitrary: ArbitraryLike<T>, constraints?: { maxLength?: number }): ArbitraryLike<T[]>;
  nat(): ArbitraryLike<number>;
}

/** What message `F` (a handler) does to the model `M`. */
export type MessageModel<M, F> =
  & ([ArgOf<F>] extends [void] ? {
      /** The argument (none by default). */
      arg?: ArbitraryLike<ArgOf<F>>;
    }
    : {
      /** Arbitrary of the argument. */
      arg: ArbitraryLike<ArgOf<F>>;
    })
  & {
    /** Only sent when this holds for the model (as a command's `check`). */
    pre?: (model: Readonly<M>) => boolean;
  }
  & (
    | {
      /** Sent with `tell`: how it changes the model. Checked through later asks. */
      tell: (model: M, arg: ArgOf<F>) => void;
      ask?: never;
    }
    | {
      /** Sent with `ask`: changes the model and returns the reply it predicts (throws to predict a rejection). */
      ask: (model: M, arg: ArgOf<F>) => ReplyOf<F>;
      tell?: never;
    }
  );

/** Who can spawn the actor under test: an `ActorSystem` or a `TestSystem`. */
export interface SpawnHost {
  spawn<D extends AnyDefinition>(definition: D, ...args: SpawnArgs<D>): Promise<ActorRef<D>>;
}

/** What {@link actorModel} takes. */
export interface ModelSpec<D extends AnyDefinition, M extends object> {
  /** A fresh model for each run. */
  model: () => M;
  /** The spawn argument of the actor (when `spawn` is not given). */
  spawnArg?: InitArgOf<D>;
  /** Spawns the actor under test (default: `system.spawn(definition, spawnArg)`). */
  spawn?: (system: SpawnHost) => Promise<ActorRef<D>>;
  /** The messages to send, by name: those left out are never sent. */
  messages: { [K in MessageName<D>]?: MessageModel<M, HandlersOf<D>[K]> };
}

/** Options of {@link ActorModel.property}. */
export interface ModelRunOptions {
  /** Run on the real workers of this system; default: a deterministic `TestSystem` per run. */
  system?: ActorSystem;
  /** Simulated workers of the deterministic mode (default 2). */
  workers?: number;
  /** Commands per run at most (default 30). */
  maxCommands?: number;
}

/** Options of {@link ActorModel.check}: a run's, and fast-check's seed and run count. */
export interface ModelCheckOptions extends ModelRunOptions {
  seed?: number;
  numRuns?: number;
}

/** A reply that is not the model's prediction. */
export class ModelMismatchError extends Error {
  override name = "ModelMismatchError";
}

/** What a run's commands act on. */
interface Real {
  ref: ActorRef;
}

type AnyMessageModel = MessageModel<object, (s: never, arg: unknown) => unknown>;

/** One message as a fast-check command. */
class MessageCommand {
  readonly message: string;
  readonly arg: unknown;
  readonly spec: AnyMessageModel;

  constructor(message: string, arg: unknown, spec: AnyMessageModel) {
    this.message = message;
    this.arg = arg;
    this.spec = spec;
  }

  check(model: object): boolean {
    return this.spec.pre?.(model) ?? true;
  }

  async run(model: object, real: Real): Promise<void> {
    const { spec, message, arg } = this;
    if (spec.tell !== undefined) {
      spec.tell(model, arg);
      real.ref.tell(message, arg);
      return;
    }
    const predicted = attempt(() => spec.ask!(model, arg));
    const actual = await real.ref.ask(message, arg).then((value) => ({ value }), (error: unknown) => ({ error }));
    const call = this.toString();
    if ("error" in predicted && !("error" in actual)) {
      throw new ModelMismatchError(`${call}: the model predicts a rejection (${text(predicted)}), the actor replied ${text(actual)}`);
    }
    if ("error" in actual && !("error" in predicted)) {
      throw new ModelMismatchError(`${call}: the actor rejected with ${text(actual)}, the model predicts ${text(predicted)}`);
    }
    const same = "error" in actual
      ? (actual.error as Error)?.message === (predicted as { error: Error }).error?.message
      : deepEqual(actual.value, (predicted as { value: unknown }).value);
    if (!same) throw new ModelMismatchError(`${call}: the actor replied ${text(actual)}, the model predicts ${text(predicted)}`);
  }

  toString(): string {
    return `${this.spec.tell !== undefined ? "tell" : "ask"} ${this.message}(${this.arg === undefined ? "" : formatValue(this.arg)})`;
  }
}

type Outcome = { value: unknown } | { error: unknown };

function attempt(f: () => unknown): Outcome {
  try {
    return { value: f() };
  } catch (error) {
    return { error };
  }
}

const text = (o: Outcome): string => ("error" in o ? formatValue(o.error) : formatValue(o.value));

/** A protocol model of an actor, ready for fast-check: see the module doc. */
export interface ActorModel<F extends FastCheckLike> {
  /** Arbitrary of command sequences (for your own property: run them with `run`). */
  commands(maxCommands?: number): ArbitraryLike<Iterable<unknown>>;
  /** Runs `commands` against a fresh actor spawned on `system`, and the model. */
  run(system: SpawnHost, commands: Iterable<unknown>): Promise<void>;
  /** The property: random command sequences, each on a fresh actor (deterministic mode unless `system`). */
  property(options?: ModelRunOptions): ReturnType<F["asyncProperty"]>;
  /** `fc.assert` of the property: rejects with fast-check's report (seed, shrunk commands) on a mismatch. */
  check(options?: ModelCheckOptions): Promise<void>;
}

/**
 * The model-based test of `definition`: see the module doc.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * const model = actorModel(fc, Counter, {
 *   spawnArg: 0,
 *   model: () => ({ n: 0 }),
 *   messages: { inc: { arg: fc.nat(9), tell: (m, by) => void (m.n += by) }, get: { ask: (m) => m.n } },
 * });
 * const out = await fc.check(model.property({ maxCommands: 10 }), { seed: 7 });
 * console.log(out.failed); // false
 * ```
 */
export function actorModel<F extends FastCheckLike, D extends AnyDefinition, M extends object>(
  fc: F,
  definition: D,
  spec: ModelSpec<D, M>,
): ActorModel<F> {
  if (typeof fc?.commands !== "function" || typeof fc.asyncModelRun !== "function") {
    throw new InvalidArgumentError("actorModel expects fast-check's module first: actorModel(fc, Definition, spec).");
  }
  checkOptions("actorModel spec", spec);
  if (typeof spec.model !== "function") {
    throw new InvalidArgumentError("actorModel: spec.model must be a function returning a fresh model.");
  }
  const entries = Object.entries(spec.messages ?? {}) as [string, AnyMessageModel][];
  if (entries.length === 0) throw new InvalidArgumentError("actorModel: spec.messages names no message.");
  for (const [name, m] of entries) {
    if (!definition.messageNames.includes(name)) {
      throw new InvalidArgumentError(`actorModel: ${definition.name} has no handler "${name}".`);
    }
    if ((typeof m?.tell === "function") === (typeof m?.ask === "function")) {
      throw new InvalidArgumentError(`actorModel: message "${name}" needs exactly one of tell or ask (a function).`);
    }
  }
  const arbitraries = entries.map(([name, m]) => (m.arg ?? fc.constant(undefined)).map((arg) => new MessageCommand(name, arg, m)));
  const commands = (maxCommands = 30): ArbitraryLike<Iterable<unknown>> => fc.commands(arbitraries as never, { maxCommands });
  const spawn = (system: SpawnHost): Promise<ActorRef> =>
    spec.spawn?.(system) ?? system.spawn(definition as AnyDefinition, spec.spawnArg as never);
  const run = async (system: SpawnHost, cmds: Iterable<unknown>): Promise<void> => {
    const ref = await spawn(system);
    await fc.asyncModelRun((() => ({ model: spec.model(), real: { ref } })) as never, cmds as never);
  };
  const property = (options: ModelRunOptions = {}): ReturnType<F["asyncProperty"]> => {
    checkOptions("actorModel options", options);
    checkInteger("maxCommands", options.maxCommands, 1, 10_000);
    const cmds = commands(options.maxCommands);
    const real = options.system;
    if (real !== undefined) {
      return fc.asyncProperty(
        cmds as never,
        (async (c: Iterable<unknown>) => {
          const ref = await spawn(real);
          try {
            await fc.asyncModelRun((() => ({ model: spec.model(), real: { ref } })) as never, c as never);
          } finally {
            await real.stop(ref).catch(() => undefined);
          }
        }) as never,
      ) as ReturnType<F["asyncProperty"]>;
    }
    const schedules = fc.array(fc.nat(), { maxLength: 64 }).map(choiceScheduler);
    return fc.asyncProperty(
      cmds as never,
      schedules as never,
      (async (c: Iterable<unknown>, scheduler: ReturnType<typeof choiceScheduler>) => {
        await using system = await TestSystem.start({ scheduler, workers: options.workers ?? 2 });
        await run(system, c);
      }) as never,
    ) as ReturnType<F["asyncProperty"]>;
  };
  return {
    commands,
    run,
    property,
    async check(options: ModelCheckOptions = {}) {
      const { seed, numRuns, ...rest } = options;
      await fc.assert(property(rest) as never, { ...(seed === undefined ? {} : { seed }), ...(numRuns === undefined ? {} : { numRuns }) });
    },
  };
}

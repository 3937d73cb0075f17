/**
 * The types of `missive-actors/effect`: replies, error channels and requirements flow from
 * the definitions. The `@ts-expect-error` lines are checked by `tsc --noEmit` (part of
 * `npm test`): if one stopped being an error, the typecheck would fail.
 */
import { Effect, Schema } from "effect";
import { expect, expectTypeOf, it } from "vitest";
import type { ActorRef } from "../mod.ts";
import { type AskError, client, defineEffectActor, type InvalidMessage, type SendError } from "../effect.ts";
import { Counter } from "./fixtures/counter.ts";
import { Account, Greeting, type Order, type Overdrawn } from "./fixtures/effect-actors.ts";

declare const counterRef: ActorRef<typeof Counter>;
declare const accountRef: ActorRef<typeof Account>;

it("types asks of plain and Effect actors: reply, AskError, and the declared failure", () => {
  // Only type-checked (by tsc): the refs are declarations.
  const checks = (counter = client(Counter, counterRef), account = client(Account, accountRef)) => {
    expectTypeOf(counter.ask("get")).toEqualTypeOf<Effect.Effect<number, AskError>>();
    expectTypeOf(counter.tell("inc", 1)).toEqualTypeOf<Effect.Effect<void, SendError>>();
    expectTypeOf(account.ask("withdraw", 5)).toEqualTypeOf<Effect.Effect<number, AskError | Overdrawn>>();
    expectTypeOf(account.ask("when")).toEqualTypeOf<Effect.Effect<Date, AskError | Overdrawn>>();
    expectTypeOf(account.ask("orders")).toEqualTypeOf<Effect.Effect<string[], AskError | Overdrawn>>();
    expectTypeOf<InvalidMessage>().toExtend<SendError>();
    expectTypeOf<Parameters<typeof account.tell<"place">>[1]>().toEqualTypeOf<Order>();

    // @ts-expect-error -- no such message
    account.ask("nope");
    // @ts-expect-error -- wrong argument type
    account.tell("withdraw", "5");
    // @ts-expect-error -- wrong argument type on a plain actor
    counter.tell("inc", "1");
  };
  expect(checks).toBeTypeOf("function");
});

it("a handler may only fail with the declared error, and require only what its layer provides", () => {
  class Other extends Schema.TaggedError<Other>()("Other", {}) {}
  const url = "file:///types-only.ts";
  defineEffectActor(url, {
    init: () => ({}),
    error: Other,
    handlers: { ok: () => Effect.fail(new Other()) },
  });
  defineEffectActor(url, {
    init: () => ({}),
    // @ts-expect-error -- fails with an error no Schema declares
    handlers: { bad: () => Effect.fail(new Other()) },
  });
  defineEffectActor(url, {
    init: () => ({}),
    // @ts-expect-error -- requires Greeting, and no layer provides it
    handlers: { greet: () => Effect.service(Greeting) },
  });
  defineEffectActor(url, {
    init: () => ({}),
    // @ts-expect-error -- a message Schema of another type than the handler's argument
    messages: { take: Schema.String },
    handlers: { take: (_state, n: number) => Effect.succeed(n) },
  });
  expect(true).toBe(true);
});

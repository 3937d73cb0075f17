/**
 * Protocol types flow from the handlers to tell/ask. The `@ts-expect-error` lines are
 * checked by `tsc --noEmit` (part of `npm test`): if one stopped being an error, the
 * typecheck would fail.
 */
import { expect, expectTypeOf, it } from "vitest";
import { type ActorContext, type ActorRef, type ActorSystem, defineActor, type MessageName } from "../mod.ts";
import { Counter } from "./fixtures/counter.ts";

const Typed = defineActor(import.meta.url, {
  init: (start: { n: number }) => ({ n: start.n }),
  handlers: {
    add(state, by: number) {
      state.n += by;
    },
    label(state, m: { prefix: string }) {
      return `${m.prefix}${state.n}`;
    },
    // deno-lint-ignore require-await -- the reply type of an async handler is under test
    async total(state) {
      return state.n;
    },
  },
});

// `ctx` left unannotated in `init` must not lose the state type in the handlers.
const WithCtx = defineActor(import.meta.url, {
  init: (n: number, ctx) => ({ n, self: ctx.self }),
  handlers: {
    get(state) {
      return state.n;
    },
  },
});

// Compiled, never run: only the types matter here.
function _typeChecks(ref: ActorRef<typeof Typed>, system: ActorSystem): void {
  ref.tell("add", 1);
  // @ts-expect-error a wrong argument type
  ref.tell("add", "1");
  // @ts-expect-error a message the actor does not have
  ref.tell("sub", 1);
  // @ts-expect-error a message the actor does not have (no argument)
  ref.tell("sub");
  expectTypeOf<MessageName<typeof Typed>>().toEqualTypeOf<"add" | "label" | "total">();
  // @ts-expect-error a missing argument
  ref.tell("add");
  // @ts-expect-error a wrong payload shape
  void ref.ask("label", { prefix: 1 });
  void ref.ask("total", undefined, { timeout: 10 });
  expectTypeOf(ref.ask("label", { prefix: "#" })).resolves.toEqualTypeOf<string>();
  expectTypeOf(ref.ask("total")).resolves.toEqualTypeOf<number>();
  expectTypeOf(ref.ask("add", 1)).resolves.toEqualTypeOf<void>();
  void system.spawn(Typed, { n: 1 });
  // @ts-expect-error a wrong init argument
  void system.spawn(Typed, 1);
  // @ts-expect-error init needs its argument
  void system.spawn(Typed);
  void system.spawn(Counter, 1, { worker: 0 });
  expectTypeOf(system.spawn(Counter, 1)).resolves.toEqualTypeOf<ActorRef<typeof Counter>>();
  expectTypeOf(({} as ActorRef<typeof WithCtx>).ask("get")).resolves.toEqualTypeOf<number>();
  expectTypeOf<Parameters<typeof WithCtx.spec.init>[1]>().toEqualTypeOf<ActorContext>();
}

// The type checks above are checked by `tsc` (npm test runs it first); this test checks the
// runtime side of the same definitions.
it("lists each definition's message names", () => {
  expect(Typed.messageNames).toEqual(["add", "label", "total"]);
  expect(WithCtx.messageNames).toEqual(["get"]);
});

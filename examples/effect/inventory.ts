// examples/effect/inventory.ts — an inventory actor written with Effect end to end.
import { Context, Effect, Layer, Schema } from "effect";
import { defineEffectActor } from "../../effect.ts";
import type { Latch } from "../../mod.ts";

/** Prices, a service the handlers require: provided on the actor's worker by the definition's layer. */
export class Prices extends Context.Service<Prices, { readonly of: (sku: string) => number }>()("example/Prices") {}

export class OutOfStock extends Schema.TaggedError<OutOfStock>()("OutOfStock", { sku: Schema.String, left: Schema.Number }) {}
export class Busy extends Schema.TaggedError<Busy>()("Busy", { attempt: Schema.Number }) {}

export const Reservation = Schema.Struct({ sku: Schema.String, qty: Schema.Int.check(Schema.isGreaterThan(0)) });
export type Reservation = typeof Reservation.Type;

export const Inventory = defineEffectActor(import.meta.url, {
  init: (stock: Record<string, number>) => ({ stock, audits: 0, pending: [] as string[] }),
  error: Schema.Union([OutOfStock, Busy]),
  layer: Layer.succeed(Prices, { of: (sku: string) => (sku === "apple" ? 3 : 5) }),
  messages: { reserve: Reservation },
  handlers: {
    reserve: (state, r: Reservation) =>
      Effect.gen(function* () {
        const left = state.stock[r.sku] ?? 0;
        if (left < r.qty) return yield* new OutOfStock({ sku: r.sku, left });
        state.stock[r.sku] = left - r.qty;
        const prices = yield* Prices;
        return r.qty * prices.of(r.sku);
      }),
    // Busy for the first two calls: the caller retries on a Schedule.
    audit: (state) => (++state.audits < 3 ? Effect.fail(new Busy({ attempt: state.audits })) : Effect.succeed(state.audits)),
    // Slower than the caller's patience: it answers only once `gate` is set, which the caller does after giving
    // up with Effect.timeout (the late reply is then dropped and counted). A gate, not a sleep: no race.
    slowReport: (_state, gate: Latch) => Effect.as(Effect.promise(() => gate.wait()), "report"),
    stock: (state) => Effect.succeed(state.stock),
  },
});

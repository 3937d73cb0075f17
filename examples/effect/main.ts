// examples/effect/main.ts — run: npx tsx examples/effect/main.ts (or deno run -A, or bun)
import { Effect, Schedule, Stream } from "effect";
import { fromChannel, layer, MissiveSystem, openChannel, pipeInto, spawn } from "../../effect.ts";
import { Latch } from "../../mod.ts";
import { Inventory, type Reservation } from "./inventory.ts";

const program = Effect.gen(function* () {
  const inventory = yield* spawn(Inventory, { apple: 10, pear: 2 });

  // Typed asks: the reply is a number, the failure OutOfStock | Busy | AskError.
  console.log("4 apples cost", yield* inventory.ask("reserve", { sku: "apple", qty: 4 }));
  const short = yield* Effect.flip(inventory.ask("reserve", { sku: "pear", qty: 5 }));
  console.log("5 pears:", short._tag);

  // A bad payload is refused by the Schema before it leaves this thread.
  const bad = yield* Effect.flip(inventory.tell("reserve", { sku: "pear", qty: 1.5 }));
  console.log("1.5 pears:", bad._tag, "at", bad._tag === "InvalidMessage" ? bad.path : "");

  // A Schedule-based retry around an ask: Busy twice, then an answer.
  const audits = yield* inventory.ask("audit").pipe(
    Effect.retry({ schedule: Schedule.spaced("5 millis"), times: 5, while: (e) => e._tag === "Busy" }),
  );
  console.log("audited after", audits, "attempts");

  // Effect.timeout interrupts the ask: nothing stays pending. The actor answers only once the gate is set.
  const system = yield* MissiveSystem;
  const gate = yield* Effect.promise(() => Latch.open(system));
  const report = yield* inventory.ask("slowReport", gate).pipe(Effect.timeout("50 millis"), Effect.option); // timer-under-test
  console.log("report:", report._tag, "pending asks:", system.stats.pendingAsks);
  yield* Effect.promise(() => gate.set()); // the late reply comes now, and is dropped and counted

  // A channel as a stream: orders in, reservations out.
  const orders = yield* openChannel<Reservation>({ capacity: 2 });
  yield* Effect.forkChild(pipeInto(Stream.make({ sku: "apple", qty: 1 }, { sku: "apple", qty: 2 }), orders));
  const costs = yield* fromChannel(orders).pipe(Stream.mapEffect((r) => inventory.ask("reserve", r)), Stream.runCollect);
  console.log("streamed costs", costs.join(" "));
  console.log("stock", JSON.stringify(yield* inventory.ask("stock")));
});

// The actor module is imported by the workers too; this module is the main one only.
await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(layer({ workers: 2, shutdown: { timeout: 1_000 } }))));

import { ActorSystem } from "../../mod.ts";
import { Counter } from "./counter.ts";

await using system = await ActorSystem.start(); // one worker per core
const counter = await system.spawn(Counter, 5); // runs on a worker
counter.tell("inc", 2); // fire and forget, FIFO
for (let i = 0; i < 10_000; i++) counter.tell("inc", 1);
await counter.flush(); // an ack, not a sleep
console.log(await counter.ask("get")); // 10007
// leaving the scope shuts down: drain, onStop hooks, every worker exits

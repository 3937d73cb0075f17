/**
 * The cluster example's second process: a node that only lends its workers. It joins the
 * cluster at MISSIVE_NATS_URL as node MISSIVE_NODE, prints `ready <node>`, and shuts down
 * on SIGTERM. No actor code here: node `a` spawns `Hasher`s on it by module URL.
 */
import process from "node:process";
import { ActorSystem, isMissiveWorker } from "../../mod.ts";

if (!isMissiveWorker()) {
  const node = process.env.MISSIVE_NODE ?? "b";
  const system = await ActorSystem.start({ workers: 2, cluster: { servers: process.env.MISSIVE_NATS_URL!, node } });
  console.log(`ready ${node}`);
  process.on("SIGTERM", () => void system.shutdown().then(() => process.exit(0)));
}

/**
 * The options of a cluster node (`ActorSystem.start({ cluster })`), their checks and
 * defaults, and the node ids refs carry.
 *
 * @example
 * ```ts
 * const options = clusterOptions({ servers: "nats://127.0.0.1:4222", node: "a" });
 * options.downAfterMs; // 3000
 * nodeId("a");         // the number refs to actors of node "a" carry
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import type { ClusterOptions } from "../system/cluster-seam.ts";

export type { ClusterOptions };

/** {@link ClusterOptions} with every default filled in. */
export type ResolvedClusterOptions = Required<ClusterOptions> & { servers: string[] };

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks `options` and fills in the defaults; throws `InvalidArgumentError` naming the fix. */
export function clusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(
      `cluster must be an object like { servers: "nats://127.0.0.1:4222", node: "a" }; got ${String(options)}.`,
    );
  }
  const servers = typeof options.servers === "string" ? [options.servers] : options.servers;
  if (!Array.isArray(servers) || servers.length === 0 || servers.some((s) => typeof s !== "string" || s === "")) {
    throw new InvalidArgumentError(`cluster.servers must be a NATS URL or a list of them, e.g. "nats://127.0.0.1:4222".`);
  }
  if (typeof options.node !== "string" || !TOKEN.test(options.node)) {
    throw new InvalidArgumentError(
      `cluster.node must be a name of 1 to 64 letters, digits, "_" or "-" (it is part of NATS subjects); got ${
        JSON.stringify(options.node)
      }.`,
    );
  }
  const name = options.name ?? "missive";
  if (typeof name !== "string" || !TOKEN.test(name)) {
    throw new InvalidArgumentError(`cluster.name must be 1 to 64 letters, digits, "_" or "-"; got ${JSON.stringify(name)}.`);
  }
  const heartbeatMs = options.heartbeatMs ?? 500;
  const downAfterMs = options.downAfterMs ?? 3000;
  if (!(Number.isFinite(heartbeatMs) && heartbeatMs >= 10)) {
    throw new InvalidArgumentError(`cluster.heartbeatMs must be a number of milliseconds ≥ 10; got ${heartbeatMs}.`);
  }
  if (!(Number.isFinite(downAfterMs) && downAfterMs >= 2 * heartbeatMs)) {
    throw new InvalidArgumentError(
      `cluster.downAfterMs must be at least twice heartbeatMs (${
        2 * heartbeatMs
      }), or a node is declared down between two heartbeats; got ${downAfterMs}.`,
    );
  }
  return { servers, node: options.node, name, heartbeatMs, downAfterMs };
}

/**
 * The id of node `name` in refs (`ActorRef.node`): FNV-1a of the name, never 0 (0 means
 * "this node" in a ref). Two names with the same id cannot be in one cluster: the second
 * is refused when it joins.
 */
export function nodeId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) || 1;
}

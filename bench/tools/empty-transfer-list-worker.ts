/**
 * The far side of `empty-transfer-list.ts`: takes a `MessagePort` from its parent and
 * echoes what arrives on it, posting with no transfer list or with an empty one as the
 * last `"none"` / `"empty"` message said.
 * @module
 */
import { parentBenchPort } from "../util/workers.ts";

parentBenchPort().onMessage((data) => {
  const port = (data as { port: MessagePort }).port;
  let emptyList = false;
  port.onmessage = (event: MessageEvent) => {
    const d = event.data;
    if (d === "none" || d === "empty") emptyList = d === "empty";
    else if (emptyList) port.postMessage(d, []);
    else port.postMessage(d);
  };
});

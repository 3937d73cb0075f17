/**
 * The runtime adapters' endpoints: what they hand to `postMessage`. A frame's buffer is
 * moved, and a post with nothing to move passes no transfer list at all, because Deno's
 * `postMessage` and Bun's `MessagePort.postMessage` take 0.5–1 µs longer with an empty one
 * (README, "Performance").
 */
import { describe, expect, it } from "vitest";
import { portEndpoint } from "../src/runtime/adapters.ts";

describe("portEndpoint", () => {
  it("passes a transfer list only when there is something to transfer, and moves what is in it", async () => {
    const { port1, port2 } = new MessageChannel();
    const argumentCounts: number[] = [];
    const post = port1.postMessage.bind(port1) as (...args: unknown[]) => void;
    port1.postMessage = ((...args: unknown[]) => {
      argumentCounts.push(args.length);
      post(...args);
    }) as typeof port1.postMessage;
    const received: unknown[] = [];
    const allArrived = new Promise<void>((resolve) => {
      port2.onmessage = (event: MessageEvent) => {
        received.push(event.data);
        if (received.length === 3) resolve();
      };
    });
    const endpoint = portEndpoint(port1);
    const frame = new Uint8Array([1, 2, 3]);
    endpoint.post("no list");
    endpoint.post("an empty list", []);
    endpoint.post(frame, [frame.buffer]);
    await allArrived;
    endpoint.close();
    port2.close();
    expect(argumentCounts).toEqual([1, 1, 2]);
    expect(frame.byteLength).toBe(0); // moved, not copied
    expect(received.slice(0, 2)).toEqual(["no list", "an empty list"]);
    expect([...(received[2] as Uint8Array)]).toEqual([1, 2, 3]);
  });
});

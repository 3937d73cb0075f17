/**
 * The worker of the bare-`postMessage` baselines. No framework: the fastest honest code
 * for each protocol, so Missive is compared with what a careful user would hand-write.
 *
 * From the parent (after the first message, `{ ports }`: one `MessagePort` per other worker):
 * - a number: echoed straight back (ping-pong);
 * - an item object, a msgpack-encoded item (`Uint8Array`) or an array of items (a batch):
 *   counted and summed;
 * - `"ack"`: answers `{ count, sum }` of what arrived since the last ack (it comes after
 *   everything posted before it: a port is FIFO);
 * - `"blast:<mode>:<n>"`: sends `n` items to every other worker (`mode`: `object`,
 *   `msgpack` or `batch`), then `"end"`; once `"end"` came from every other worker the
 *   worker answers the parent with `{ count, sum }` of what they sent it.
 * @module
 */
import { Decoder, Encoder } from "@msgpack/msgpack";
import { type Item, item } from "../util/items.ts";
import { type BenchPort, benchPortOf, parentBenchPort } from "../util/workers.ts";
import { BATCH, type PostWorkerInit } from "./post-protocol.ts";

const parent = parentBenchPort();
const encoder = new Encoder();
const decoder = new Decoder();
let peers: BenchPort[] = [];
let count = 0;
let sum = 0;
let ends = 0;

function take(): { count: number; sum: number } {
  const totals = { count, sum };
  count = 0;
  sum = 0;
  return totals;
}

function receive(data: unknown): void {
  if (data instanceof Uint8Array) {
    const it = decoder.decode(data) as Item;
    count++;
    sum += it.value;
  } else if (Array.isArray(data)) {
    for (const it of data as Item[]) sum += it.value;
    count += data.length;
  } else {
    count++;
    sum += (data as Item).value;
  }
}

function blast(mode: string, n: number): void {
  if (mode === "object") {
    for (let i = 0; i < n; i++) {
      const it = item(i);
      for (const p of peers) p.post(it);
    }
  } else if (mode === "msgpack") {
    for (let i = 0; i < n; i++) {
      const it = item(i);
      for (const p of peers) p.post(encoder.encode(it));
    }
  } else {
    let batch: Item[] = [];
    for (let i = 0; i < n; i++) {
      batch.push(item(i));
      if (batch.length === BATCH) {
        for (const p of peers) p.post(batch);
        batch = [];
      }
    }
    if (batch.length > 0) { for (const p of peers) p.post(batch); }
  }
  for (const p of peers) p.post("end");
}

function fromPeer(data: unknown): void {
  if (data === "end") {
    if (++ends === peers.length) {
      ends = 0;
      parent.post(take());
    }
  } else receive(data);
}

function fromParent(data: unknown): void {
  if (typeof data === "number") parent.post(data);
  else if (typeof data === "string") {
    if (data === "ack") parent.post(take());
    else {
      const [, mode, n] = data.split(":");
      blast(mode!, Number(n));
    }
  } else receive(data);
}

parent.onMessage((data) => {
  peers = (data as PostWorkerInit).ports.map((port) => {
    const p = benchPortOf(port);
    p.onMessage(fromPeer);
    return p;
  });
  parent.onMessage(fromParent);
  parent.post("ready");
});

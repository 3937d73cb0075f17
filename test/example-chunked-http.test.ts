/**
 * examples/chunked-http: the body is exactly `Start12345678910End`, sent as 12 separate
 * HTTP chunks (checked on the raw chunked encoding, so TCP coalescing cannot hide a
 * missing chunk boundary), and SIGTERM shuts the server and the actor system down cleanly.
 */
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";
import { ExampleProcess } from "./fixtures/example-process.ts";

/** GETs `/` over a raw socket and returns the chunks of the chunked body, in order. */
async function getChunks(port: number): Promise<{ head: string; chunks: string[] }> {
  const socket = connect(port, "127.0.0.1");
  socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  let raw = "";
  for await (const data of socket) raw += String(data);
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split);
  let body = raw.slice(split + 4);
  const chunks: string[] = [];
  for (;;) {
    const eol = body.indexOf("\r\n");
    const size = parseInt(body.slice(0, eol), 16);
    if (!(size > 0)) break;
    chunks.push(body.slice(eol + 2, eol + 2 + size));
    body = body.slice(eol + 2 + size + 2);
  }
  return { head, chunks };
}

describe(`chunked-http example on ${runtimeName}`, () => {
  it("answers Start12345678910End in 12 chunks, then shuts down on SIGTERM", async () => {
    await using server = new ExampleProcess("examples/chunked-http/server.ts", { PORT: "0" });
    const [, port] = await server.printed(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
    const first = await getChunks(Number(port));
    expect(first.head).toMatch(/^HTTP\/1\.1 200/);
    expect(first.head.toLowerCase()).toContain("transfer-encoding: chunked");
    expect(first.chunks).toEqual(["Start", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "End"]);
    expect(first.chunks.join("")).toBe("Start12345678910End");
    // Two requests at once: each still gets its own complete, ordered body.
    const [a, b] = await Promise.all([getChunks(Number(port)), getChunks(Number(port))]);
    expect(a.chunks.join("")).toBe("Start12345678910End");
    expect(b.chunks.join("")).toBe("Start12345678910End");
    server.child.kill("SIGTERM");
    // Deno's node:child_process reports a child it sent a signal to as ended by that signal even when the
    // child handled it and exited 0; the shutdown line below shows the handler ran to its end there too.
    expect(await server.exited).toBe(runtimeName === "deno" ? "SIGTERM" : 0);
    expect(server.stdout).toMatch(/shut down: 30 messages processed, 0 dead letters/);
    expect(server.stderr).toBe("");
  });
});

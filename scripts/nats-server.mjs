#!/usr/bin/env node
// The NATS server the cluster tests, the cluster example and the cluster benchmark run
// against: a real `nats-server` (Debian package `nats-server`), installed by this script
// where it is missing, started on loopback on a free port with its own data directory,
// healthy once its monitoring port answers `/healthz`, stopped at the end.
//
// Usage (CLI):
//   node scripts/nats-server.mjs ensure        # install if missing; prints the binary's path
//   node scripts/nats-server.mjs run           # start one, print `url=…`, stop on Ctrl-C / SIGTERM
//
// Usage (module; test/fixtures/nats.ts, examples/cluster, bench):
//   const found = ensureNatsServer();          // { bin } or { error }
//   const server = await startNatsServer();    // { url, port, monitorPort, dir, stop(), restart() }
//
// Installing: `apt-get update` once, then `apt-get install -y nats-server`, only as root
// (CI runs as root on a fresh clone) and only when no `nats-server` is on PATH or in
// /usr/sbin, /usr/bin. MISSIVE_NATS_SERVER=/path/to/nats-server skips the search;
// MISSIVE_NATS_NO_INSTALL=1 never installs. The outcome is cached in the environment
// (MISSIVE_NATS_SERVER, or MISSIVE_NATS_UNAVAILABLE with the reason) so that child
// processes (vitest's workers) do not try again.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const CANDIDATES = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];

function onPath() {
  const r = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" });
  const found = r.status === 0 ? r.stdout.trim() : "";
  return found || CANDIDATES.find((p) => existsSync(p)) || null;
}

/**
 * Finds `nats-server`, installing the Debian package when it is missing and this process
 * may (root, apt-get present). Returns `{ bin }` or `{ error }` (why it is unavailable).
 */
export function ensureNatsServer({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const cached = process.env.MISSIVE_NATS_SERVER;
  if (cached && existsSync(cached)) return { bin: cached };
  if (process.env.MISSIVE_NATS_UNAVAILABLE) return { error: process.env.MISSIVE_NATS_UNAVAILABLE };
  let bin = onPath();
  if (!bin) {
    const why = installProblem();
    if (why) return remember({ error: why });
    log("nats-server: not installed; installing the Debian package (apt-get update, apt-get install -y nats-server)");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const update = spawnSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "pipe"], env, encoding: "utf8" });
    if (update.status !== 0) return remember({ error: `apt-get update failed (exit ${update.status}): ${tail(update.stderr)}` });
    const install = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "nats-server"], {
      stdio: ["ignore", "ignore", "pipe"],
      env,
      encoding: "utf8",
    });
    if (install.status !== 0) {
      return remember({ error: `apt-get install -y nats-server failed (exit ${install.status}): ${tail(install.stderr)}` });
    }
    bin = onPath();
    if (!bin) {
      return remember({ error: "apt-get installed nats-server but no nats-server binary was found on PATH or in /usr/sbin, /usr/bin" });
    }
    log(`nats-server: installed at ${bin}`);
  }
  return remember({ bin });
}

function installProblem() {
  if (/^(1|true|yes)$/i.test(process.env.MISSIVE_NATS_NO_INSTALL ?? "")) {
    return "nats-server is not installed and MISSIVE_NATS_NO_INSTALL is set";
  }
  if (process.platform !== "linux") return `nats-server is not installed (automatic install is for Debian; this is ${process.platform})`;
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return "nats-server is not installed and this user is not root (run: sudo apt-get install -y nats-server)";
  }
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" });
  if (apt.status !== 0) return "nats-server is not installed and apt-get is not available";
  return null;
}

function remember(result) {
  if (result.bin) process.env.MISSIVE_NATS_SERVER = result.bin;
  else process.env.MISSIVE_NATS_UNAVAILABLE = result.error;
  return result;
}

const tail = (text) => (text ?? "").trim().split("\n").slice(-3).join(" | ");

/** A free TCP port on loopback (the kernel's pick; closed again at once). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `/healthz` on the monitoring port until it answers 200. This is the one wait by
 * polling in the project, and it is allowed here: a server started as an OS process has no
 * event to await but its health endpoint. The retry is bounded (`attempts` × `intervalMs`),
 * and a server that exits first fails at once.
 */
async function waitHealthy(monitorPort, child, { attempts = 200, intervalMs = 50 } = {}) {
  let lastError = "no answer";
  for (let i = 0; i < attempts; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nats-server exited (${child.exitCode ?? child.signalCode}) before it was healthy`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${monitorPort}/healthz`);
      await res.text();
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (e) {
      lastError = e?.cause?.code ?? e?.message ?? String(e);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`nats-server did not answer /healthz on port ${monitorPort} after ${attempts} tries (${lastError})`);
}

/**
 * Starts a `nats-server` on 127.0.0.1 (a free client port and a free monitoring port, a
 * fresh data directory, JetStream on) and resolves once `/healthz` answers.
 * `restart()` stops it and starts it again on the same ports (tests of reconnection);
 * `stop()` ends it and removes the data directory.
 */
export async function startNatsServer({ bin, port, monitorPort, dir, verbose = false } = {}) {
  if (!bin) {
    const found = ensureNatsServer();
    if (!found.bin) throw new Error(`cannot start nats-server: ${found.error}`);
    bin = found.bin;
  }
  port ??= await freePort();
  monitorPort ??= await freePort();
  const ownDir = dir === undefined;
  dir ??= mkdtempSync(join(tmpdir(), "missive-nats-"));
  let child = null;
  let output = "";
  const launch = async () => {
    output = "";
    child = spawn(bin, ["-a", "127.0.0.1", "-p", String(port), "-m", String(monitorPort), "-js", "-sd", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (d) => {
      output = (output + d).slice(-4000);
      if (verbose) process.stderr.write(d);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.exitedPromise = exited;
    try {
      await waitHealthy(monitorPort, child);
    } catch (e) {
      child.kill("SIGKILL");
      throw new Error(`${e.message}\n${output}`);
    }
  };
  const halt = async (signal = "SIGTERM") => {
    if (child === null) return;
    const c = child;
    child = null;
    if (c.exitCode === null && c.signalCode === null) {
      c.kill(signal);
      await c.exitedPromise;
    }
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    dir,
    get pid() {
      return child?.pid;
    },
    get output() {
      return output;
    },
    /** Stops the server (SIGTERM, or `signal`) and waits for its exit; the data stays. */
    halt,
    /** Stops it and starts it again on the same ports and data directory. */
    async restart(signal = "SIGKILL") {
      await halt(signal);
      await launch();
    },
    /** Stops it, waits for its exit, removes the data directory. */
    async stop() {
      await halt();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------------ CLI

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const command = process.argv[2] ?? "ensure";
  if (command === "ensure") {
    const found = ensureNatsServer();
    if (found.bin) console.log(found.bin);
    else {
      console.error(`nats-server unavailable: ${found.error}`);
      process.exitCode = 1;
    }
  } else if (command === "run") {
    const server = await startNatsServer({ verbose: process.argv.includes("--verbose") });
    console.log(`url=${server.url} monitor=http://127.0.0.1:${server.monitorPort}/healthz dir=${server.dir}`);
    const end = () => void server.stop().then(() => process.exit(0));
    process.on("SIGINT", end);
    process.on("SIGTERM", end);
  } else {
    console.error(`usage: node scripts/nats-server.mjs ensure|run`);
    process.exitCode = 2;
  }
}

/**
 * Start-up cannot run away: `ActorSystem.start()` inside a Missive worker throws
 * `SystemStartError` at once, `isMissiveWorker()` tells the main thread from a worker, and
 * the runtime version check names the minimums.
 */
import { describe, expect, it } from "vitest";
import { ActorSystem, isMissiveWorker, MINIMUM_VERSIONS, runtimeName } from "../mod.ts";
import { isOlder, runtimeProblem } from "../src/runtime/requirements.ts";
import { Nester } from "./fixtures/nested-start.ts";

describe(`start-up on ${runtimeName}`, () => {
  it("isMissiveWorker() is false on the thread that starts the system and true inside its workers", async () => {
    expect(isMissiveWorker()).toBe(false);
    await using system = await ActorSystem.start({ workers: 1 });
    const nester = await system.spawn(Nester, undefined, { worker: 0 });
    expect(await nester.ask("where")).toBe(true);
  });

  it("ActorSystem.start() inside a worker throws SystemStartError naming the fix, and starts nothing", async () => {
    await using system = await ActorSystem.start({ workers: 1 });
    const nester = await system.spawn(Nester, undefined, { worker: 0 });
    const { name, message } = await nester.ask("startInside");
    expect(name).toBe("SystemStartError");
    expect(message).toContain("inside a Missive worker");
    expect(message).toContain("isMissiveWorker()");
    expect(message).toContain("own module");
    // The worker is still one of ours and still working.
    expect(await nester.ask("where")).toBe(true);
    expect((await system.metrics()).workers.length).toBe(1);
  });

  it("this runtime meets the minimums, and the check names them for an older one", () => {
    expect(runtimeProblem()).toBeUndefined();
    expect(isOlder("20.19.0", MINIMUM_VERSIONS.node)).toBe(true);
    expect(isOlder("v22.0.0", MINIMUM_VERSIONS.node)).toBe(false);
    expect(isOlder("1.1.43", MINIMUM_VERSIONS.bun)).toBe(true);
    expect(isOlder("2.0.0-rc.1", MINIMUM_VERSIONS.deno)).toBe(false);
    expect(isOlder("1.46.3", MINIMUM_VERSIONS.deno)).toBe(true);
    expect(isOlder("22.10.0", "22.9.5")).toBe(false);
  });
});

/**
 * Global setup of the package checks: `npm pack` the repo once (its `prepack` runs the
 * build) into a scratch directory and hand the tarball's path to the tests.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ok, root, scratch } from "./tools.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Absolute path of the packed missive-actors tarball. */
    tarball: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = scratch("pack");
  const packed = ok("npm", ["pack", "--pack-destination", dir, "--json"], root, 180_000);
  const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as [{ filename: string }];
  project.provide("tarball", join(dir, filename));
  return () => rmSync(dir, { recursive: true, force: true });
}

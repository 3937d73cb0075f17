// Node worker entry: make TypeScript importable in this thread, then start the worker
// module. tsx is used when installed (it handles all of TypeScript); otherwise Node's
// own type stripping (Node >= 22.18) loads the erasable TypeScript Missive is written in.
import { workerData } from "node:worker_threads";

if (!process.features?.typescript || process.env.MISSIVE_USE_TSX !== "0") {
  try {
    const { register } = await import("tsx/esm/api");
    register();
  } catch {
    // tsx is not installed: rely on native type stripping.
  }
}
await import(workerData.url);

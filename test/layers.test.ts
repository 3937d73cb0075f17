/**
 * The layers of src/ form a DAG, and the import graph keeps them one.
 *
 * Every file under src/ belongs to the layer of its folder, lowest first:
 *
 *   src/errors.ts < util < wire < transport < runtime < actor < system < cluster < channel < testkit < effect
 *
 * A file may import files of its own layer and of lower layers, never of a higher one;
 * and no files may import each other in a cycle across layers, nor in a cycle that has a
 * value import in it. Every static `import … from`, `import "…"`, `export … from` and
 * literal `import("…")` counts, type-only ones included: a type import is still a
 * dependency a reader has to follow. (`new URL("./worker-main.ts", import.meta.url)` is
 * not an import and is not counted.)
 *
 * The one kind of cycle allowed: type-only imports among files of one folder. The public
 * protocol types are mutually recursive by nature — `ActorRef<D>` is typed by a
 * definition, whose handlers get an `ActorContext` that holds `ActorRef`s — and TypeScript
 * resolves them lazily; such a cycle is listed in the test's name so that a new one shows.
 *
 * There is no allowlist: a failure lists every offending edge as `file:line`.
 *
 * `actors/` (the ready-made actors, `missive-actors/actors`) sits on top of everything: its
 * files import each other and the public entry points (`mod.ts`, `testkit.ts`) only, never
 * a file under src/; and nothing in src/ or the entry points imports it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Lowest first. `src/errors.ts` (src/ itself) is below everything: every layer throws. */
const LAYERS = ["src", "util", "wire", "transport", "runtime", "actor", "system", "cluster", "channel", "testkit", "effect"];
const SOURCE = /\.(ts|mts|js|mjs)$/;

/** The layer of a repo-relative path under src/ (`src/wire/codec.ts` → `wire`), or `undefined`. */
function layerOf(file: string): string | undefined {
  const parts = file.split("/");
  const layer = parts.length === 2 ? "src" : parts[1]!;
  return LAYERS.includes(layer) ? layer : undefined;
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(`${dir}/${e.name}`) : SOURCE.test(e.name) ? [`${dir}/${e.name}`] : []
  ).sort();
}

/** One import: `from` (repo-relative) imports `to` at `line`. */
interface Edge {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
}

/** Resolves a relative specifier against the importing file: `src/a/b.ts` + `../c/d.ts` → `src/c/d.ts`. */
function resolveSpecifier(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/** The package specifiers `file` imports (`effect`, `@msgpack/msgpack`, …). */
const packagesOf = (file: string): string[] => importsOf(file, true).map((e) => e.to);

/** The imports of `file` that point at other files (package imports are left out, or only those with `packages`). */
function importsOf(file: string, packages = false): Edge[] {
  const text = readFileSync(join(root, file), "utf8");
  const kind = /\.m?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const edges: Edge[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteralLike(specifier) || specifier.text.startsWith(".") !== !packages) return;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    edges.push({ from: file, to: packages ? specifier.text : resolveSpecifier(file, specifier.text), line, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      // `import type { A }`, or `import { type A, type B }` with nothing but types.
      const typeOnly = !!clause && (clause.isTypeOnly ||
        (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      const typeOnly = node.isTypeOnly ||
        (!!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, true); // `typeof import("./x.ts")`
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const files = filesUnder("src");
const fileSet = new Set(files);
const edges = files.flatMap((f) => importsOf(f));
const internal = edges.filter((e) => fileSet.has(e.to));

const describeEdge = (e: Edge) =>
  `${e.from}:${e.line} (${layerOf(e.from)}) imports ${e.to} (${layerOf(e.to) ?? "outside src"})${e.typeOnly ? " — type only" : ""}`;

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(nodes: string[], graph: Edge[]): string[][] {
  const out = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of graph) out.get(e.from)!.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  let next = 0;
  const connect = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of out.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || out.get(v)!.includes(v)) result.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) connect(v);
  return result;
}

/** A shortest cycle through the files of `component`, as its edges (BFS from each file). */
function shortestCycle(component: string[], graph: Edge[]): Edge[] {
  const members = new Set(component);
  const inside = graph.filter((e) => members.has(e.from) && members.has(e.to));
  let best: Edge[] = [];
  for (const start of component) {
    const via = new Map<string, Edge>(); // file → the edge that reached it first
    const queue = [start];
    for (let i = 0; i < queue.length && !via.has(start); i++) {
      for (const e of inside.filter((e) => e.from === queue[i])) {
        if (via.has(e.to)) continue;
        via.set(e.to, e);
        queue.push(e.to);
      }
    }
    const path: Edge[] = [];
    for (let at = via.get(start); at && path.length <= component.length; at = at.from === start ? undefined : via.get(at.from)) {
      path.unshift(at);
    }
    if (path.length > 0 && (best.length === 0 || path.length < best.length)) best = path;
  }
  return best;
}

describe(`src/ layering on ${runtimeName}`, () => {
  it("reads the imports (a broken parser would pass everything)", () => {
    expect(files.length).toBeGreaterThan(30);
    expect(internal.length).toBeGreaterThan(50);
    // Known edges of each kind: a value import, a type-only import, a re-export.
    expect(internal).toContainEqual(expect.objectContaining({ from: "src/actor/ref.ts", to: "src/wire/envelope.ts", typeOnly: false }));
    expect(internal).toContainEqual(expect.objectContaining({ from: "src/actor/ref.ts", to: "src/actor/definition.ts", typeOnly: true }));
    expect(internal.some((e) => e.from === "src/channel/mod.ts" && e.to === "src/channel/channel.ts")).toBe(true);
  });

  it("every file under src/ is in a layer, and every import resolves to a file", () => {
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([]);
    const dangling = edges.filter((e) => e.to.startsWith("src/") && !fileSet.has(e.to));
    expect(dangling.map(describeEdge)).toEqual([]);
  });

  it(`no import goes from a lower layer to a higher one (${LAYERS.join(" < ")})`, () => {
    const rank = (file: string) => (file.startsWith("src/") ? LAYERS.indexOf(layerOf(file)!) : LAYERS.length); // mod.ts, testkit.ts: the top
    const upward = edges.filter((e) => rank(e.to) > rank(e.from));
    expect(upward.map(describeEdge)).toEqual([]);
  });

  it("the core entry points (mod.ts, testkit.ts) reach nothing of src/effect/ nor the effect package; effect.ts does", () => {
    const reach = (entry: string) => {
      const seen = new Set([entry]);
      for (const file of seen) for (const e of importsOf(file)) if (fileSet.has(e.to)) seen.add(e.to);
      return seen;
    };
    for (const entry of ["mod.ts", "testkit.ts"]) {
      const reached = [...reach(entry)];
      expect(reached.filter((f) => f.startsWith("src/effect/"))).toEqual([]);
      expect(reached.flatMap((f) => packagesOf(f).filter((p) => p === "effect" || p.startsWith("effect/")).map((p) => `${f} imports ${p}`)))
        .toEqual([]);
    }
    expect([...reach("effect.ts")].some((f) => packagesOf(f).includes("effect"))).toBe(true);
  });

  const components = cycles(files, internal);
  /** A cycle of type-only imports among files of one folder (see the module doc). */
  const typesOnlyInOneFolder = (component: string[]): boolean => {
    const members = new Set(component);
    const folders = new Set(component.map((f) => f.slice(0, f.lastIndexOf("/"))));
    return folders.size === 1 && internal.every((e) => !(members.has(e.from) && members.has(e.to)) || e.typeOnly);
  };
  const allowed = components.filter(typesOnlyInOneFolder);

  it(`no cycle across layers or with a value import (type-only cycles in one folder: ${allowed.map((c) => [...c].sort().join(" ↔ ")).join("; ") || "none"})`, () => {
    const found = components.filter((c) => !typesOnlyInOneFolder(c)).map((component) => {
      const members = new Set(component);
      const inside = internal.filter((e) => members.has(e.from) && members.has(e.to));
      const shortest = shortestCycle(component, internal);
      return `cycle of ${component.length} files, e.g. ${shortest.map((e) => `${e.from}:${e.line}`).join(" → ")} → ${shortest[0]!.from}; ` +
        `every import among them:\n${inside.map((e) => `    ${describeEdge(e)}`).join("\n")}`;
    });
    expect(found).toEqual([]);
  });
});

describe(`actors/ on top, on ${runtimeName}`, () => {
  const actorFiles = filesUnder("actors");
  const actorEdges = actorFiles.flatMap((f) => importsOf(f));
  const ENTRY = new Set(["mod.ts", "testkit.ts"]);

  it("reads actors/ (a broken reader would pass everything)", () => {
    expect(actorFiles).toContain("actors/mod.ts");
    expect(actorEdges).toContainEqual(expect.objectContaining({ from: "actors/router.ts", to: "mod.ts" }));
  });

  it("actors/ imports only its own files and the public entry points (mod.ts, testkit.ts)", () => {
    const outside = actorEdges.filter((e) => !(e.to.startsWith("actors/") || ENTRY.has(e.to)));
    expect(outside.map((e) => `${e.from}:${e.line} imports ${e.to}`)).toEqual([]);
    const dangling = actorEdges.filter((e) => e.to.startsWith("actors/") && !actorFiles.includes(e.to));
    expect(dangling.map((e) => `${e.from}:${e.line} imports ${e.to}, which does not exist`)).toEqual([]);
  });

  it("nothing below imports actors/ (src/, mod.ts, testkit.ts)", () => {
    const below = [...files, ...ENTRY].flatMap((f) => importsOf(f)).filter((e) => e.to.startsWith("actors/"));
    expect(below.map((e) => `${e.from}:${e.line} imports ${e.to}`)).toEqual([]);
  });
});

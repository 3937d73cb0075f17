/**
 * Documentation that cannot rot: every ```ts block in README.md (and in any other
 * Markdown file of the repo, e.g. src/README.md) and every `@example` in the JSDoc of
 * mod.ts, testkit.ts, effect.ts, src/ and actors/ is type-checked against the real code.
 *
 * How: each snippet becomes one file under `.scratch-docs/<run>/` (git-ignored, inside
 * the repo so the files are ES modules and resolve `node_modules`). Snippets are
 * fragments, so each gets a preamble of imports for the free names it uses, taken in
 * this order: the names its own module exports (internal examples use internals), the
 * public API (`mod.ts`, `testkit.ts`), a name exported by exactly one module under src/,
 * then the doc vocabulary (`test/fixtures/docs-vocabulary.ts`: `system`, `counter`,
 * `Counter`, `ch`, … — the names the examples assume). Then one TypeScript program
 * checks all of them with the repo's compiler options (~2 s), and each error is mapped
 * back to the Markdown or source line it came from.
 *
 * `import … from "missive-actors"` / `"missive-actors/testkit"` / `"missive-actors/effect"` in a snippet means
 * mod.ts / testkit.ts / effect.ts;
 * relative imports resolve from the file holding the snippet (in Markdown, from the
 * repo-relative path in a first-line `// examples/….ts` comment when there is one).
 *
 * A snippet that cannot compile as a fragment opts out with the fence ```` ```ts ignore
 * <reason> ````; the reason is required. The README's quick start also *runs*
 * (readme.test.ts), and so does the pipeline example (channel-example.test.ts).
 *
 * Public or internal: an example counts as public API when it documents a symbol
 * exported from mod.ts or testkit.ts (following re-exports to the defining file) or a
 * public member of one, or is the module doc of an entry point or of a file defining
 * such a symbol. Both kinds are checked; the label only says which ones users read.
 *
 * Set MISSIVE_DOCS_KEEP=1 to keep the generated files for a look.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeName } from "../mod.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const VOCABULARY = "test/fixtures/docs-vocabulary.ts";
const ENTRY_POINTS: Record<string, string> = {
  "missive-actors": "mod.ts",
  "missive-actors/testkit": "testkit.ts",
  "missive-actors/effect": "effect.ts",
  "missive-actors/actors": "actors/mod.ts",
};
const CHECKED_LANGUAGES = new Set(["ts", "typescript"]);

/** One code block to check. */
interface Snippet {
  /** Repo-relative file holding it (`README.md`, `src/actor/ref.ts`). */
  source: string;
  /** 1-based line of the snippet's first code line in `source`. */
  line: number;
  code: string[];
  /** What it documents: `README`, `module doc`, `ActorRef.with`, … */
  owner: string;
  /** Documents the public API (see the header). */
  isPublic: boolean;
  /** Repo-relative directory its relative imports resolve from. */
  base: string;
  /** Set when the fence says `ts ignore <reason>`. */
  ignored?: string;
}

interface Fence {
  info: string;
  line: number;
  code: string[];
}

const posix = (p: string) => p.split("\\").join("/");
const rel = (abs: string) => posix(relative(root, abs));

/** Fenced code blocks in `lines`; `line` numbers start at `firstLine`. */
function fences(lines: string[], firstLine: number): Fence[] {
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const code: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) {
      code.push(lines[j]!.slice(Math.min(indent, /^\s*/.exec(lines[j]!)![0].length)));
    }
    out.push({ info: open[2]!.trim(), line: firstLine + i + 1, code });
    i = j;
  }
  return out;
}

/** Applies the fence's info string: checked language, `ignore <reason>`. */
function fromFence(fence: Fence, common: Omit<Snippet, "line" | "code" | "ignored">): Snippet | null {
  const [language = "", ...rest] = fence.info.split(/\s+/);
  if (!CHECKED_LANGUAGES.has(language)) return null;
  const snippet: Snippet = { ...common, line: fence.line, code: fence.code };
  if (rest[0] === "ignore") snippet.ignored = rest.slice(1).join(" ");
  return snippet;
}

/** Markdown files of the repo (README.md, src/README.md, …), outside node_modules and dot folders. */
function markdownFiles(dir = "."): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir === "." ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") ? [] : markdownFiles(path);
    return e.name.endsWith(".md") ? [path] : [];
  }).sort();
}

function markdownSnippets(file: string): Snippet[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const out: Snippet[] = [];
  for (const fence of fences(lines, 1)) {
    // A first line `// examples/quickstart/main.ts` says where the code lives (repo-relative).
    const header = /^\/\/\s*(\S+\.ts)\s*$/.exec(fence.code[0] ?? "");
    const base = header ? posix(dirname(header[1]!)) : posix(dirname(file));
    const snippet = fromFence(fence, { source: file, owner: file === "README.md" ? "README" : "docs", isPublic: true, base });
    if (snippet) out.push(snippet);
  }
  return out;
}

// ------------------------------------------------------------ the public API

const parsed = new Map<string, ts.SourceFile>();
function parse(file: string): ts.SourceFile {
  let sf = parsed.get(file);
  if (!sf) {
    sf = ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    parsed.set(file, sf);
  }
  return sf;
}

const hasModifier = (node: ts.Node, kind: ts.SyntaxKind) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);

/** The name a top-level statement declares (the first one for a variable statement). */
function declaredName(node: ts.Node): string | undefined {
  if (ts.isVariableStatement(node)) {
    const name = node.declarationList.declarations[0]?.name;
    return name && ts.isIdentifier(name) ? name.text : undefined;
  }
  if (
    (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isFunctionDeclaration(node) ||
      ts.isTypeAliasDeclaration(node) || ts.isEnumDeclaration(node)) && node.name
  ) return node.name.text;
  return undefined;
}

/** What a module exports: exported name → the file and local name that define it. */
const exportCache = new Map<string, Map<string, { file: string; local: string }>>();
function exportsOf(file: string): Map<string, { file: string; local: string }> {
  const cached = exportCache.get(file);
  if (cached) return cached;
  const map = new Map<string, { file: string; local: string }>();
  exportCache.set(file, map); // cycles end here
  for (const st of parse(file).statements) {
    if (ts.isExportDeclaration(st)) {
      const specifier = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
      // A package's exports are not followed: they are defined where the package is.
      const target = specifier?.startsWith(".") ? posix(join(dirname(file), specifier)) : specifier;
      const follow = (name: string) => (target === specifier ? undefined : exportsOf(target!).get(name));
      if (!st.exportClause) {
        if (target && target !== specifier) { for (const [name, def] of exportsOf(target)) if (name !== "default") map.set(name, def); }
      } else if (ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          const local = (el.propertyName ?? el.name).text;
          map.set(el.name.text, target ? follow(local) ?? { file: target, local } : { file, local });
        }
      }
    } else if (hasModifier(st, ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) map.set(d.name.text, { file, local: d.name.text });
      } else {
        const name = declaredName(st);
        if (name) map.set(name, { file, local: name });
      }
    }
  }
  return map;
}

const PUBLIC_ENTRIES = ["mod.ts", "testkit.ts", "effect.ts", "actors/mod.ts"];
/** `file#name` of every declaration the package exports. */
const publicDeclarations = new Set(PUBLIC_ENTRIES.flatMap((entry) => [...exportsOf(entry).values()].map((d) => `${d.file}#${d.local}`)));
/** Names importable from the entry points, and from which. */
const publicNames = new Map(PUBLIC_ENTRIES.flatMap((entry) => [...exportsOf(entry).keys()].map((name) => [name, entry] as const)));

/** True when `file` defines something the package exports (its module doc is then public reading). */
const definesPublic = (file: string) => [...publicDeclarations].some((d) => d.startsWith(`${file}#`));

// ------------------------------------------------------------ JSDoc examples

interface DocOwner {
  owner: string;
  isPublic: boolean;
}

/** The declaration each JSDoc block of `sf` documents, by the block's end offset. */
function docOwners(sf: ts.SourceFile): Map<number, DocOwner> {
  const owners = new Map<number, DocOwner>();
  const file = sf.fileName;
  const visit = (node: ts.Node, container: { name: string; isPublic: boolean } | null) => {
    const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
    let here: DocOwner | undefined;
    if (container && (ts.isClassElement(node) || ts.isTypeElement(node))) {
      const member = ts.isConstructorDeclaration(node) ? "constructor" : node.name?.getText(sf) ?? "(call or index signature)";
      const hidden = member.startsWith("#") || hasModifier(node, ts.SyntaxKind.PrivateKeyword) ||
        hasModifier(node, ts.SyntaxKind.ProtectedKeyword);
      here = { owner: `${container.name}.${member}`, isPublic: container.isPublic && !hidden };
    } else if (node.parent === sf) {
      const name = declaredName(node);
      if (name) here = { owner: name, isPublic: publicDeclarations.has(`${file}#${name}`) };
    }
    for (const doc of docs) {
      const internal = (doc.tags ?? []).some((t) => t.tagName.text === "internal");
      owners.set(doc.end, { owner: here?.owner ?? "(unattached)", isPublic: (here?.isPublic ?? false) && !internal });
    }
    const next = (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) && node.name && here
      ? { name: node.name.text, isPublic: here.isPublic }
      : container;
    ts.forEachChild(node, (child) => visit(child, next));
  };
  ts.forEachChild(sf, (child) => visit(child, null));
  return owners;
}

function jsdocSnippets(file: string): Snippet[] {
  const sf = parse(file);
  const text = sf.text;
  const owners = docOwners(sf);
  const out: Snippet[] = [];
  for (const block of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const start = block.index!;
    const firstLine = text.slice(0, start).split("\n").length;
    // Strip the comment's frame: `/**`, `*/` and each line's leading ` * `.
    const lines = block[0].split("\n").map((l, i, all) => {
      let s = i === 0 ? l.replace(/^\/\*\*/, "") : l;
      if (i === all.length - 1) s = s.replace(/\*\/$/, "");
      return s.replace(/^\s*\* ?/, "").replaceAll("*\\/", "*/");
    });
    const isModuleDoc = lines.some((l) => /^\s*@module\b/.test(l));
    const who = isModuleDoc
      ? { owner: "module doc", isPublic: PUBLIC_ENTRIES.includes(file) || definesPublic(file) }
      : owners.get(start + block[0].length) ?? { owner: "(unattached)", isPublic: false };
    // The lines of each @example tag, up to the next tag.
    for (let i = 0; i < lines.length; i++) {
      if (!/^\s*@example\b/.test(lines[i]!)) continue;
      let j = i + 1;
      let inFence = false;
      for (; j < lines.length; j++) {
        if (/^\s*```/.test(lines[j]!)) inFence = !inFence;
        else if (!inFence && /^\s*@\w/.test(lines[j]!)) break;
      }
      for (const fence of fences(lines.slice(i + 1, j), firstLine + i + 1)) {
        const snippet = fromFence(fence, { source: file, ...who, base: posix(dirname(file)) });
        if (snippet) out.push(snippet);
      }
      i = j - 1;
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : []
  ).sort();
}

// ------------------------------------------------------------ generating the check

const vocabulary = exportsOf(VOCABULARY);

/** Names exported by exactly one module under src/ (internal examples may use them unqualified). */
const internalNames = (() => {
  const defs = new Map<string, Map<string, string>>(); // name → `file#local` → exporting file
  for (const file of sourceFiles("src")) {
    for (const [name, def] of exportsOf(file)) {
      if (!defs.has(name)) defs.set(name, new Map());
      if (!defs.get(name)!.has(`${def.file}#${def.local}`)) defs.get(name)!.set(`${def.file}#${def.local}`, file);
    }
  }
  return new Map([...defs].filter(([, where]) => where.size === 1).map(([name, where]) => [name, [...where.values()][0]!]));
})();

/** True when `name` in `file` is a type (an interface or a type alias), not a value. */
function isType(file: string, name: string): boolean {
  return parse(file).statements.some((st) => (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === name);
}

/** Names a snippet declares at its top level (they must not be imported again). */
function topLevelNames(code: string): Set<string> {
  const sf = ts.createSourceFile("snippet.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) { for (const d of st.declarationList.declarations) bind(d.name); }
    else if (ts.isImportDeclaration(st) && st.importClause) {
      const clause = st.importClause;
      if (clause.name) names.add(clause.name.text);
      if (clause.namedBindings) {
        if (ts.isNamespaceImport(clause.namedBindings)) names.add(clause.namedBindings.name.text);
        else for (const el of clause.namedBindings.elements) names.add(el.name.text);
      }
    } else {
      const name = declaredName(st);
      if (name) names.add(name);
    }
  }
  return names;
}

interface Generated {
  snippet: Snippet;
  file: string;
  /** Lines before the snippet's first line. */
  preambleLines: number;
}

/** Writes `snippet` as a module in `dir`: a preamble of imports, then the code. */
function generate(snippet: Snippet, index: number, dir: string): Generated {
  const file = join(dir, `${String(index).padStart(3, "0")}-${snippet.source.replace(/[^\w]+/g, "-")}-${snippet.line}.ts`);
  const spec = (repoPath: string) => {
    const s = posix(relative(dir, join(root, repoPath)));
    return s.startsWith(".") ? s : `./${s}`;
  };
  const code = snippet.code.map((line) =>
    line.replace(/(\bfrom\s+|\bimport\s+|\bimport\(\s*)(["'])([^"']+)\2/g, (all, pre: string, q: string, target: string) => {
      if (ENTRY_POINTS[target]) return `${pre}${q}${spec(ENTRY_POINTS[target]!)}${q}`;
      if (target.startsWith("./") || target.startsWith("../")) return `${pre}${q}${spec(posix(join(snippet.base, target)))}${q}`;
      return all;
    })
  );
  const declared = topLevelNames(code.join("\n"));
  const own = snippet.source.endsWith(".ts") ? exportsOf(snippet.source) : new Map<string, unknown>();
  const imports = new Map<string, Set<string>>(); // module → names
  const need = (from: string, name: string) => {
    if (!imports.has(from)) imports.set(from, new Set());
    imports.get(from)!.add(name);
  };
  const vocabularyValues: string[] = [];
  const words = new Set(code.join("\n").match(/(?<![.\w$#])[A-Za-z_$][\w$]*/g) ?? []);
  for (const word of words) {
    if (declared.has(word)) continue;
    if (own.has(word)) need(snippet.source, word);
    else if (publicNames.has(word)) need(publicNames.get(word)!, word);
    else if (internalNames.has(word)) need(internalNames.get(word)!, word);
    else if (vocabulary.has(word)) {
      // Values as `let` copies, so that an example may assign them (`dropped++`).
      if (isType(VOCABULARY, word)) need(VOCABULARY, word);
      else vocabularyValues.push(word);
    }
  }
  const preamble = [
    `// ${snippet.source}:${snippet.line} (${snippet.owner}) — generated by test/docs.test.ts`,
    ...[...imports].map(([from, names]) => `import { ${[...names].sort().join(", ")} } from "${spec(from)}";`),
    ...(vocabularyValues.length
      ? [`import * as __vocabulary from "${spec(VOCABULARY)}";`, `let { ${vocabularyValues.sort().join(", ")} } = __vocabulary;`]
      : []),
  ];
  writeFileSync(file, [...preamble, ...code, "export {};", ""].join("\n"));
  return { snippet, file, preambleLines: preamble.length };
}

interface Failure {
  snippet: Snippet;
  /** `README.md:57` — where in the docs the error is. */
  at: string;
  message: string;
}

/**
 * Type-checks the generated files in one program with the repo's compiler options (the
 * compiler API, so a syntax error in one snippet cannot hide the type errors of others, as
 * it would with the `tsc` command). Returns failures per snippet and errors elsewhere.
 */
function typecheck(dir: string, generated: Generated[]): { failures: Failure[]; elsewhere: string[] } {
  const configFile = join(dir, "tsconfig.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      extends: posix(relative(dir, join(root, "tsconfig.json"))),
      // Preamble imports may name types; the snippets' own import syntax is not what is checked.
      compilerOptions: { verbatimModuleSyntax: false, noEmit: true },
      files: [...generated.map((g) => posix(relative(dir, g.file))), posix(relative(dir, join(root, VOCABULARY)))],
    }),
  );
  const elsewhere: string[] = [];
  const show = (d: ts.Diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n    ");
    if (!d.file || d.start === undefined) return `TS${d.code}: ${text}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${rel(d.file.fileName)}:${line + 1}:${character + 1}: TS${d.code}: ${text}`;
  };
  const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => elsewhere.push(show(d)),
  });
  if (!config) return { failures: [], elsewhere };
  elsewhere.push(...config.errors.map(show));
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  elsewhere.push(...program.getOptionsDiagnostics().map(show), ...program.getGlobalDiagnostics().map(show));
  const vocabulary = program.getSourceFile(join(root, VOCABULARY));
  if (vocabulary) {
    elsewhere.push(...program.getSyntacticDiagnostics(vocabulary).map(show), ...program.getSemanticDiagnostics(vocabulary).map(show));
  }

  const failures: Failure[] = [];
  for (const g of generated) {
    const sf = program.getSourceFile(g.file);
    if (!sf) {
      elsewhere.push(`${rel(g.file)} is not in the program`);
      continue;
    }
    // After the first syntax error the rest are mostly its echoes.
    const syntax = program.getSyntacticDiagnostics(sf).slice(0, 1);
    for (const d of syntax.length ? syntax : program.getSemanticDiagnostics(sf)) {
      const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
      const offset = line - g.preambleLines;
      const inSnippet = offset >= 0 && offset < g.snippet.code.length;
      const at = `${g.snippet.source}:${inSnippet ? g.snippet.line + offset : g.snippet.line}`;
      const source = inSnippet ? `\n      | ${g.snippet.code[offset]!.trim()}` : " (in the generated preamble)";
      failures.push({
        snippet: g.snippet,
        at,
        message: `${at}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n    ")}${source}`,
      });
    }
  }
  return { failures, elsewhere };
}

// ------------------------------------------------------------ the suite

const jsdocFiles = ["mod.ts", "testkit.ts", "effect.ts", ...sourceFiles("src"), ...sourceFiles("actors")];
const snippets = [...markdownFiles().flatMap(markdownSnippets), ...jsdocFiles.flatMap(jsdocSnippets)];
const checked = snippets.filter((s) => s.ignored === undefined);
const scratch = join(root, ".scratch-docs", `${runtimeName}-${process.pid}-${Date.now().toString(36)}`);
let result: ReturnType<typeof typecheck>;

beforeAll(() => {
  mkdirSync(scratch, { recursive: true });
  result = typecheck(scratch, checked.map((s, i) => generate(s, i, scratch)));
}, 180_000);

afterAll(() => {
  if (!/^(1|true|yes)$/i.test(process.env.MISSIVE_DOCS_KEEP ?? "")) rmSync(scratch, { recursive: true, force: true });
});

const label = (s: Snippet) => `${s.isPublic ? "public" : "internal"} ${s.owner}`;

describe(`documentation code on ${runtimeName}`, () => {
  it("finds the README's ts blocks and the @examples of the public API", () => {
    const readme = snippets.filter((s) => s.source === "README.md");
    expect(readme.length).toBeGreaterThanOrEqual(8);
    // The module docs of both entry points and the core vocabulary must be among them.
    for (const owner of ["module doc", "defineActor", "ActorSystem.start", "ActorRef.with", "Channel.put", "select"]) {
      expect(snippets.some((s) => s.isPublic && s.owner === owner), owner).toBe(true);
    }
    expect(snippets.filter((s) => s.source === "testkit.ts" && s.isPublic).length).toBe(1);
  });

  it("every export of missive-actors/actors has a public @example (the ready-made actors are documented by example)", () => {
    const documented = new Set(snippets.filter((s) => s.isPublic && s.source.startsWith("actors/")).map((s) => s.owner));
    const exported = [...exportsOf("actors/mod.ts").values()].map((d) => d.local);
    expect(exported.length).toBeGreaterThan(20);
    expect(exported.filter((name) => !documented.has(name))).toEqual([]);
    expect(snippets.some((s) => s.source === "actors/mod.ts" && s.owner === "module doc" && s.isPublic)).toBe(true);
  });

  it("the vocabulary names nothing that src/ exports (an example's name has one meaning)", () => {
    expect([...vocabulary.keys()].filter((name) => publicNames.has(name) || internalNames.has(name))).toEqual([]);
  });

  it("every opt-out (```ts ignore) gives its reason", () => {
    const bare = snippets.filter((s) => s.ignored !== undefined && s.ignored.trim() === "");
    expect(bare.map((s) => `${s.source}:${s.line}`)).toEqual([]);
  });

  it("the preamble's sources (vocabulary, src) type-check", () => {
    expect(result.elsewhere).toEqual([]);
  });

  for (const source of [...new Set(checked.map((s) => s.source))]) {
    const here = checked.filter((s) => s.source === source);
    it(`${source}: ${here.length} code block${here.length === 1 ? "" : "s"} type-check`, () => {
      const failures = result.failures.filter((f) => f.snippet.source === source);
      expect(failures.map((f) => `${f.message}\n      (${label(f.snippet)} example at ${f.snippet.source}:${f.snippet.line})`)).toEqual([]);
    });
  }
});

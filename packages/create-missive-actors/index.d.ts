/** What the command line asked for. */
export interface CreateOptions {
  /** The directory to write the app into (must not exist, or be empty). */
  dir: string;
  /** The Deno flavour (deno.json, `deno task`) instead of the npm one (package.json, vitest). */
  deno: boolean;
  /** The `missive-actors` dependency: a version range, a `file:` tarball, a `jsr:` specifier or a local mod.ts. */
  library: string;
}

/**
 * Parses `create-missive-actors <directory> [--deno | --npm] [--library <spec>]`; throws with the usage on a mistake.
 *
 * @example
 * ```ts
 * const options = parse(["my-app", "--deno"]);
 * ```
 */
export function parse(argv: string[]): CreateOptions;

/**
 * Writes a new app (an actor, a main, a property test of the actor, its config and README) into `options.dir`;
 * returns the paths written.
 *
 * @example
 * ```ts
 * create({ dir: "my-app", deno: false, library: "^0.1.0" });
 * ```
 */
export function create(options: CreateOptions): string[];

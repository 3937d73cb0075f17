/**
 * The host types Missive's declarations mention, declared here so that a consumer's
 * program type-checks without the DOM library and without `@types/node` (e.g. target
 * ES2022 with `lib: ["ES2022"]`). Every declaration is an interface or a library
 * reference: interfaces merge with the DOM's and `@types/node`'s own when those are
 * present, so nothing here conflicts with them.
 *
 * `npm run build` copies this file into `dist/` and references it from each entry
 * point's declarations.
 */
// Members must match the DOM's exactly (`reason: any`), and an empty interface is the point
// for URL and MessagePort (merged with the host's when it has one):
// deno-lint-ignore-file no-explicit-any no-empty-interface

/// <reference lib="es2024.promise" />
/// <reference lib="es2024.sharedmemory" />
/// <reference lib="esnext.disposable" />

/** Cancels a wait (`AbortController#signal`); the DOM and Node declare the rest. */
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: any;
}

/** A URL (`new URL(…)`); the DOM and Node declare the rest. */
interface URL {}

/** One end of a `MessageChannel`; the DOM and Node declare the rest. */
interface MessagePort {}

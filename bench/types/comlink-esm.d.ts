// comlink has no `exports` map: its ESM build is reached by path, which TypeScript
// resolves to `.d.mts` files comlink does not ship. These declarations point the ESM
// paths at comlink's own types.
declare module "comlink/dist/esm/comlink.mjs" {
  export * from "comlink";
}

declare module "comlink/dist/esm/node-adapter.mjs" {
  export { default } from "comlink/dist/umd/node-adapter";
}

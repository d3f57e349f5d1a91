export * from "./create-dir-lister.ts";
export * from "./create-dir-reader.ts";
export * from "./load-environment-map.ts";
export * from "./load-repository.ts";
export * from "./load-scenario.ts";
export * from "./read-asset-files.ts";

export * from "./create-dir-reader.ts";
export * from "./load-catalog.ts";
export * from "./load-scenario.ts";

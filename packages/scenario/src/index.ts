export * from "./interpret-verify.ts";
export * from "./parse-action-marker.ts";
export * from "./parse-scenario.ts";
export * from "./render-markdown.ts";
export * from "./resolve-scenario-path.ts";
export type * from "./scenario.ts";
export type * from "./scenario-issue.ts";

export * from "./preview-token.ts";
export * from "./signed.ts";
export * from "./terminal-token.ts";

export * from "./terminal-token.ts";

export * from "./error-codes.ts";
export * from "./internal-api.ts";
export * from "./plain-page.ts";
export * from "./preview.ts";
export * from "./prometheus.ts";
export * from "./terminal-client.ts";
export * from "./terminal-messages.ts";
export * from "./terminal-token.ts";

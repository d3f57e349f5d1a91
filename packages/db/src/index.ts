export * from "./client.ts";
export * from "./lab-sessions.ts";
export * from "./progress.ts";

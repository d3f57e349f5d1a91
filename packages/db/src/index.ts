export * from "./client.ts";
export * from "./lab-sessions.ts";
export * from "./leases.ts";
export * from "./progress.ts";
export * from "./script-runs.ts";

export * from "./accounts.ts";
export * from "./audit.ts";
export * from "./client.ts";
export * from "./events.ts";
export * from "./lab-sessions.ts";
export * from "./leases.ts";
export * from "./progress.ts";
export * from "./script-runs.ts";

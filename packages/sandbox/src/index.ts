export * from "./docker-driver.ts";
export * from "./firewall.ts";
export * from "./sandbox-driver.ts";
export * from "./tar-archive.ts";

export * from "./docker-driver.ts";
export * from "./sandbox-driver.ts";

export * from "./course-images.ts";
export * from "./docker-driver.ts";
export * from "./firewall.ts";
export * from "./registry-mirror.ts";
export * from "./sandbox-driver.ts";
export * from "./tar-archive.ts";

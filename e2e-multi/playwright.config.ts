import { defineConfig, devices } from "@playwright/test";
import { INSTANCES } from "./instances.ts";

/**
 * Several instances on one PostgreSQL database: two gateways and two web apps (two `npm start`s on ports of their
 * own, started by global-setup.ts), driven in Debian's Chromium. `npm test` runs it as a stage of its own.
 */
export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  timeout: 180_000,
  expect: { timeout: 15_000 },
  workers: 1,
  // As the main journeys: Chromium may abort a request when Docker adds or removes a network interface.
  retries: 1,
  outputDir: "../.dockyard/e2e-multi/test-results",
  globalSetup: "./global-setup.ts",
  use: {
    ...devices["Desktop Chrome"],
    viewport: { width: 1400, height: 900 },
    screenshot: "only-on-failure",
    // The DOM renderer draws the terminal's rows as text the journey reads.
    storageState: {
      cookies: [],
      origins: INSTANCES.map((i) => ({ origin: i.web, localStorage: [{ name: "dockyard.renderer", value: "dom" }] })),
    },
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    },
  },
});

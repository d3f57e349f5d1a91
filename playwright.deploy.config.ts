import { defineConfig, devices } from "@playwright/test";

/**
 * The smoke journey against a compose deployment (docker/compose.yaml), over HTTPS through its proxy, as
 * `npm run deploy:smoke` (scripts/deploy-smoke.mjs) brings it up. Not part of `npm test`: it builds and starts the
 * whole stack. DOCKYARD_SMOKE_URL is the deployment's address; its domain and every name under it are resolved to
 * this machine by Chromium itself, so no DNS is needed.
 */
const url = new URL(process.env.DOCKYARD_SMOKE_URL ?? "https://dockyard.test:8443");

export default defineConfig({
  testDir: "e2e-deploy",
  timeout: 180_000,
  expect: { timeout: 20_000 },
  workers: 1,
  // Chromium aborts requests in flight (net::ERR_NETWORK_CHANGED) when Docker adds or removes interfaces.
  retries: 1,
  outputDir: ".dockyard/deploy-smoke/test-results",
  use: {
    ...devices["Desktop Chrome"],
    baseURL: url.origin,
    viewport: { width: 1400, height: 900 },
    // The self-signed certificate the proxy made.
    ignoreHTTPSErrors: true,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    // The journeys read the terminal's rows from the DOM renderer (see playwright.config.ts).
    storageState: {
      cookies: [],
      origins: [{ origin: url.origin, localStorage: [{ name: "dockyard.renderer", value: "dom" }] }],
    },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        `--host-resolver-rules=MAP *.${url.hostname} 127.0.0.1, MAP ${url.hostname} 127.0.0.1`,
      ],
    },
  },
});

import { cpSync, mkdirSync, rmSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
const gatewayPort = port + 1;

// The journeys' scenarios: the bundled ones plus fixtures that must be handled safely (broken, hostile).
const scenariosDir = `${process.cwd()}/.dockyard/e2e-scenarios`;
rmSync(scenariosDir, { recursive: true, force: true });
mkdirSync(scenariosDir, { recursive: true });
cpSync("scenarios", scenariosDir, { recursive: true });
cpSync("e2e/fixtures/scenarios", scenariosDir, { recursive: true });
// Unchanged public examples: Killercoda's foreground and background scripts and assets, Katacoda's quiz.
for (const example of [
  "killercoda-examples/foreground-background-scripts-multi-step",
  "killercoda-examples/upload-assets",
  "katacoda-examples/quiz",
  "katacoda-examples/opening-multiple-terminals",
  "katacoda-examples/challenges/challenge-hello-world",
  "katacoda-examples/displaying-images",
  "katacoda-examples/exclusion-patterns",
  "killercoda-examples/verification",
  "katacoda-examples/uilayouts/uilayout-terminal-terminal",
  "katacoda-examples/dashboard-tabs",
]) {
  const name = example.split("/").at(-1) ?? example;
  cpSync(`packages/scenario/fixtures/compat/${example}`, `${scenariosDir}/${name}`, { recursive: true });
}

/**
 * Browser journeys in Debian's Chromium against the real stack (web, gateway, Docker), started by `npm start` on
 * ports of its own with a database of its own.
 */
export default defineConfig({
  testDir: "e2e",
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  // One retry, reported as flaky in the summary: Chromium aborts requests in flight (net::ERR_NETWORK_CHANGED) when
  // Docker adds or removes network interfaces on this same machine, which sandboxes starting and stopping do.
  retries: 1,
  outputDir: ".dockyard/test-results",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    ...devices["Desktop Chrome"],
    baseURL: `http://localhost:${port}`,
    viewport: { width: 1400, height: 900 },
    screenshot: "only-on-failure",
    // The journeys read the terminal's rows from the page, which the DOM renderer draws as text (the WebGL one draws
    // on a canvas). terminal-client.spec.ts covers the WebGL renderer and reads the screen through screen-reader mode.
    storageState: {
      cookies: [],
      origins: [{ origin: `http://localhost:${port}`, localStorage: [{ name: "dockyard.renderer", value: "dom" }] }],
    },
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    },
  },
  webServer: {
    command: "node scripts/start.mjs",
    url: `http://localhost:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 600_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      GATEWAY_PORT: String(gatewayPort),
      DATABASE_URL: `file:${process.cwd()}/.dockyard/e2e.db`,
      DOCKYARD_INSTANCE: "e2e",
      DOCKYARD_METRICS_TOKEN: "e2e-metrics-token-0123456789",
      // The first admin, made at start as an operator would (e2e/accounts.ts signs in with it).
      DOCKYARD_ADMIN_EMAIL: "admin@e2e.test",
      DOCKYARD_ADMIN_PASSWORD: "e2e admin password",
      // Authoring mode, as `npm run dev`: live reload and the Script log.
      DOCKYARD_AUTHORING: "1",
      // Hosts with their own Docker engine, for the Docker workshop's labs (its images come from the registry mirror).
      SANDBOX_ALLOW_DOCKER: "on",
      // Two roots: the scenarios above, and a repository with a Katacoda course.
      SCENARIOS_PATH: `${scenariosDir}:${process.cwd()}/e2e/fixtures/course-repo`,
    },
  },
});

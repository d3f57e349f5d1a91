// npm test: every test against the real parts. Lint and types, unit and integration tests (vitest, real Docker), the
// bundled courses (dockyard test, every step in a real sandbox), then browser journeys (Playwright in Debian's
// Chromium against the real stack). The tests that touch the database run twice: on SQLite, then on PostgreSQL
// (DOCKYARD_TEST_POSTGRES_URL, or a throwaway server started here). Ends with one summary line.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { dataDir, prepare, root, say } from "./prepare.mjs";
import { databaseTestFiles, startTestPostgres } from "./test-postgres.mjs";

const e2eDatabase = join(dataDir, "e2e.db");
try {
  // The journeys get a database of their own, new each run.
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${e2eDatabase}${suffix}`, { force: true });
  prepare({ databaseUrl: `file:${e2eDatabase}` });
} catch (error) {
  console.error(`[dockyard] ${error.message}`);
  process.exit(1);
}

const bin = (name) => join(root, "node_modules/.bin", name);
const results = [];
function stage(name, command, args, env = {}) {
  say(`— ${name}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  results.push({ name, ok: result.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
  return result.status === 0;
}

const vitestReport = join(dataDir, "vitest-report.json");
const postgresReport = join(dataDir, "vitest-postgresql-report.json");
const playwrightReport = join(dataDir, "playwright-report.json");
for (const report of [vitestReport, postgresReport, playwrightReport]) rmSync(report, { force: true });

stage("lint", bin("biome"), ["check", "."]);
stage("types", bin("turbo"), ["run", "typecheck", "--output-logs=errors-only"], { TURBO_TELEMETRY_DISABLED: "1" });
stage("unit and integration tests", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${vitestReport}`,
]);
await databaseTestsOnPostgres("database tests on PostgreSQL");
// The bundled courses, in real sandboxes with no internet: their images preloaded into the registry mirror, then
// every step of every scenario checked (each verify fails before its solve and passes after).
const courseReport = join(dataDir, "course-report.json");
rmSync(courseReport, { force: true });
const dockyard = join(root, "packages/cli/bin/dockyard.mjs");
if (stage("course images", process.execPath, [dockyard, "images", "preload", "scenarios"])) {
  stage("bundled courses", process.execPath, [dockyard, "test", "scenarios", "--report", courseReport], {
    SANDBOX_ALLOW_DOCKER: "on",
    SANDBOX_INTERNET: "off",
  });
}
stage("browser journeys", bin("playwright"), ["test", "--reporter=list,json"], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport,
});
// Two gateways and two web apps on one PostgreSQL database (DOCKYARD_TEST_POSTGRES_URL's server, or a throwaway one
// that e2e-multi/global-setup.ts starts).
const severalReport = join(dataDir, "playwright-several-report.json");
rmSync(severalReport, { force: true });
stage("browser journeys, several instances", bin("playwright"), ["test", "-c", "e2e-multi", "--reporter=list,json"], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: severalReport,
});

// The compose deployment from its one command (images of Dockyard's own services built offline, PostgreSQL, the TLS
// proxy), its smoke journey in Chromium over HTTPS, then all of it removed.
const deployReport = join(dataDir, "playwright-deploy-report.json");
rmSync(deployReport, { force: true });
stage("deployment (compose) and its smoke journey", process.execPath, [join(root, "scripts/deploy-smoke.mjs")], {
  DOCKYARD_SMOKE_REPORT: deployReport,
});

/** The test files that make a test database (found now, so the list never goes stale), again on PostgreSQL. */
async function databaseTestsOnPostgres(name) {
  const files = databaseTestFiles(root);
  let server;
  try {
    if (files.length === 0) throw new Error("no test file makes a test database; the helper or its import changed");
    say(`${files.length} test files touch the database; they run again on PostgreSQL`);
    if (!process.env.DOCKYARD_TEST_POSTGRES_URL) {
      say("starting a throwaway PostgreSQL (DOCKYARD_TEST_POSTGRES_URL is not set)");
      server = await startTestPostgres(join(dataDir, "postgres-test"));
    }
  } catch (error) {
    say(`— ${name}`);
    console.error(`[dockyard] ${error.message}`);
    results.push({ name, ok: false, seconds: 0 });
    return;
  }
  // Ctrl+C reaches vitest too; the server is stopped once it has exited.
  const interrupted = () => {
    server?.stop();
    process.exit(130);
  };
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    const url = process.env.DOCKYARD_TEST_POSTGRES_URL ?? server.url;
    stage(
      name,
      bin("vitest"),
      ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${postgresReport}`, ...files],
      { DOCKYARD_TEST_POSTGRES_URL: url },
    );
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    server?.stop();
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
let flaky = 0;
for (const report of [vitestReport, postgresReport].filter((file) => existsSync(file))) {
  const v = JSON.parse(readFileSync(report, "utf8"));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + (v.numTodoTests ?? 0);
}
if (existsSync(courseReport)) {
  // Each step of each bundled scenario counts as a test.
  const c = JSON.parse(readFileSync(courseReport, "utf8"));
  const steps = c.scenarios.flatMap((scenario) => scenario.steps);
  passed += steps.filter((step) => step.ok).length;
  failed += steps.filter((step) => !step.ok).length + c.scenarios.filter((scenario) => scenario.message).length;
}
for (const report of [playwrightReport, severalReport, deployReport].filter((file) => existsSync(file))) {
  const p = JSON.parse(readFileSync(report, "utf8")).stats;
  passed += p.expected + p.flaky;
  flaky += p.flaky;
  failed += p.unexpected;
  skipped += p.skipped;
}
// A stage that failed without reporting tests (lint, types, a crashed runner) still counts as a failure.
failed += results.filter(
  (r) =>
    !r.ok &&
    ![
      "unit and integration tests",
      "database tests on PostgreSQL",
      "bundled courses",
      "browser journeys",
      "browser journeys, several instances",
      "deployment (compose) and its smoke journey",
    ].includes(r.name),
).length;
// PostgreSQL that did not start (or no report): a failure of its own.
if (results.some((r) => r.name === "database tests on PostgreSQL" && !r.ok) && !existsSync(postgresReport)) failed += 1;
const runnerCrashed = results.some((r) => !r.ok) && failed === 0;
if (runnerCrashed) failed += 1;

console.log("");
for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.name} (${r.seconds} s)`);
console.log(
  `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}${flaky ? ` (${flaky} passed only on a retry)` : ""}`,
);
process.exit(results.every((r) => r.ok) ? 0 : 1);

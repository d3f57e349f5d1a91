// npm test: every test against the real parts. Lint and types, unit and integration tests (vitest, real Docker), the
// bundled courses (dockyard test, every step in a real sandbox), then browser journeys (Playwright in Debian's
// Chromium against the real stack). Ends with one summary line.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { dataDir, prepare, root, say } from "./prepare.mjs";

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
const playwrightReport = join(dataDir, "playwright-report.json");
rmSync(vitestReport, { force: true });
rmSync(playwrightReport, { force: true });

stage("lint", bin("biome"), ["check", "."]);
stage("types", bin("turbo"), ["run", "typecheck", "--output-logs=errors-only"], { TURBO_TELEMETRY_DISABLED: "1" });
stage("unit and integration tests", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${vitestReport}`,
]);
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

let passed = 0;
let failed = 0;
let skipped = 0;
let flaky = 0;
if (existsSync(vitestReport)) {
  const v = JSON.parse(readFileSync(vitestReport, "utf8"));
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
if (existsSync(playwrightReport)) {
  const p = JSON.parse(readFileSync(playwrightReport, "utf8")).stats;
  passed += p.expected + p.flaky;
  flaky += p.flaky;
  failed += p.unexpected;
  skipped += p.skipped;
}
// A stage that failed without reporting tests (lint, types, a crashed runner) still counts as a failure.
failed += results.filter(
  (r) => !r.ok && !["unit and integration tests", "bundled courses", "browser journeys"].includes(r.name),
).length;
const runnerCrashed = results.some((r) => !r.ok) && failed === 0;
if (runnerCrashed) failed += 1;

console.log("");
for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.name} (${r.seconds} s)`);
console.log(
  `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}${flaky ? ` (${flaky} passed only on a retry)` : ""}`,
);
process.exit(results.every((r) => r.ok) ? 0 : 1);

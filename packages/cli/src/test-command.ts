import { randomBytes } from "node:crypto";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { previewLabel } from "@dockyard/protocol";
import { DockerDriver, RegistryMirror } from "@dockyard/sandbox";
import {
  extractActions,
  fileBlockScript,
  interpretVerify,
  resolveEnvironment,
  type Scenario,
  type ScenarioPage,
  substituteScenario,
} from "@dockyard/scenario";
import { controlSequence } from "@dockyard/scenario/control-sequence";
import { loadEnvironmentMap, loadRepository, readAssetFiles } from "@dockyard/scenario/loader/index";
import Docker from "dockerode";
import { ScriptedTerminal } from "./scripted-terminal.ts";

export interface StepReport {
  index: number;
  title: string;
  ok: boolean;
  message: string;
  durationMs: number;
}

export interface ScenarioReport {
  path: string;
  slug: string;
  ok: boolean;
  message?: string;
  steps: StepReport[];
  durationMs: number;
}

const SCRIPT_TIMEOUT_MS = 120_000;
const BACKGROUND_WAIT_MS = 60_000;
const docker = new Docker();
// Nested Docker engines pull through the registry mirror, which holds the courses' images (dockyard images preload).
const driver = new DockerDriver({
  docker,
  instance: "cli-test",
  mirror: new RegistryMirror({
    docker,
    upstream: process.env.SANDBOX_REGISTRY_UPSTREAM ?? "https://registry-1.docker.io",
  }),
});
const live = new Set<string>();

/** Removes every sandbox this run made: on the way out, and on Ctrl+C. */
async function cleanUp(): Promise<void> {
  await Promise.all([...live].map((id) => driver.removeSession(id)));
  live.clear();
}

/** Runs a page's background script detached (as the player does) and waits a while for it to end. */
async function runBackground(sessionId: string, name: string, page: ScenarioPage): Promise<string | undefined> {
  if (!page.background) return undefined;
  const started = await driver.runBackground({ sessionId, host: "host01", name, script: page.background, env: {} });
  if (!started.ok) return started.error.message;
  const until = Date.now() + BACKGROUND_WAIT_MS;
  while (Date.now() < until) {
    const alive = await driver.runScript({
      sessionId,
      host: "host01",
      script: `kill -0 ${started.value.pid} 2>/dev/null`,
      timeoutMs: 5_000,
      env: {},
    });
    if (!alive.ok || alive.value.exitCode !== 0) return undefined;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined; // Still running: a service, as many backgrounds start. Go on.
}

async function verifyStep(sessionId: string, verify: string) {
  const run = await driver.runScript({
    sessionId,
    host: "host01",
    script: verify,
    timeoutMs: SCRIPT_TIMEOUT_MS,
    env: {},
  });
  if (!run.ok) return { passed: false, message: run.error.message };
  return interpretVerify({ script: verify, ...run.value });
}

async function testScenario(dir: string, loaded: Scenario, strict: boolean, print: (line: string) => void) {
  let scenario = loaded;
  const started = performance.now();
  const report: ScenarioReport = { path: dir, slug: scenario.slug, ok: true, steps: [], durationMs: 0 };
  const environment = resolveEnvironment(
    scenario.imageId,
    loadEnvironmentMap(process.env.ENVIRONMENTS_FILE, undefined, {
      allowed: process.env.SANDBOX_ALLOW_DOCKER === "on",
    }),
  );
  if (environment.message) print(`  note: ${environment.message}`);
  const sessionId = `t-${randomBytes(6).toString("hex")}`;
  live.add(sessionId);
  const terminals = new Map<string, ScriptedTerminal>();
  try {
    const created = await driver.createSession(
      {
        sessionId,
        userId: "dockyard-test",
        scenario: scenario.slug,
        hosts: environment.hosts,
        // SANDBOX_INTERNET=off proves a scenario needs nothing beyond its sandbox (and the registry mirror).
        internet: process.env.SANDBOX_INTERNET !== "off" && environment.internet !== false,
      },
      () => undefined,
    );
    if (!created.ok) return { ...report, ok: false, message: created.error.message };
    // Placeholders take this sandbox's values, as in the player ([[HOST_IP]], preview URLs, /etc/killercoda/host).
    const hostIps = Object.fromEntries(created.value.hosts.flatMap((h) => (h.ip ? [[h.name, h.ip]] : [])));
    const trafficUrl = (host: string, port: number) => `http://${previewLabel({ sessionId, host, port })}.localhost/`;
    scenario = substituteScenario(scenario, {
      trafficUrl,
      trafficSelectorUrl: "http://localhost/",
      sessionId,
      hostIps,
      previewDomain: "localhost",
      hostNames: environment.hosts.map((h) => h.name),
    });
    const hostFile = {
      path: "/etc/killercoda/host",
      content: Buffer.from(`http://${sessionId}-PORT.localhost\n`),
      mode: 0o644,
    };
    for (const host of environment.hosts) {
      let files: ReturnType<typeof readAssetFiles>;
      try {
        files = readAssetFiles(dir, scenario.assets, host.name);
      } catch (error) {
        return { ...report, ok: false, message: `assets: ${(error as Error).message}` };
      }
      const put = await driver.putFiles(sessionId, host.name, [hostFile, ...files]);
      if (!put.ok) return { ...report, ok: false, message: `assets: ${put.error.message}` };
    }
    const terminal = async (host: number, number: number) => {
      const key = `${host}:${number}`;
      const existing = terminals.get(key);
      if (existing) return existing;
      const opened = await ScriptedTerminal.open(driver, sessionId, `host${String(host).padStart(2, "0")}`);
      if (typeof opened === "string") throw new Error(opened);
      terminals.set(key, opened);
      return opened;
    };

    // As in the player: the page's background runs hidden, its foreground is typed into terminal 1.
    const foreground = async (page: ScenarioPage) => {
      if (page.foreground) await (await terminal(1, 1)).type(page.foreground.trimEnd(), { timeoutMs: 60_000 });
    };
    if (scenario.intro) {
      await runBackground(sessionId, "intro-background", scenario.intro);
      await foreground(scenario.intro);
    }

    for (const step of scenario.steps) {
      const stepStarted = performance.now();
      const finish = (ok: boolean, message: string) => {
        const result = {
          index: step.index,
          title: step.title,
          ok,
          message,
          durationMs: performance.now() - stepStarted,
        };
        report.steps.push(result);
        report.ok &&= ok;
        const seconds = (result.durationMs / 1000).toFixed(1);
        print(`  ${ok ? "✓" : "✗"} step ${step.index + 1} ${step.title} (${seconds} s)${ok ? "" : ` — ${message}`}`);
      };
      try {
        const backgroundProblem = await runBackground(sessionId, `step${step.index + 1}-background`, step);
        if (backgroundProblem) {
          finish(false, `background: ${backgroundProblem}`);
          continue;
        }
        await foreground(step);
        if (strict && step.verify) {
          const early = await verifyStep(sessionId, step.verify);
          if (early.passed) {
            finish(false, "verify passes before the step is done (it must fail first; --lenient skips this check)");
            continue;
          }
        }
        if (step.solve) {
          const solved = await driver.runScript({
            sessionId,
            host: "host01",
            script: step.solve,
            timeoutMs: SCRIPT_TIMEOUT_MS,
            env: {},
          });
          if (!solved.ok || solved.value.exitCode !== 0) {
            const why = solved.ok
              ? `exit ${solved.value.exitCode}: ${solved.value.stderr.trim()}`
              : solved.error.message;
            finish(false, `solve failed (${why})`);
            continue;
          }
        } else {
          const actions = extractActions(step.markdown);
          for (const [i, { action, text }] of actions.entries()) {
            if (action.kind === "file") {
              const { script, env } = fileBlockScript({ ...action, content: text }, scenario.environment.editorPath);
              const wrote = await driver.runScript({ sessionId, host: "host01", script, env, timeoutMs: 30_000 });
              if (!wrote.ok || wrote.value.exitCode !== 0) {
                throw new Error(
                  `file block ${action.filename}: ${wrote.ok ? wrote.value.stderr.trim() : wrote.error.message}`,
                );
              }
              continue;
            }
            if (action.kind !== "execute") continue;
            const t = await terminal(action.host, action.terminal);
            // A command the lesson interrupts next (`sleep 1d`, a server in the foreground) is not waited for.
            const next = actions
              .slice(i + 1)
              .find(
                (c) =>
                  c.action.kind === "execute" && c.action.terminal === action.terminal && c.action.host === action.host,
              );
            const interruptedNext = next?.action.kind === "execute" && (next.action.interrupt || next.action.ctrlSeq);
            await t.type(action.ctrlSeq ? controlSequence(text) : text, {
              interrupt: action.interrupt,
              newline: action.newline && !action.ctrlSeq,
              timeoutMs: interruptedNext ? 2_000 : 30_000,
            });
          }
        }
        if (!step.verify) {
          finish(true, "no verify");
          continue;
        }
        const verdict = await verifyStep(sessionId, step.verify);
        finish(verdict.passed, verdict.message);
      } catch (error) {
        finish(false, (error as Error).message);
      }
    }
  } finally {
    for (const t of terminals.values()) t.dispose();
    await driver.removeSession(sessionId);
    live.delete(sessionId);
    report.durationMs = performance.now() - started;
  }
  return report;
}

function junit(reports: ScenarioReport[]): string {
  const esc = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const suites = reports.map((r) => {
    const failures = r.steps.filter((s) => !s.ok).length + (r.message ? 1 : 0);
    const cases = r.steps.map(
      (s) =>
        `    <testcase classname="${esc(r.slug)}" name="${esc(`step ${s.index + 1}: ${s.title}`)}" time="${(s.durationMs / 1000).toFixed(3)}">${s.ok ? "" : `<failure message="${esc(s.message)}"/>`}</testcase>`,
    );
    if (r.message)
      cases.push(
        `    <testcase classname="${esc(r.slug)}" name="setup"><failure message="${esc(r.message)}"/></testcase>`,
      );
    return `  <testsuite name="${esc(r.slug)}" tests="${cases.length}" failures="${failures}" time="${(r.durationMs / 1000).toFixed(3)}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join("\n")}\n</testsuites>\n`;
}

/** `dockyard test <path> [--json] [--junit FILE] [--report FILE] [--lenient]`; returns the exit code. */
export async function runTest(args: string[]): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        json: { type: "boolean" };
        junit: { type: "string" };
        report: { type: "string" };
        strict: { type: "boolean" };
        lenient: { type: "boolean" };
      };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args,
      options: {
        json: { type: "boolean" },
        junit: { type: "string" },
        report: { type: "string" },
        strict: { type: "boolean" },
        lenient: { type: "boolean" },
      },
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`dockyard test: ${(error as Error).message}\n`);
    return 2;
  }
  const [target] = parsed.positionals;
  if (!target || !existsSync(target) || !statSync(target).isDirectory()) {
    process.stderr.write(
      `dockyard test: give a scenario, course or repository directory${target ? ` (${target} is not one)` : ""}\n`,
    );
    return 2;
  }
  const json = parsed.values.json === true;
  const print = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  const ping = await driver.ping();
  if (!ping.ok) {
    process.stderr.write(`dockyard test: ${ping.error.message}\n`);
    return 1;
  }
  const onSignal = () => {
    process.stderr.write("\ndockyard test: interrupted; removing sandboxes\n");
    void cleanUp().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const reports: ScenarioReport[] = [];
  try {
    const root = resolve(target);
    const repository = await loadRepository(root);
    for (const { path: where, result } of repository.scenarios) {
      const dir = join(root, where);
      const shown = relative(process.cwd(), dir) || basename(dir);
      print(shown);
      if (!result.ok) {
        const message = result.error
          .filter((i) => i.severity === "error")
          .map((i) => `${i.file}${i.field ? ` ${i.field}` : ""}: ${i.message}`)
          .join("; ");
        print(`  ✗ does not load — ${message}`);
        reports.push({ path: dir, slug: basename(dir), ok: false, message, steps: [], durationMs: 0 });
        continue;
      }
      // Each verify must fail before its step is done and pass after (--strict, the default, kept for old scripts).
      const report = await testScenario(dir, result.value, parsed.values.lenient !== true, print);
      if (report.message) print(`  ✗ ${report.message}`);
      reports.push(report);
    }
    if (repository.scenarios.length === 0) print("no scenarios found");
  } finally {
    await cleanUp();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  const steps = reports.flatMap((r) => r.steps);
  const failedSteps = steps.filter((s) => !s.ok).length;
  const failedScenarios = reports.filter((r) => !r.ok).length;
  if (parsed.values.junit) writeFileSync(parsed.values.junit, junit(reports));
  // The JSON report to a file while the progress still prints (the gateway shows it live to an instructor).
  if (parsed.values.report) {
    writeFileSync(parsed.values.report, JSON.stringify({ scenarios: reports, failedScenarios, failedSteps }));
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ scenarios: reports, failedScenarios, failedSteps }, null, 2)}\n`);
  } else {
    print(
      `\n${reports.length - failedScenarios} of ${reports.length} scenarios passed; ${steps.length - failedSteps} of ${steps.length} steps passed`,
    );
  }
  return failedScenarios > 0 ? 1 : 0;
}

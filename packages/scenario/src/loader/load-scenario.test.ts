import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { interpretVerify } from "../interpret-verify.ts";
import { renderMarkdown } from "../render-markdown.ts";
import { loadScenario } from "./load-scenario.ts";

/** Public Katacoda and Killercoda examples, copied unchanged from shared/compat (read-only). */
const COMPAT = path.resolve(import.meta.dirname, "../../fixtures/compat");
const REPO = path.resolve(import.meta.dirname, "../../../..");

function load(relative: string) {
  const result = loadScenario(path.join(COMPAT, relative));
  if (!result.ok) throw new Error(`${relative} did not load: ${JSON.stringify(result.error, null, 2)}`);
  return result.value;
}

describe("loadScenario on real Katacoda scenarios", () => {
  it("reads verified-steps: an old echo-done verify script and an answer", () => {
    const scenario = load("katacoda-examples/verified-steps");
    expect(scenario).toMatchObject({
      slug: "verified-steps",
      title: "Verifying user actions during scenario",
      imageId: "git",
      kind: "scenario",
      warnings: [],
      environment: { uiLayout: "terminal", hideIntro: true, hideFinish: true },
    });
    expect(scenario.intro).toBeUndefined();
    expect(scenario.steps.map((step) => step.title)).toEqual(["Verify", "Show Answers"]);

    const [verifyStep, answerStep] = scenario.steps;
    const script = verifyStep?.verify ?? "";
    expect(script).toContain('echo "done"');
    const base = { script, stderr: "", timedOut: false };
    expect(interpretVerify({ ...base, exitCode: 0, stdout: "" })).toMatchObject({
      passed: false,
      protocol: "echo-done",
    });
    expect(interpretVerify({ ...base, exitCode: 0, stdout: "done\n" }).passed).toBe(true);
    expect(answerStep?.answer).toMatch(/\S/);
    expect(answerStep?.verify).toBeUndefined();

    const html = renderMarkdown(verifyStep?.markdown ?? "");
    expect(html.match(/<code class="dy-action" data-action="execute"[^>]*>git init<\/code>/g)).toHaveLength(2);
  });

  it("maps the old spellings courseData and code to background and foreground", () => {
    const { intro } = load("katacoda-examples/course-data-host01-reference");
    expect(intro?.background).toBeDefined();
    expect(intro?.foreground).toBeDefined();
    expect(intro?.background).not.toBe(intro?.foreground);
  });

  it("reads a challenge with its hint scripts", () => {
    const scenario = load("katacoda-examples/challenges/challenge-hello-world");
    expect(scenario.kind).toBe("challenge");
    expect(scenario.imageId).toBe("ubuntu:2004");
    expect(scenario.steps).toHaveLength(2);
    for (const step of scenario.steps) {
      expect(step.verify).toMatch(/\S/);
      expect(step.hint).toMatch(/\S/);
    }
    expect(scenario.assets).toEqual([{ host: "client", file: "*", target: "~/" }]);
  });

  it("warns, without failing, about a notebook scenario with no title", () => {
    const scenario = load("katacoda-examples/notebooks-py");
    expect(scenario.title).toBe("notebooks-py");
    expect(scenario.warnings.map((issue) => issue.field)).toEqual(["title", "type"]);
  });
});

describe("loadScenario on real Killercoda scenarios", () => {
  it("reads verification: an exit-code verify script", () => {
    const scenario = load("killercoda-examples/verification");
    const script = scenario.steps[0]?.verify ?? "";
    expect(script).toContain("stat /etc/panda");
    const base = { script, stdout: "", stderr: "", timedOut: false };
    expect(interpretVerify({ ...base, exitCode: 0 })).toMatchObject({ passed: true, protocol: "exit-code" });
    expect(interpretVerify({ ...base, exitCode: 1 }).passed).toBe(false);
  });

  it("reads scripts of every page from subfolders", () => {
    const scenario = load("killercoda-examples/foreground-background-scripts-multi-step");
    expect(scenario.intro).toMatchObject({ title: "Intro", textFile: "intro/text.md" });
    expect(scenario.steps[1]).toMatchObject({ index: 1, title: "Step2", textFile: "step2/text.md" });
    for (const page of [scenario.intro, ...scenario.steps, scenario.finish]) {
      expect(page?.background).toMatch(/\S/);
      expect(page?.foreground).toMatch(/\S/);
    }
    for (const step of scenario.steps) expect(step.verify).toMatch(/\S/);
  });

  it("asks for the editor with interface.layout ide", () => {
    expect(load("killercoda-examples/theia-ide-visual-editor").environment.editor).toBe(true);
    expect(load("killercoda-examples/verification").environment.editor).toBe(false);
  });

  it("renders code-actions with every exec and copy block actionable", () => {
    const html = renderMarkdown(load("killercoda-examples/code-actions").steps[0]?.markdown ?? "");
    expect(html.match(/data-action="execute"/g)).toHaveLength(6);
    expect(html.match(/data-action="copy"/g)).toHaveLength(1);
    expect(html.match(/data-interrupt/g)).toHaveLength(2);
    expect(html).not.toContain("{{");
  });

  it("loads a scenario with only a backend (a playground)", () => {
    expect(load("killercoda-examples/ubuntu-simple")).toMatchObject({ steps: [], imageId: "ubuntu", warnings: [] });
  });
});

describe("loadScenario on every compat fixture", () => {
  const dirs = execFileSync("find", [COMPAT, "-name", "index.json"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((file) => path.relative(COMPAT, path.dirname(file)))
    .sort();

  it("finds the fixtures", () => {
    expect(dirs.length).toBeGreaterThanOrEqual(70);
  });

  it.each(dirs)("loads %s without errors", (dir) => {
    const scenario = load(dir);
    expect(scenario.title).not.toBe("");
    for (const page of [scenario.intro, ...scenario.steps, scenario.finish]) {
      if (page) expect(() => renderMarkdown(page.markdown)).not.toThrow();
    }
  });
});

describe("loadScenario on the bundled container-basics scenario", () => {
  const scenario = (() => {
    const result = loadScenario(path.join(REPO, "scenarios/container-basics"));
    if (!result.ok) throw new Error(JSON.stringify(result.error, null, 2));
    return result.value;
  })();

  it("has the workshop's metadata and no warnings", () => {
    expect(scenario).toMatchObject({
      slug: "container-basics",
      title: "Containers are not VMs",
      difficulty: "beginner",
      time: "10 minutes",
      imageId: "ubuntu",
      kind: "scenario",
      warnings: [],
    });
    expect(scenario.description).toMatch(/process space, network interface and root directory.*not a VM/);
    expect(scenario.intro?.markdown).toMatch(/\S/);
    expect(scenario.finish?.markdown).toMatch(/\S/);
  });

  it("gives every step runnable commands and an exit-code verify script that reports a reason", () => {
    expect(scenario.steps.length).toBeGreaterThanOrEqual(3);
    for (const step of scenario.steps) {
      const html = renderMarkdown(step.markdown);
      expect(html, step.title).toMatch(/data-action="execute"/);
      expect(html, step.title).not.toContain("{{");
      const script = step.verify ?? "";
      expect(script, step.title).toContain("set -u");
      expect(script, step.title).toContain("VERIFICATION_FAILURE_REASON");
      expect(script, step.title).toContain("FAIL: ");
      expect(interpretVerify({ script, exitCode: 0, stdout: "", stderr: "", timedOut: false }).protocol).toBe(
        "exit-code",
      );
    }
    const fenced = scenario.steps.map((step) => renderMarkdown(step.markdown)).join("");
    expect(fenced).toMatch(/<pre class="dy-action" data-action="execute"/);
  });

  it("asks for the files its verify scripts check", () => {
    const commands = scenario.steps.map((step) => step.markdown).join("\n");
    for (const file of ["/root/pid1.txt", "/root/ip.txt", "/root/hello.txt", "/root/kernel.txt"]) {
      expect(commands).toMatch(new RegExp(`> ${file}[\\x60\\n]`));
      expect(scenario.steps.some((step) => step.verify?.includes(`file=${file}`))).toBe(true);
    }
  });
});

describe("loadScenario confines reads to the scenario directory", () => {
  const root = mkdtempSync(path.join(tmpdir(), "dockyard-scenario-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("does not follow a symlink out of the directory, nor a path climbing out", () => {
    writeFileSync(path.join(root, "secret.md"), "secret");
    const dir = path.join(root, "lab");
    mkdirSync(dir);
    symlinkSync(path.join(root, "secret.md"), path.join(dir, "link.md"));
    writeFileSync(
      path.join(dir, "index.json"),
      JSON.stringify({ title: "Lab", details: { steps: [{ text: "link.md" }, { text: "../secret.md" }] } }),
    );
    const result = loadScenario(dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((issue) => [issue.field, issue.message])).toEqual([
      ["details.steps[0].text", 'File "link.md" not found'],
      ["details.steps[1].text", '"../secret.md" must be a relative path inside the scenario directory'],
    ]);
  });

  it("reports a directory without index.json", () => {
    const result = loadScenario(path.join(root, "missing"));
    expect(result).toEqual({
      ok: false,
      error: [{ file: "index.json", severity: "error", message: "No index.json in the scenario directory" }],
    });
  });
});

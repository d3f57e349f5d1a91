import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { runValidate, type ValidateReport } from "./validate-command.ts";

const COMPAT = path.resolve(import.meta.dirname, "../../scenario/fixtures/compat");

/** Runs `dockyard validate` with stdout and stderr captured. */
async function validate(...args: string[]) {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const code = await runValidate(args);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe("the bundled Docker workshop", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("validates with no errors and no warnings where the docker environment is allowed", async () => {
    vi.stubEnv("SANDBOX_ALLOW_DOCKER", "on");
    const { code, stdout } = await validate(
      "--json",
      path.resolve(import.meta.dirname, "../../../scenarios/docker-workshop"),
    );
    const report = JSON.parse(stdout) as ValidateReport;
    expect(code).toBe(0);
    expect(report.errors).toBe(0);
    expect(report.warnings).toBe(0);
    expect(report.scenarios.map((s) => s.path.split("/").at(-1))).toHaveLength(7);
    expect(report.courses[0]?.items?.map((i) => i.path.split("/").at(-1))).toEqual([
      "docker-run-containers",
      "docker-build-image",
      "docker-networks",
      "docker-node-redis",
      "docker-compose",
      "docker-security",
      "docker-swarm",
    ]);
  });
});

describe("dockyard validate", () => {
  const root = mkdtempSync(path.join(tmpdir(), "dockyard-validate-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());
  const write = (file: string, content: string | object) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  };

  write("good/index.json", { title: "Good", details: { steps: [{ text: "step1.md" }] } });
  write("good/step1.md", "# One");
  write("warned/index.json", { title: "Warned", backend: { imageid: "kubernetes-kubeadm-2nodes" } });
  write("broken/index.json", {
    title: "Broken",
    details: {
      steps: [{ text: "step1.md" }, { text: "missing.md" }],
      assets: { host01: [{ file: "*.sh", target: "~/" }] },
    },
  });
  write("broken/step1.md", "# One");
  write("broken/assets/readme.txt", "no scripts here");
  write("yaml/index.yaml", "title: x\ndetails:\n  steps:\n    - text: a.md\n     - text: b.md\n");
  mkdirSync(path.join(root, "empty"));

  it("prints a line per scenario and a summary, and exits 0 without errors", async () => {
    const good = path.join(root, "good");
    const { code, stdout, stderr } = await validate(good);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toBe(`✓ ${good} (1 step)\n1 scenario, 0 courses: 0 errors, 0 warnings\n`);
  });

  it("exits 0 with warnings only, and shows them", async () => {
    const { code, stdout } = await validate(path.join(root, "warned"));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}warn index\.json:4:5 backend\.imageid: The environment "kubernetes-kubeadm-2nodes"/m);
    expect(stdout).toMatch(/: 0 errors, 1 warning\n$/);
  });

  it("exits 1 on errors, each with file, line, column and field", async () => {
    const { code, stdout } = await validate(root);
    expect(code).toBe(1);
    const lines = stdout.split("\n");
    const broken = lines.indexOf(`✗ ${path.join(root, "broken")}`);
    expect(broken).toBeGreaterThanOrEqual(0);
    expect(lines.slice(broken + 1, broken + 3)).toEqual([
      '  error index.json:9:9 details.steps[1].text: File "missing.md" not found',
      '  error index.json:15:11 details.assets.host01[0].file: "*.sh" matches no file under assets/',
    ]);
    expect(lines).toContain(`✓ ${path.join(root, "good")} (1 step)`);
    expect(lines).toContain(`✗ ${path.join(root, "yaml")}`);
    expect(lines).toContain("  error index.yaml:5:6: Invalid YAML: All sequence items must start at the same column");
    expect(lines.at(-2)).toBe("4 scenarios, 0 courses: 3 errors, 1 warning");
  });

  it("accepts the scenario's index file as the path", async () => {
    const { code, stdout } = await validate(path.join(root, "good", "index.json"));
    expect(code).toBe(0);
    expect(stdout).toContain(`✓ ${path.join(root, "good")} (1 step)`);
  });

  it("fails when there is no scenario under the path", async () => {
    const { code, stdout } = await validate(path.join(root, "empty"));
    expect(code).toBe(1);
    expect(stdout).toContain("error .: No scenario found");
  });

  it("prints one JSON document with --json", async () => {
    const { code, stdout } = await validate("--json", root);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ValidateReport;
    expect(Object.keys(report)).toEqual(["scenarios", "courses", "issues", "errors", "warnings"]);
    expect(report).toMatchObject({ courses: [], issues: [], errors: 3, warnings: 1 });
    expect(report.scenarios.map((s) => [path.relative(root, s.path), s.ok, s.issues.length])).toEqual([
      ["broken", false, 2],
      ["good", true, 0],
      ["warned", true, 1],
      ["yaml", false, 1],
    ]);
    expect(report.scenarios[0]?.issues[0]).toEqual({
      file: "index.json",
      field: "details.steps[1].text",
      severity: "error",
      message: 'File "missing.md" not found',
      line: 9,
      column: 9,
    });
  });

  it("validates both compat repositories: every scenario and pathway, one real error in a fixture", async () => {
    const { code, stdout } = await validate(COMPAT, "--json");
    const report = JSON.parse(stdout) as ValidateReport;
    expect(report.scenarios).toHaveLength(76);
    expect(
      report.courses.map((course) => [path.relative(COMPAT, course.path), course.ok, course.items?.length]),
    ).toEqual([
      ["katacoda-examples/challenges-pathway.json", true, 4],
      ["katacoda-examples/delivering-training-pathway.json", true, 1],
      ["katacoda-examples/environment-usages-pathway.json", true, 15],
      ["katacoda-examples/training/training-example-pathway.json", true, 0],
      ["katacoda-examples/uilayouts-pathway.json", true, 9],
    ]);
    // kubernetes-challenge-1 names assets/deploy.yaml, which the example repository does not have.
    expect(report.scenarios.filter((s) => !s.ok).map((s) => path.relative(COMPAT, s.path))).toEqual([
      "katacoda-examples/challenges/kubernetes-challenge-1",
    ]);
    expect(report).toMatchObject({ errors: 1, warnings: 49 });
    expect(code).toBe(1);
  });

  it("exits 2 on usage errors, with a clear message", async () => {
    const missing = path.join(root, "nope");
    expect(await validate()).toMatchObject({ code: 2, stdout: "", stderr: expect.stringContaining("missing <path>") });
    expect(await validate(missing)).toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringContaining(`${missing} does not exist`),
    });
    expect(await validate("--bogus", root)).toMatchObject({ code: 2, stderr: expect.stringContaining("--bogus") });
    expect(await validate(root, root)).toMatchObject({ code: 2, stderr: expect.stringContaining("one path") });
    expect(await validate(path.join(root, "good", "step1.md"))).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("is not a directory"),
    });
    expect(await validate("--help")).toMatchObject({ code: 0, stdout: expect.stringContaining("dockyard validate") });
  });
});

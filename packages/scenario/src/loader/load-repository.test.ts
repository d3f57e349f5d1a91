import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRepository, type Repository } from "./load-repository.ts";

/** Public Katacoda and Killercoda examples, copied unchanged (read-only). */
const COMPAT = path.resolve(import.meta.dirname, "../../fixtures/compat");

const issuesOf = (repository: Repository) =>
  repository.scenarios.flatMap(({ path: dir, result }) =>
    (result.ok ? result.value.warnings : result.error).map((issue) => ({ dir, ...issue })),
  );

describe("loadRepository over the compat repositories", () => {
  let repository: Repository;
  let issues: ReturnType<typeof issuesOf>;
  beforeAll(async () => {
    repository = await loadRepository(COMPAT);
    issues = issuesOf(repository);
  });

  it("finds every scenario", () => {
    const expected = execFileSync("find", [COMPAT, "-name", "index.json"], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map((file) => path.relative(COMPAT, path.dirname(file)))
      .sort();
    expect(repository.scenarios.map((scenario) => scenario.path)).toEqual(expected);
    expect(repository.scenarios).toHaveLength(76);
    expect(repository.scenarios.filter((s) => s.path.startsWith("killercoda-examples/"))).toHaveLength(19);
  });

  it("parses every Katacoda pathway, resolving pathway_id entries", () => {
    expect(repository.issues).toEqual([]);
    const courses = repository.courses.map((course) => [course.file, course.title, course.items.length]);
    expect(courses).toEqual([
      ["katacoda-examples/challenges-pathway.json", "Challenges Examples", 4],
      ["katacoda-examples/delivering-training-pathway.json", "Delivering Training with Katacoda", 1],
      ["katacoda-examples/environment-usages-pathway.json", "Katacoda Environments", 15],
      ["katacoda-examples/training/training-example-pathway.json", "Training Pathway Example", 0],
      ["katacoda-examples/uilayouts-pathway.json", "Katacoda UI Layouts Example", 9],
    ]);
    const uilayouts = repository.courses.find((course) => course.file.startsWith("katacoda-examples/uilayouts"));
    expect(uilayouts?.items.at(1)?.path).toBe("katacoda-examples/uilayouts/uilayout-terminal-with-vscode");
    // "visualise-docker" comes from pathway "scenario-examples": the repository's own scenarios.
    expect(uilayouts?.items.at(-1)).toMatchObject({ path: "katacoda-examples/visualise-docker", kind: "scenario" });
    const warnings = repository.courses.flatMap((course) => course.warnings.map((w) => [course.file, w.message]));
    expect(warnings).toEqual([
      [
        "katacoda-examples/environment-usages-pathway.json",
        '"python-3-7" in katacoda-examples/environment-usages/ is not in the pathway: learners cannot reach it',
      ],
      [
        "katacoda-examples/environment-usages-pathway.json",
        '"python-3-8" in katacoda-examples/environment-usages/ is not in the pathway: learners cannot reach it',
      ],
      [
        "katacoda-examples/training/training-example-pathway.json",
        '"deploying-istio" comes from pathway "istio", which is not in this repository: not checked',
      ],
      [
        "katacoda-examples/training/training-example-pathway.json",
        '"traffic-shaping" comes from pathway "istio", which is not in this repository: not checked',
      ],
    ]);
  });

  it("reports no errors but the fixture's own missing asset", () => {
    // kubernetes-challenge-1 lists assets/deploy.yaml, which the example repository never had (its setup script
    // then fails at `kubectl apply -f /opt/deploy.yaml`): a real problem in the fixture.
    expect(issues.filter((issue) => issue.severity === "error")).toEqual([
      {
        dir: "katacoda-examples/challenges/kubernetes-challenge-1",
        file: "index.json",
        field: "details.assets.host01[2].file",
        severity: "error",
        message: '"deploy.yaml" matches no file under assets/',
        line: 30,
        column: 12,
      },
    ]);
  });

  it("warns about image ids Dockyard cannot serve, stray pages and unknown types, each with file and field", () => {
    for (const issue of issues) {
      expect(issue.file).toBe("index.json");
      expect(issue.field).toBeTruthy();
    }
    const images = issues.filter((issue) => issue.field?.startsWith("backend."));
    expect(images).toHaveLength(38);
    for (const issue of images)
      expect(issue.message).toMatch(
        /is not available here|runs here as two plain Linux hosts|needs Docker inside the sandbox/,
      );
    expect(images.map((issue) => /"([^"]+)"/.exec(issue.message)?.[1])).toContain("kubernetes-kubeadm-2nodes");
    expect(images.map((issue) => issue.dir)).not.toContain("killercoda-examples/ubuntu-simple");

    const others = issues.filter((issue) => issue.severity === "warning" && !issue.field?.startsWith("backend."));
    expect(others.map((issue) => [issue.dir, issue.field, issue.message])).toEqual([
      [
        "katacoda-examples/challenges/kubernetes-challenge-1",
        "details",
        '"finish.md" is not used by any page: learners never see it',
      ],
      ["katacoda-examples/notebooks-py", "title", 'No title: using the directory name "notebooks-py"'],
      [
        "katacoda-examples/notebooks-py",
        "type",
        'Scenario type "jupyter@0.1" is not supported: showing it as a plain scenario',
      ],
      ["katacoda-examples/notebooks-py-slim", "title", 'No title: using the directory name "notebooks-py-slim"'],
      [
        "katacoda-examples/notebooks-py-slim",
        "type",
        'Scenario type "jupyter@0.1" is not supported: showing it as a plain scenario',
      ],
      ["katacoda-examples/placeholders", "details", '"step3.md" is not used by any page: learners never see it'],
      ["killercoda-examples/use-images", "details", '"intro.md" is not used by any page: learners never see it'],
    ]);
  });
});

describe("loadRepository on a folder of its own", () => {
  const root = mkdtempSync(path.join(tmpdir(), "dockyard-repository-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, content: string | object) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  };
  const scenario = (dir: string) => {
    write(`${dir}/index.json`, { title: dir, details: { steps: [{ text: "step1.md" }] } });
    write(`${dir}/step1.md`, "# Step");
  };

  // killercoda/scenario-examples-courses, plus a YAML scenario and folders that must not be searched.
  scenario("scenario1");
  scenario("scenario2");
  scenario("course1/scenario1");
  scenario("course1/scenario2");
  scenario("course2/scenario3");
  scenario("course2/scenario4");
  scenario("course2/category1/scenarioB");
  write("structure.json", {
    items: [{ path: "scenario2" }, { path: "course1" }, { path: "course2" }, { path: "yaml-lab" }],
  });
  write("course2/structure.json", {
    title: "Course TWO",
    items: [{ path: "scenario3" }, { path: "../course1/scenario1" }, { path: "category1" }, { path: "gone" }],
  });
  write("yaml-lab/index.yaml", "title: YAML lab\ndetails:\n  steps:\n    - text: step1.md\n");
  write("yaml-lab/step1.md", "# Step");
  write("scenario1/extra/index.json", "{}");
  write("node_modules/pkg/index.json", "{}");
  write("assets/index.json", "{}");
  write(".github/index.json", "{}");
  write("broken-pathway.json", '{ "title": "Broken", "courses": [ }');

  it("finds scenarios by index.json or index.yaml, skipping node_modules, assets and hidden folders", async () => {
    const repository = await loadRepository(root);
    expect(repository.scenarios.map((s) => [s.path, s.result.ok])).toEqual([
      ["course1/scenario1", true],
      ["course1/scenario2", true],
      ["course2/category1/scenarioB", true],
      ["course2/scenario3", true],
      ["course2/scenario4", true],
      ["scenario1", true],
      ["scenario2", true],
      ["yaml-lab", true],
    ]);
    const yaml = repository.scenarios.at(-1)?.result;
    expect(yaml?.ok && yaml.value.title).toBe("YAML lab");
  });

  it("parses every structure.json, and reports a course file that does not parse", async () => {
    const repository = await loadRepository(root);
    expect(
      repository.courses.map((course) => [course.file, course.title, course.items.map((item) => item.path)]),
    ).toEqual([
      ["course2/structure.json", "Course TWO", ["course2/scenario3", "course1/scenario1", "course2/category1"]],
      ["structure.json", "", ["scenario2", "course1", "course2", "yaml-lab"]],
    ]);
    expect(repository.courses[0]?.warnings.map((issue) => issue.message)).toEqual([
      'No scenario or course at "gone": Killercoda skips it',
      '"scenario4" is not in the items: Killercoda ignores it',
    ]);
    expect(repository.issues).toEqual([
      expect.objectContaining({ file: "broken-pathway.json", severity: "error", line: 1, column: 35 }),
    ]);
  });

  it("takes a scenario folder as the one scenario, and a course folder as its scenarios", async () => {
    const single = await loadRepository(path.join(root, "yaml-lab"));
    expect(single.scenarios.map((s) => s.path)).toEqual(["."]);
    const course = await loadRepository(path.join(root, "course2"));
    expect(course.scenarios.map((s) => s.path)).toEqual(["category1/scenarioB", "scenario3", "scenario4"]);
    expect(course.courses[0]?.warnings.map((issue) => issue.message)).toContain(
      '"../course1/scenario1" is outside the folder being checked: skipped',
    );
  });

  it("reports a root it cannot read", async () => {
    const missing = await loadRepository(path.join(root, "nope"));
    expect(missing).toEqual({
      scenarios: [],
      courses: [],
      issues: [expect.objectContaining({ file: ".", severity: "error" })],
    });
  });
});

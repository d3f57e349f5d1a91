import { describe, expect, it } from "vitest";
import { defaultEnvironmentMap } from "./environments.ts";
import { parseScenario } from "./parse-scenario.ts";
import type { ListFiles, ReadFile } from "./scenario.ts";

/** A scenario directory in memory; `index` may be an object (serialised) or raw text. */
function dir(files: Record<string, string | object>): ReadFile {
  return (path) => {
    const file = files[path];
    return file === undefined ? undefined : typeof file === "string" ? file : JSON.stringify(file, null, 2);
  };
}

function errorsOf(result: ReturnType<typeof parseScenario>) {
  if (result.ok) throw new Error("expected the parse to fail");
  return result.error.filter((issue) => issue.severity === "error");
}

function scenarioOf(result: ReturnType<typeof parseScenario>) {
  if (!result.ok) throw new Error(`expected the parse to succeed: ${JSON.stringify(result.error)}`);
  return result.value;
}

describe("parseScenario", () => {
  it("reads pages, scripts and defaults into one model", () => {
    const scenario = scenarioOf(
      parseScenario(
        "demo",
        dir({
          "index.json": {
            title: " Demo ",
            details: {
              intro: { text: "intro.md", courseData: "setup.sh", code: "fg.sh" },
              steps: [
                { text: "./steps/one.md", verify: "steps/verify.sh", solve: "steps/solve.sh" },
                { title: "Two", text: "steps/two.md", answer: "steps/answer.md" },
              ],
              finish: { text: "finish.md" },
            },
          },
          "intro.md": "# Hi\r\n",
          "setup.sh": "touch /tmp/ready",
          "fg.sh": "cd /root",
          "steps/one.md": "one",
          "steps/verify.sh": "exit 0",
          "steps/solve.sh": "true",
          "steps/two.md": "two",
          "steps/answer.md": "the answer",
          "finish.md": "bye",
        }),
      ),
    );
    expect(scenario).toMatchObject({
      slug: "demo",
      title: "Demo",
      description: "",
      difficulty: "",
      time: "",
      kind: "scenario",
      imageId: "ubuntu",
      intro: { title: "Introduction", markdown: "# Hi\n", background: "touch /tmp/ready", foreground: "cd /root" },
      finish: { title: "Finish", markdown: "bye", textFile: "finish.md" },
      warnings: [],
    });
    expect(scenario.steps).toEqual([
      { index: 0, title: "Step 1", markdown: "one", textFile: "steps/one.md", verify: "exit 0", solve: "true" },
      { index: 1, title: "Two", markdown: "two", textFile: "steps/two.md", answer: "the answer" },
    ]);
  });

  it("takes the image from backend.imageid, then the old dockerimage key", () => {
    const image = (backend: object) =>
      scenarioOf(parseScenario("s", dir({ "index.json": { title: "t", backend } }))).imageId;
    expect(image({ imageid: "docker", dockerimage: "old" })).toBe("docker");
    expect(image({ dockerimage: "kubernetes-cluster:1.18" })).toBe("kubernetes-cluster:1.18");
    expect(image({})).toBe("ubuntu");
  });

  it("marks challenges and reads their hint scripts", () => {
    const scenario = scenarioOf(
      parseScenario(
        "c",
        dir({
          "index.json": { type: "challenge@0.8", title: "C", details: { steps: [{ text: "t.md", hint: "h.sh" }] } },
          "t.md": "task",
          "h.sh": 'echo "try harder after $1 seconds"',
        }),
      ),
    );
    expect(scenario.kind).toBe("challenge");
    expect(scenario.steps[0]?.hint).toContain("$1");
  });

  it("reports bad JSON with line and column", () => {
    const text =
      '{\n  "title": "x",\n  "details": {\n    "steps": [\n      { "text": "a.md" }\n      { "text": "b.md" }\n';
    const [issue, ...rest] = errorsOf(parseScenario("s", dir({ "index.json": text })));
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ file: "index.json", severity: "error", line: 6, column: 7 });
    expect(issue?.message).toMatch(/^Invalid JSON: .*expected "," or "\]"/);
  });

  it("points a trailing comma at the comma", () => {
    const [issue] = errorsOf(parseScenario("s", dir({ "index.json": '{\n  "title": "x",\n}' })));
    expect(issue).toMatchObject({ line: 2, column: 15, message: 'Invalid JSON: Trailing comma before "}"' });
  });

  it("reports a missing step text file with file and field, and keeps looking", () => {
    const errors = errorsOf(
      parseScenario(
        "s",
        dir({
          "index.json": {
            title: "x",
            details: { steps: [{ text: "1.md" }, { text: "2.md" }, { text: "3.md", verify: "v.sh" }] },
          },
          "1.md": "",
          "2.md": "",
        }),
      ),
    );
    expect(errors).toEqual([
      expect.objectContaining({ file: "index.json", field: "details.steps[2].text", message: 'File "3.md" not found' }),
      expect.objectContaining({
        file: "index.json",
        field: "details.steps[2].verify",
        message: 'File "v.sh" not found',
      }),
    ]);
    expect(errors[0]?.line).toBeGreaterThan(1);
  });

  it("warns about unknown fields without failing", () => {
    const result = parseScenario(
      "s",
      dir({
        "index.json": { title: "x", colour: "blue", noindex: true, details: { steps: [{ text: "a.md", when: 1 }] } },
        "a.md": "",
      }),
    );
    expect(scenarioOf(result).warnings).toEqual([
      expect.objectContaining({ severity: "warning", field: "colour", message: 'Unknown field "colour" is ignored' }),
      expect.objectContaining({ severity: "warning", field: "details.steps[0].when" }),
    ]);
  });

  it("reports wrong types with their field", () => {
    const errors = errorsOf(
      parseScenario("s", dir({ "index.json": { title: 3, details: { steps: [{ text: ["a.md"] }] } } })),
    );
    expect(errors.map((issue) => issue.field)).toEqual(["title", "details.steps[0].text"]);
    expect(errors[0]).toMatchObject({ file: "index.json", line: 2, column: 3 });
  });

  it("rejects paths that leave the scenario directory without reading them", () => {
    const read: string[] = [];
    const files = dir({
      "index.json": { title: "x", details: { steps: [{ text: "../secret.md" }, { text: "/etc/passwd" }] } },
    });
    const errors = errorsOf(
      parseScenario("s", (path) => {
        read.push(path);
        return files(path);
      }),
    );
    expect(errors.map((issue) => issue.field)).toEqual(["details.steps[0].text", "details.steps[1].text"]);
    expect(errors[0]?.message).toMatch(/inside the scenario directory/);
    expect(read.filter((path) => path.includes("secret") || path.includes("passwd"))).toEqual([]);
  });

  it("reports a directory without an index", () => {
    expect(errorsOf(parseScenario("s", dir({})))).toEqual([
      { file: "index.json", severity: "error", message: "No index.json in the scenario directory" },
    ]);
  });

  it("falls back to the slug without a title, and warns", () => {
    const scenario = scenarioOf(parseScenario("my-lab", dir({ "index.json": { backend: { imageid: "bash" } } })));
    expect(scenario.title).toBe("my-lab");
    expect(scenario.warnings).toEqual([expect.objectContaining({ field: "title", severity: "warning" })]);
  });

  it("reads the environment and interface", () => {
    const scenario = scenarioOf(
      parseScenario(
        "s",
        dir({
          "index.json": {
            title: "x",
            environment: {
              uilayout: "terminal-iframe",
              hideintro: "true",
              terminals: [{ name: "Stats", command: "docker stats", target: "host01" }],
              dashboards: [
                { name: "Web", port: "8080" },
                { name: "Docs", href: "https://example.com" },
              ],
            },
            interface: { layout: "ide" },
          },
        }),
      ),
    );
    expect(scenario.environment).toEqual({
      uiLayout: "terminal-iframe",
      editor: true,
      editorPath: "/root",
      hideIntro: true,
      hideFinish: false,
      terminals: [{ name: "Stats", command: "docker stats", target: "host01" }],
      dashboards: [
        { name: "Web", port: 8080 },
        { name: "Docs", href: "https://example.com" },
      ],
    });
  });
});

describe("parseScenario with index.yaml", () => {
  const files = {
    "intro.md": "# Hi",
    "one.md": "one",
    "verify.sh": "test -f /tmp/x",
    "finish.md": "bye",
  };
  const index = {
    title: "Demo",
    description: "A demo",
    difficulty: "easy",
    time: "5 minutes",
    details: {
      intro: { text: "intro.md", courseData: "verify.sh" },
      steps: [{ title: "One", text: "one.md", verify: "verify.sh" }],
      finish: { text: "finish.md" },
      assets: { host01: [{ file: "*.sh", target: "~/", chmod: "+x" }] },
    },
    environment: { uilayout: "editor-terminal", hideintro: "true", dashboards: [{ name: "Web", port: 80 }] },
    backend: { imageid: "docker" },
  };
  const yaml = `# Katacoda allowed YAML
title: Demo
description: A demo
difficulty: easy
time: 5 minutes
details:
  intro:
    text: intro.md
    courseData: verify.sh
  steps:
    - title: One
      text: one.md
      verify: verify.sh
  finish:
    text: finish.md
  assets:
    host01:
      - file: "*.sh"
        target: ~/
        chmod: +x
environment:
  uilayout: editor-terminal
  hideintro: "true"
  dashboards:
    - { name: Web, port: 80 }
backend:
  imageid: docker
`;

  it("reads into the same model as the equivalent index.json", () => {
    const fromJson = scenarioOf(parseScenario("s", dir({ ...files, "index.json": index })));
    const fromYaml = scenarioOf(parseScenario("s", dir({ ...files, "index.yaml": yaml })));
    expect(fromYaml).toEqual(fromJson);
    expect(fromYaml).toMatchObject({
      title: "Demo",
      imageId: "docker",
      environment: { editor: true, hideIntro: true },
    });
    expect(fromYaml.steps[0]).toMatchObject({ title: "One", markdown: "one", verify: "test -f /tmp/x" });
  });

  it("also reads index.yml", () => {
    expect(scenarioOf(parseScenario("s", dir({ ...files, "index.yml": yaml }))).title).toBe("Demo");
  });

  it("reports a YAML syntax error with line and column", () => {
    const text = "title: x\ndetails:\n  steps:\n    - text: a.md\n     - text: b.md\n";
    expect(errorsOf(parseScenario("s", dir({ "index.yaml": text })))).toEqual([
      {
        file: "index.yaml",
        severity: "error",
        message: "Invalid YAML: All sequence items must start at the same column",
        line: 5,
        column: 6,
      },
    ]);
    const [duplicate] = errorsOf(parseScenario("s", dir({ "index.yaml": "title: a\ntitle: b\n" })));
    expect(duplicate).toMatchObject({ file: "index.yaml", line: 2, column: 1 });
    expect(duplicate?.message).toMatch(/^Invalid YAML: .*unique/);
  });

  it("locates schema errors and missing files in the YAML", () => {
    const text = "title: x\ndetails:\n  steps:\n    - text: a.md\n    - text: [b.md]\n    - text: c.md\n";
    const errors = errorsOf(parseScenario("s", dir({ "index.yaml": text, "a.md": "" })));
    expect(errors).toEqual([
      expect.objectContaining({ file: "index.yaml", field: "details.steps[1].text", line: 5, column: 7 }),
    ]);
    const missing = errorsOf(parseScenario("s", dir({ "index.yaml": text.replace("[b.md]", "b.md"), "a.md": "" })));
    expect(missing.map((issue) => [issue.field, issue.line, issue.column, issue.message])).toEqual([
      ["details.steps[1].text", 5, 7, 'File "b.md" not found'],
      ["details.steps[2].text", 6, 7, 'File "c.md" not found'],
    ]);
  });

  it("prefers index.json when both exist, and warns", () => {
    const scenario = scenarioOf(
      parseScenario("s", dir({ "index.json": { title: "JSON" }, "index.yaml": "title: YAML" })),
    );
    expect(scenario.title).toBe("JSON");
    expect(scenario.warnings).toEqual([
      { file: "index.yaml", severity: "warning", message: "Both index.json and index.yaml exist: using index.json" },
    ]);
  });

  it("rejects a YAML file that is not a mapping", () => {
    expect(errorsOf(parseScenario("s", dir({ "index.yaml": "- a\n- b\n" })))[0]?.file).toBe("index.yaml");
  });
});

describe("parseScenario checks for dockyard validate", () => {
  /** Lists `files` like a directory: everything under `relativeDir`, relative to it. */
  const lister =
    (files: Record<string, unknown>): ListFiles =>
    (relativeDir) => {
      const prefix = relativeDir === "." ? "" : `${relativeDir}/`;
      const under = Object.keys(files).filter((file) => file.startsWith(prefix));
      return under.length > 0 ? under.map((file) => file.slice(prefix.length)) : undefined;
    };
  const parseWith = (files: Record<string, string | object>, options: Parameters<typeof parseScenario>[2]) =>
    parseScenario("s", dir(files), options);

  const withAssets = (assets: object, extra: Record<string, string> = {}) => ({
    "index.json": { title: "x", details: { assets } },
    "assets/run.sh": "echo hi",
    "assets/app/config.json": "{}",
    ...extra,
  });

  it("reports an asset glob that matches no file under assets/, with its position", () => {
    const files = withAssets({
      host01: [
        { file: "run.sh", target: "~/" },
        { file: "**/*.json", target: "/etc" },
        { file: "*.yaml", target: "/etc" },
      ],
      host02: [{ file: "app/missing.txt", target: "/" }],
    });
    const errors = errorsOf(parseWith(files, { list: lister(files) }));
    expect(errors.map((issue) => [issue.field, issue.message])).toEqual([
      ["details.assets.host01[2].file", '"*.yaml" matches no file under assets/'],
      ["details.assets.host02[0].file", '"app/missing.txt" matches no file under assets/'],
    ]);
    expect(errors[0]).toMatchObject({ file: "index.json", line: expect.any(Number), column: expect.any(Number) });
    // Without a listing the parser cannot tell, and stays quiet.
    expect(parseWith(files, {}).ok).toBe(true);
  });

  it("reports every asset as unmatched when there is no assets/ folder", () => {
    const files = { "index.json": { title: "x", details: { assets: { host01: [{ file: "*", target: "~/" }] } } } };
    expect(errorsOf(parseWith(files, { list: lister(files) }))[0]?.message).toBe('"*" matches no file under assets/');
  });

  it("reports an asset path climbing out of assets/", () => {
    const files = withAssets({
      host01: [
        { file: "../index.json", target: "~/" },
        { file: "a/../../x", target: "~/" },
      ],
    });
    const errors = errorsOf(parseWith(files, { list: lister(files) }));
    expect(errors.map((issue) => [issue.field, issue.message])).toEqual([
      ["details.assets.host01[0].file", '"../index.json" must be a path inside assets/'],
      ["details.assets.host01[1].file", '"a/../../x" must be a path inside assets/'],
    ]);
  });

  it("warns about an image id the environment map cannot serve, with the map's message", () => {
    const image = (backend: object) =>
      scenarioOf(parseWith({ "index.json": { title: "x", backend } }, { environments: defaultEnvironmentMap() }))
        .warnings;
    const [warning, ...rest] = image({ imageid: "kubernetes-kubeadm-2nodes" });
    expect(rest).toEqual([]);
    expect(warning).toMatchObject({ file: "index.json", field: "backend.imageid", severity: "warning", line: 4 });
    expect(warning?.message).toMatch(/"kubernetes-kubeadm-2nodes" runs here as two plain Linux hosts/);
    expect(image({ dockerimage: "docker-swarm" })[0]?.field).toBe("backend.dockerimage");
    expect(image({ imageid: "ubuntu:2004" })).toEqual([]);
    expect(image({})).toEqual([]);
    // The check is opt-in: the web app loads scenarios without it.
    expect(
      scenarioOf(parseWith({ "index.json": { title: "x", backend: { imageid: "minikube" } } }, {})).warnings,
    ).toEqual([]);
  });

  it("warns about a step file no page uses, and a page shown twice", () => {
    const files = {
      "index.json": {
        title: "x",
        details: { steps: [{ text: "step1.md" }, { text: "step2/text.md" }, { text: "step1.md" }] },
      },
      "step1.md": "one",
      "step2/text.md": "two",
      "step3.md": "three",
      "step4/text.md": "four",
      "notes.md": "not a page",
    };
    const warnings = scenarioOf(parseWith(files, { list: lister(files) })).warnings;
    expect(warnings.map((issue) => [issue.field, issue.message])).toEqual([
      ["details.steps[2].text", "Same text file as details.steps[0]"],
      ["details", '"step3.md" is not used by any page: learners never see it'],
      ["details", '"step4/text.md" is not used by any page: learners never see it'],
    ]);
  });
});

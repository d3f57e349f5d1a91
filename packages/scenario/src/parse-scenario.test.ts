import { describe, expect, it } from "vitest";
import { parseScenario } from "./parse-scenario.ts";
import type { ReadFile } from "./scenario.ts";

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

  it("says index.yaml is not supported yet when it is the only index", () => {
    expect(errorsOf(parseScenario("s", dir({ "index.yaml": "title: x" })))).toEqual([
      { file: "index.yaml", severity: "error", message: "index.yaml is not supported yet: convert it to index.json" },
    ]);
    expect(errorsOf(parseScenario("s", dir({})))[0]?.message).toBe("No index.json in the scenario directory");
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

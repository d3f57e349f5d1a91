import { describe, expect, it } from "vitest";
import { parseCourse } from "./parse-course.ts";
import type { ReadFile } from "./scenario.ts";

/** Files of a repository in memory, relative to its root; objects are serialised as JSON. */
function repo(files: Record<string, string | object>): ReadFile {
  return (path) => {
    const file = files[path];
    return file === undefined ? undefined : typeof file === "string" ? file : JSON.stringify(file, null, 2);
  };
}

function courseOf(result: ReturnType<typeof parseCourse>) {
  if (!result.ok) throw new Error(`expected the course to load: ${JSON.stringify(result.error)}`);
  return result.value;
}

function errorsOf(result: ReturnType<typeof parseCourse>) {
  if (result.ok) throw new Error("expected the course to fail");
  return result.error.filter((issue) => issue.severity === "error");
}

describe("parseCourse on a Katacoda pathway", () => {
  const scenarios = ["k8s/basics", "k8s/pods", "k8s/extra", "intro", "other/shared"];
  const pathway = {
    title: "Kubernetes",
    description: "From zero ",
    courses: [
      { course_id: "basics", title: "Basics", description: "Start here" },
      { course_id: "pods", title: "" },
      { course_id: "intro", pathway_id: "scenario-examples", title: "Borrowed from the root" },
      { course_id: "shared", pathway_id: "other" },
      { course_id: "istio", pathway_id: "istio" },
    ],
  };

  it("resolves each course_id under <course>/, and pathway_id from elsewhere", () => {
    const course = courseOf(
      parseCourse("k8s-pathway.json", { read: repo({ "k8s-pathway.json": pathway }), scenarios }),
    );
    expect(course).toMatchObject({
      file: "k8s-pathway.json",
      format: "katacoda-pathway",
      dir: "k8s",
      title: "Kubernetes",
      description: "From zero",
    });
    expect(course.items).toEqual([
      { path: "k8s/basics", kind: "scenario", title: "Basics", description: "Start here" },
      { path: "k8s/pods", kind: "scenario" },
      { path: "intro", kind: "scenario", title: "Borrowed from the root" },
      { path: "other/shared", kind: "scenario" },
    ]);
    expect(course.warnings.map((issue) => [issue.field, issue.line, issue.message])).toEqual([
      ["courses[4].course_id", 24, '"istio" comes from pathway "istio", which is not in this repository: not checked'],
      ["courses", 4, '"extra" in k8s/ is not in the pathway: learners cannot reach it'],
    ]);
    expect(course.warnings[0]).toMatchObject({ file: "k8s-pathway.json", severity: "warning", column: 7 });
  });

  it("reads a pathway in a subfolder relative to that folder", () => {
    const files = { "tracks/k8s-pathway.json": { title: "K", courses: [{ course_id: "basics" }] } };
    const course = courseOf(
      parseCourse("tracks/k8s-pathway.json", { read: repo(files), scenarios: ["tracks/k8s/basics"] }),
    );
    expect(course.dir).toBe("tracks/k8s");
    expect(course.items).toEqual([{ path: "tracks/k8s/basics", kind: "scenario" }]);
  });

  it("fails on a course_id with no scenario, at its line and column", () => {
    const files = { "k8s-pathway.json": { title: "K", courses: [{ course_id: "basics" }, { course_id: "nope" }] } };
    expect(errorsOf(parseCourse("k8s-pathway.json", { read: repo(files), scenarios }))).toEqual([
      {
        file: "k8s-pathway.json",
        field: "courses[1].course_id",
        severity: "error",
        message: 'No scenario "nope" in k8s/',
        line: 8,
        column: 7,
      },
    ]);
  });

  it("warns about a missing title and a scenario listed twice", () => {
    const files = { "k8s-pathway.json": { courses: [{ course_id: "basics" }, { course_id: "basics" }] } };
    const course = courseOf(parseCourse("k8s-pathway.json", { read: repo(files), scenarios: ["k8s/basics"] }));
    expect(course.title).toBe("k8s");
    expect(course.warnings.map((issue) => [issue.field, issue.message])).toEqual([
      ["title", 'No title: using the course name "k8s"'],
      ["courses[1].course_id", '"k8s/basics" is listed twice'],
    ]);
  });

  it("reports bad JSON with line and column, and wrong shapes with their field", () => {
    const bad = parseCourse("k8s-pathway.json", {
      read: repo({ "k8s-pathway.json": '{\n  "title": "K",,\n}' }),
      scenarios,
    });
    expect(errorsOf(bad)).toEqual([
      expect.objectContaining({
        file: "k8s-pathway.json",
        line: 2,
        column: 16,
        message: expect.stringMatching(/^Invalid JSON/),
      }),
    ]);
    const shape = parseCourse("k8s-pathway.json", {
      read: repo({ "k8s-pathway.json": { title: "K", courses: [{ id: "basics" }] } }),
      scenarios,
    });
    expect(errorsOf(shape).map((issue) => [issue.field, issue.line])).toEqual([["courses[0].course_id", undefined]]);
  });

  it("refuses files that are not courses, such as Katacoda's profile-pathway.json", () => {
    const files = { "profile-pathway.json": { courses: [{ id: "k8s" }] } };
    expect(errorsOf(parseCourse("profile-pathway.json", { read: repo(files), scenarios }))[0]?.message).toMatch(
      /Not a course file/,
    );
  });
});

describe("parseCourse on a Killercoda structure.json", () => {
  // The layout of killercoda/scenario-examples-courses.
  const scenarios = [
    "course1/scenario1",
    "course1/scenario2",
    "course2/category1/scenarioB",
    "course2/scenario3",
    "course2/scenario4",
    "scenario1",
    "scenario2",
  ];
  const files = {
    "structure.json": {
      items: [{ path: "scenario2" }, { path: "course1", title: "Override title of course ONE" }, { path: "course2" }],
    },
    "course2/structure.json": {
      title: "Course TWO",
      description: "The second course",
      items: [
        { path: "scenario3" },
        { path: "./scenario4" },
        { path: "../course1/scenario1" },
        { path: "../course1/scenario2", title: "New title", description: "Borrowed" },
        { path: "gone" },
        { path: "../../outside" },
      ],
    },
  };

  it("lists scenarios and course folders in order, and warns about what Killercoda ignores", () => {
    const course = courseOf(parseCourse("structure.json", { read: repo(files), scenarios }));
    expect(course).toMatchObject({ format: "killercoda-structure", dir: "", title: "", description: "" });
    expect(course.items).toEqual([
      { path: "scenario2", kind: "scenario" },
      { path: "course1", kind: "course", title: "Override title of course ONE" },
      { path: "course2", kind: "course" },
    ]);
    expect(course.warnings.map((issue) => [issue.field, issue.message])).toEqual([
      ["items", '"scenario1" is not in the items: Killercoda ignores it'],
    ]);
  });

  it("resolves paths from the file's folder, and skips entries that do not exist, with a warning", () => {
    const course = courseOf(parseCourse("course2/structure.json", { read: repo(files), scenarios }));
    expect(course).toMatchObject({ dir: "course2", title: "Course TWO", description: "The second course" });
    expect(course.items).toEqual([
      { path: "course2/scenario3", kind: "scenario" },
      { path: "course2/scenario4", kind: "scenario" },
      { path: "course1/scenario1", kind: "scenario" },
      { path: "course1/scenario2", kind: "scenario", title: "New title", description: "Borrowed" },
    ]);
    expect(course.warnings.map((issue) => [issue.field, issue.line, issue.message])).toEqual([
      ["items[4].path", 20, 'No scenario or course at "gone": Killercoda skips it'],
      ["items[5].path", 23, '"../../outside" is outside the folder being checked: skipped'],
      ["items", 4, '"category1" is not in the items: Killercoda ignores it'],
    ]);
  });

  it("takes the folder name as the title when there is none", () => {
    const read = repo({ "course1/structure.json": { items: [{ path: "scenario1" }, { path: "scenario2" }] } });
    const course = courseOf(parseCourse("course1/structure.json", { read, scenarios }));
    expect(course.title).toBe("course1");
    expect(course.warnings).toEqual([]);
  });

  it("fails without items", () => {
    const read = repo({ "structure.json": { title: "T" } });
    expect(errorsOf(parseCourse("structure.json", { read, scenarios })).map((issue) => issue.field)).toEqual(["items"]);
  });
});

import type { Course, CourseItem } from "./course.ts";
import { courseFormatOf } from "./course-format-of.ts";
import { katacodaPathwaySchema, killercodaStructureSchema } from "./course-json-schema.ts";
import { formatFieldPath } from "./format-field-path.ts";
import { parseDataFile } from "./parse-data-file.ts";
import { resolveScenarioPath } from "./resolve-scenario-path.ts";
import type { ReadFile } from "./scenario.ts";
import type { ScenarioIssue } from "./scenario-issue.ts";

export type ParseCourseResult = { ok: true; value: Course } | { ok: false; error: ScenarioIssue[] };

export interface CourseContext {
  /** Reads files relative to the repository root. */
  read: ReadFile;
  /** Every scenario directory in the repository, relative to the root and `/`-separated. */
  scenarios: readonly string[];
}

/**
 * Parses a course file, named relative to the repository root: a Katacoda `<course>-pathway.json` or a Killercoda
 * `structure.json`. Entries are checked against `context.scenarios`; issues name the file relative to the root.
 */
export function parseCourse(file: string, context: CourseContext): ParseCourseResult {
  const format = courseFormatOf(file);
  const text = context.read(file);
  if (!format || text === undefined) {
    const message = format ? "File not found" : "Not a course file (<course>-pathway.json or structure.json)";
    return { ok: false, error: [{ file, severity: "error", message }] };
  }
  const data = parseDataFile(file, text);
  if (!data.ok) return { ok: false, error: [data.error] };

  const issues: ScenarioIssue[] = [];
  const report = (severity: ScenarioIssue["severity"], field: string, message: string) => {
    issues.push({ file, field, message, severity, ...data.at(field) });
  };
  const schemaErrors = (zodIssues: readonly { path: PropertyKey[]; message: string }[]): ParseCourseResult => {
    for (const issue of zodIssues) {
      const field = formatFieldPath(issue.path);
      issues.push({ file, severity: "error", message: issue.message, ...(field ? { field, ...data.at(field) } : {}) });
    }
    return { ok: false, error: issues };
  };

  const scenarios = new Set(context.scenarios);
  const kindOf = (dir: string | undefined): CourseItem["kind"] | undefined => {
    if (dir === undefined) return undefined;
    if (scenarios.has(dir)) return "scenario";
    return context.scenarios.some((scenario) => scenario.startsWith(`${dir}/`)) ? "course" : undefined;
  };
  const base = parentOf(file);
  const items: CourseItem[] = [];
  const add = (item: CourseItem, field: string) => {
    if (items.some((other) => other.path === item.path)) report("warning", field, `"${item.path}" is listed twice`);
    items.push(item);
  };

  let dir: string;
  let title: string | undefined;
  let description: string | undefined;
  if (format === "katacoda-pathway") {
    const parsed = katacodaPathwaySchema.safeParse(data.value);
    if (!parsed.success) return schemaErrors(parsed.error.issues);
    const pathway = parsed.data;
    const name = file.slice(base.length === 0 ? 0 : base.length + 1, -"-pathway.json".length);
    dir = join(base, name);
    ({ title, description } = pathway);
    if (!title?.trim()) {
      report("warning", "title", `No title: using the course name "${name}"`);
      title = name;
    }
    pathway.courses.forEach((entry, i) => {
      const field = `courses[${i}].course_id`;
      const candidates = [join(dir, entry.course_id)];
      // pathway_id borrows a scenario from another course folder, or from the repository's own scenarios.
      if (entry.pathway_id) {
        candidates.push(join(base, `${entry.pathway_id}/${entry.course_id}`), join(base, entry.course_id));
      }
      const path = candidates.map(resolveScenarioPath).find((candidate) => kindOf(candidate) === "scenario");
      if (path) add({ path, kind: "scenario", ...overrides(entry) }, field);
      else if (entry.pathway_id) {
        report(
          "warning",
          field,
          `"${entry.course_id}" comes from pathway "${entry.pathway_id}", which is not in this repository: not checked`,
        );
      } else report("error", field, `No scenario "${entry.course_id}" in ${dir}/`);
    });
    for (const child of childrenOf(dir, context.scenarios)) {
      const path = join(dir, child);
      if (scenarios.has(path) && !items.some((item) => item.path === path)) {
        report("warning", "courses", `"${child}" in ${dir}/ is not in the pathway: learners cannot reach it`);
      }
    }
  } else {
    const parsed = killercodaStructureSchema.safeParse(data.value);
    if (!parsed.success) return schemaErrors(parsed.error.issues);
    const structure = parsed.data;
    dir = base;
    ({ title, description } = structure);
    if (!title?.trim()) title = dir.slice(dir.lastIndexOf("/") + 1);
    structure.items.forEach((entry, i) => {
      const field = `items[${i}].path`;
      const path = resolveScenarioPath(join(dir, entry.path));
      const kind = kindOf(path);
      if (path && kind) add({ path, kind, ...overrides(entry) }, field);
      else if (!path) report("warning", field, `"${entry.path}" is outside the folder being checked: skipped`);
      else report("warning", field, `No scenario or course at "${entry.path}": Killercoda skips it`);
    });
    for (const child of childrenOf(dir, context.scenarios)) {
      const path = join(dir, child);
      if (!items.some((item) => item.path === path)) {
        report("warning", "items", `"${child}" is not in the items: Killercoda ignores it`);
      }
    }
  }

  if (issues.some((issue) => issue.severity === "error")) return { ok: false, error: issues };
  return {
    ok: true,
    value: { file, format, dir, title: title.trim(), description: description?.trim() ?? "", items, warnings: issues },
  };
}

function overrides(entry: { title?: string | undefined; description?: string | undefined }) {
  return {
    ...(entry.title?.trim() ? { title: entry.title.trim() } : {}),
    ...(entry.description?.trim() ? { description: entry.description.trim() } : {}),
  };
}

/** `a/b/file.json` -> `a/b`; `file.json` -> `""`. */
function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Joins `/`-separated paths, where `""` is the root. Callers normalise with `resolveScenarioPath`. */
function join(dir: string, path: string): string {
  return dir === "" ? path : `${dir}/${path}`;
}

/** Names of the folders directly under `dir` that are, or hold, scenarios. */
function childrenOf(dir: string, scenarios: readonly string[]): string[] {
  const prefix = dir === "" ? "" : `${dir}/`;
  const children = new Set<string>();
  for (const scenario of scenarios) {
    if (scenario.startsWith(prefix) && scenario.length > prefix.length) {
      children.add(scenario.slice(prefix.length).split("/")[0] ?? "");
    }
  }
  return [...children].sort();
}

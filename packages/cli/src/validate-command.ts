import { stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { courseFormatOf, type ScenarioIssue } from "@dockyard/scenario";
import { loadEnvironmentMap, loadRepository, type Repository } from "@dockyard/scenario/loader/index";

const USAGE = `usage: dockyard validate <path> [--json]

Checks a scenario, a course or a repository of them: every problem with file and field.
  --json   print one JSON document instead of text
Exit status: 0 without errors, 1 with errors, 2 for a usage error.
`;

const INDEX_FILES = new Set(["index.json", "index.yaml", "index.yml"]);

/** The `--json` document. Paths start with the path given on the command line. */
export interface ValidateReport {
  scenarios: { path: string; ok: boolean; title?: string; steps?: number; issues: ScenarioIssue[] }[];
  /** Course files; each issue's `file` is the course file's name. */
  courses: {
    path: string;
    ok: boolean;
    title?: string;
    items?: { path: string; kind: "scenario" | "course" }[];
    issues: ScenarioIssue[];
  }[];
  /** Problems outside any scenario or course: unreadable folders, nothing found. `file` is relative to the path. */
  issues: ScenarioIssue[];
  errors: number;
  warnings: number;
}

/** `dockyard validate <path> [--json]`: returns the exit code. */
export async function runValidate(args: string[]): Promise<number> {
  const usage = (message: string) => {
    process.stderr.write(`dockyard validate: ${message}\n\n${USAGE}`);
    return 2;
  };
  let values: { json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    }));
  } catch (caught) {
    return usage(caught instanceof Error ? caught.message : String(caught));
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [target, ...extra] = positionals;
  if (target === undefined) return usage("missing <path>");
  if (extra.length > 0) return usage(`expected one path, got ${positionals.length}`);

  let dir = target;
  try {
    const stats = await stat(target);
    if (!stats.isDirectory()) {
      // An author may point at the scenario's index file itself.
      if (!INDEX_FILES.has(path.basename(target))) return usage(`${target} is not a directory`);
      dir = path.dirname(target);
    }
  } catch {
    return usage(`${target} does not exist`);
  }

  const report = buildReport(
    dir,
    await loadRepository(dir, {
      environments: loadEnvironmentMap(process.env.ENVIRONMENTS_FILE, undefined, {
        allowed: process.env.SANDBOX_ALLOW_DOCKER === "on",
      }),
    }),
  );
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.errors > 0 ? 1 : 0;
}

function buildReport(dir: string, repository: Repository): ValidateReport {
  const show = (relative: string) => (relative === "." ? dir : path.join(dir, relative));
  const report: ValidateReport = { scenarios: [], courses: [], issues: [], errors: 0, warnings: 0 };

  for (const { path: scenarioPath, result } of repository.scenarios) {
    report.scenarios.push(
      result.ok
        ? {
            path: show(scenarioPath),
            ok: true,
            title: result.value.title,
            steps: result.value.steps.length,
            issues: result.value.warnings,
          }
        : { path: show(scenarioPath), ok: false, issues: result.error },
    );
  }

  const asCourseIssue = (issue: ScenarioIssue) => ({ ...issue, file: path.posix.basename(issue.file) });
  for (const course of repository.courses) {
    report.courses.push({
      path: show(course.file),
      ok: true,
      title: course.title,
      items: course.items.map((item) => ({ path: show(item.path), kind: item.kind })),
      issues: course.warnings.map(asCourseIssue),
    });
  }
  // Course files that did not load; anything else the walk met stays a repository issue.
  const failed = new Map<string, ScenarioIssue[]>();
  for (const issue of repository.issues) {
    if (courseFormatOf(issue.file)) failed.set(issue.file, [...(failed.get(issue.file) ?? []), asCourseIssue(issue)]);
    else report.issues.push(issue);
  }
  for (const [file, issues] of failed) report.courses.push({ path: show(file), ok: false, issues });
  report.courses.sort((a, b) => a.path.localeCompare(b.path));

  if (repository.scenarios.length === 0 && repository.issues.length === 0) {
    report.issues.push({
      file: ".",
      severity: "error",
      message: "No scenario found: a scenario is a folder with an index.json or index.yaml",
    });
  }

  const all = [...report.scenarios, ...report.courses].flatMap((entry) => entry.issues).concat(report.issues);
  report.errors = all.filter((issue) => issue.severity === "error").length;
  report.warnings = all.length - report.errors;
  return report;
}

function formatReport(report: ValidateReport): string {
  const lines: string[] = [];
  const issueLines = (issues: readonly ScenarioIssue[]) => {
    for (const issue of issues) lines.push(`  ${formatIssue(issue)}`);
  };
  for (const scenario of report.scenarios) {
    const steps = scenario.steps ?? 0;
    lines.push(scenario.ok ? `✓ ${scenario.path} (${plural(steps, "step")})` : `✗ ${scenario.path}`);
    issueLines(scenario.issues);
  }
  for (const course of report.courses) {
    const items = course.items ?? [];
    const scenarios = items.filter((item) => item.kind === "scenario").length;
    const counts = [plural(scenarios, "scenario")];
    if (scenarios < items.length) counts.push(plural(items.length - scenarios, "course"));
    lines.push(course.ok ? `✓ ${course.path} (${counts.join(", ")})` : `✗ ${course.path}`);
    issueLines(course.issues);
  }
  if (report.issues.length > 0) {
    lines.push("✗ other problems");
    issueLines(report.issues);
  }
  lines.push(
    `${plural(report.scenarios.length, "scenario")}, ${plural(report.courses.length, "course")}: ` +
      `${plural(report.errors, "error")}, ${plural(report.warnings, "warning")}`,
  );
  return `${lines.join("\n")}\n`;
}

/** `error index.json:4:3 details.steps[1].text: message`; warnings say `warn`. */
function formatIssue(issue: ScenarioIssue): string {
  const severity = issue.severity === "error" ? "error" : "warn";
  const position = issue.line === undefined ? "" : `:${issue.line}:${issue.column ?? 1}`;
  const field = issue.field ? ` ${issue.field}` : "";
  return `${severity} ${issue.file}${position}${field}: ${issue.message}`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

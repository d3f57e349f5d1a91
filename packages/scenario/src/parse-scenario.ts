import { formatFieldPath } from "./format-field-path.ts";
import {
  DETAILS_FIELDS,
  type IndexJson,
  indexJsonSchema,
  PAGE_FIELDS,
  ROOT_FIELDS,
  STEP_FIELDS,
} from "./index-json-schema.ts";
import { resolveScenarioPath } from "./resolve-scenario-path.ts";
import { scanJson } from "./scan-json.ts";
import type { ReadFile, Scenario, ScenarioAsset, ScenarioEnvironment, ScenarioPage, ScenarioStep } from "./scenario.ts";
import type { ScenarioIssue } from "./scenario-issue.ts";

export type ParseScenarioResult = { ok: true; value: Scenario } | { ok: false; error: ScenarioIssue[] };

const INDEX = "index.json";

type PageJson = NonNullable<NonNullable<IndexJson["details"]>["intro"]>;
type StepJson = NonNullable<NonNullable<IndexJson["details"]>["steps"]>[number];

/**
 * Parses a Katacoda/Killercoda scenario directory through `read` into one model. Every problem is reported with
 * file and field; errors fail the parse, warnings travel with the scenario.
 */
export function parseScenario(slug: string, read: ReadFile): ParseScenarioResult {
  const issues: ScenarioIssue[] = [];
  const fail = (): ParseScenarioResult => ({ ok: false, error: issues });

  const indexText = read(INDEX);
  const yaml = ["index.yaml", "index.yml"].find((name) => read(name) !== undefined);
  if (indexText === undefined) {
    issues.push(
      yaml
        ? { file: yaml, severity: "error", message: `${yaml} is not supported yet: convert it to index.json` }
        : { file: INDEX, severity: "error", message: "No index.json in the scenario directory" },
    );
    return fail();
  }
  if (yaml) {
    issues.push({ file: yaml, severity: "warning", message: `Both index.json and ${yaml} exist: using index.json` });
  }

  const text = cleanText(indexText);
  const scan = scanJson(text);
  if (scan.error) {
    const { message, line, column } = scan.error;
    issues.push({ file: INDEX, severity: "error", message: `Invalid JSON: ${message}`, line, column });
    return fail();
  }
  const at = (field: string) => {
    const position = scan.positionOf(field);
    return position ? { line: position.line, column: position.column } : {};
  };
  const report = (severity: ScenarioIssue["severity"], field: string, message: string, file = INDEX) => {
    issues.push({ file, field, message, severity, ...(file === INDEX ? at(field) : {}) });
  };

  const raw: unknown = JSON.parse(text);
  const parsed = indexJsonSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = formatFieldPath(issue.path);
      issues.push({
        file: INDEX,
        severity: "error",
        message: issue.message,
        ...(field ? { field, ...at(field) } : {}),
      });
    }
    return fail();
  }
  const index = parsed.data;

  const warnUnknown = (value: object, known: readonly string[], prefix: string) => {
    for (const key of Object.keys(value)) {
      const field = prefix ? `${prefix}.${key}` : key;
      if (!known.includes(key)) report("warning", field, `Unknown field "${key}" is ignored`);
    }
  };
  warnUnknown(index, ROOT_FIELDS, "");
  if (index.details) warnUnknown(index.details, DETAILS_FIELDS, "details");

  const cache = new Map<string, string | undefined>();
  const readRef = (field: string, path: string | undefined): string | undefined => {
    if (path === undefined) return undefined;
    const resolved = resolveScenarioPath(path);
    if (!resolved) {
      report("error", field, `"${path}" must be a relative path inside the scenario directory`);
      return undefined;
    }
    if (!cache.has(resolved)) {
      const content = read(resolved);
      cache.set(resolved, content === undefined ? undefined : cleanText(content));
    }
    const content = cache.get(resolved);
    if (content === undefined) report("error", field, `File "${path}" not found`);
    return content;
  };

  const readPage = (json: PageJson, field: string, known: readonly string[], title: string): ScenarioPage => {
    warnUnknown(json, known, field);
    const page: ScenarioPage = { title: json.title?.trim() || title, markdown: "" };
    if (json.text === undefined) {
      report("warning", field, "No text: the page is empty");
    } else {
      page.markdown = readRef(`${field}.text`, json.text) ?? "";
      page.textFile = resolveScenarioPath(json.text);
    }
    // Old spellings: courseData = background, code = foreground.
    const background = json.background !== undefined ? "background" : "courseData";
    const foreground = json.foreground !== undefined ? "foreground" : "code";
    if (json.background !== undefined && json.courseData !== undefined) {
      report("warning", `${field}.courseData`, "Both background and courseData are set: using background");
    }
    if (json.foreground !== undefined && json.code !== undefined) {
      report("warning", `${field}.code`, "Both foreground and code are set: using foreground");
    }
    assign(page, "background", readRef(`${field}.${background}`, json[background]));
    assign(page, "foreground", readRef(`${field}.${foreground}`, json[foreground]));
    return page;
  };

  const details = index.details ?? {};
  const intro = details.intro && readPage(details.intro, "details.intro", PAGE_FIELDS, "Introduction");
  const steps = (details.steps ?? []).map((json: StepJson, i): ScenarioStep => {
    const field = `details.steps[${i}]`;
    const step: ScenarioStep = { ...readPage(json, field, STEP_FIELDS, `Step ${i + 1}`), index: i };
    for (const key of ["verify", "solve", "hint", "answer"] as const) {
      assign(step, key, readRef(`${field}.${key}`, json[key]));
    }
    return step;
  });
  const finish = details.finish && readPage(details.finish, "details.finish", PAGE_FIELDS, "Finish");

  const assets: ScenarioAsset[] = [];
  for (const [host, entries] of Object.entries(details.assets ?? {})) {
    entries.forEach((entry, i) => {
      if (!resolveScenarioPath(entry.file)) {
        report("error", `details.assets.${host}[${i}].file`, `"${entry.file}" must be a path inside assets/`);
      }
      assets.push({ host, file: entry.file, target: entry.target, ...(entry.chmod ? { chmod: entry.chmod } : {}) });
    });
  }

  let title = index.title?.trim() ?? "";
  if (title === "") {
    report("warning", "title", `No title: using the directory name "${slug}"`);
    title = slug;
  }

  const type = index.type?.trim() ?? "";
  const kind = type.startsWith("challenge@") ? "challenge" : "scenario";
  if (type !== "" && kind === "scenario") {
    report("warning", "type", `Scenario type "${type}" is not supported: showing it as a plain scenario`);
  }

  const errors = issues.filter((issue) => issue.severity === "error");
  if (errors.length > 0) return { ok: false, error: issues };

  const scenario: Scenario = {
    slug,
    title,
    description: index.description?.trim() ?? "",
    difficulty: index.difficulty?.trim() ?? "",
    time: index.time?.trim() ?? "",
    kind,
    imageId: index.backend?.imageid?.trim() || index.backend?.dockerimage?.trim() || "ubuntu",
    steps,
    assets,
    environment: readEnvironment(index),
    warnings: issues,
  };
  if (intro) scenario.intro = intro;
  if (finish) scenario.finish = finish;
  return { ok: true, value: scenario };
}

function readEnvironment(index: IndexJson): ScenarioEnvironment {
  const env = index.environment ?? {};
  const layout = env.uilayout?.trim() || undefined;
  const environment: ScenarioEnvironment = {
    editor: index.interface?.layout === "ide" || env.showide === true || /editor|vscode|ide/.test(layout ?? ""),
    editorPath: env.uieditorpath?.trim() || "/root",
    hideIntro: env.hideintro ?? false,
    hideFinish: env.hidefinish ?? false,
    terminals: (env.terminals ?? []).map(({ name, target, command }) => ({
      name,
      ...(target ? { target } : {}),
      ...(command ? { command } : {}),
    })),
    dashboards: (env.dashboards ?? []).map(({ name, port, href }) => ({
      name,
      ...(port !== undefined ? { port } : {}),
      ...(href ? { href } : {}),
    })),
  };
  if (layout) environment.uiLayout = layout;
  return environment;
}

/** Sets an optional field only when there is a value (keeps `exactOptionalPropertyTypes`-style objects clean). */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** Strips a byte-order mark and Windows line endings, which break bash scripts and confuse authors. */
function cleanText(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

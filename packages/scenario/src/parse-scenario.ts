import { cleanText } from "./clean-text.ts";
import { type EnvironmentMap, resolveEnvironment } from "./environments.ts";
import { formatFieldPath } from "./format-field-path.ts";
import {
  DETAILS_FIELDS,
  type IndexJson,
  indexJsonSchema,
  PAGE_FIELDS,
  ROOT_FIELDS,
  STEP_FIELDS,
} from "./index-json-schema.ts";
import { matchAssetGlob } from "./match-asset-glob.ts";
import { parseDataFile } from "./parse-data-file.ts";
import { resolveScenarioPath } from "./resolve-scenario-path.ts";
import type {
  ListFiles,
  ReadFile,
  Scenario,
  ScenarioAsset,
  ScenarioEnvironment,
  ScenarioPage,
  ScenarioStep,
} from "./scenario.ts";
import type { ScenarioIssue } from "./scenario-issue.ts";

export type ParseScenarioResult = { ok: true; value: Scenario } | { ok: false; error: ScenarioIssue[] };

/** Checks that need more than the files the index names; `dockyard validate` turns them all on. */
export interface ParseScenarioOptions {
  /** Lists the scenario's files: asset globs that match nothing become errors, stray step files warnings. */
  list?: ListFiles;
  /** Image ids this map cannot serve exactly become warnings with the map's message. */
  environments?: EnvironmentMap;
}

/** In order of preference; Katacoda allowed YAML, Killercoda only JSON. */
const INDEX_FILES = ["index.json", "index.yaml", "index.yml"];

/** Markdown a page would use by convention (`step2.md`, `step2/text.md`, `intro.md`): unused ones are worth a word. */
const PAGE_FILE = /^(?:intro|finish|step-?\d+)(?:\.md|\/text\.md)$/i;

type PageJson = NonNullable<NonNullable<IndexJson["details"]>["intro"]>;
type StepJson = NonNullable<NonNullable<IndexJson["details"]>["steps"]>[number];

/**
 * Parses a Katacoda/Killercoda scenario directory through `read` into one model. Every problem is reported with
 * file and field; errors fail the parse, warnings travel with the scenario.
 */
export function parseScenario(slug: string, read: ReadFile, options: ParseScenarioOptions = {}): ParseScenarioResult {
  const issues: ScenarioIssue[] = [];
  const fail = (): ParseScenarioResult => ({ ok: false, error: issues });

  const found = INDEX_FILES.flatMap((name) => {
    const text = read(name);
    return text === undefined ? [] : [{ name, text }];
  });
  const [indexFile, ...ignored] = found;
  if (!indexFile) {
    issues.push({ file: "index.json", severity: "error", message: "No index.json in the scenario directory" });
    return fail();
  }
  const indexName = indexFile.name;
  for (const { name } of ignored) {
    issues.push({
      file: name,
      severity: "warning",
      message: `Both ${indexName} and ${name} exist: using ${indexName}`,
    });
  }

  const data = parseDataFile(indexName, indexFile.text);
  if (!data.ok) {
    issues.push(data.error);
    return fail();
  }
  const { at } = data;
  const report = (severity: ScenarioIssue["severity"], field: string, message: string) => {
    issues.push({ file: indexName, field, message, severity, ...at(field) });
  };

  const parsed = indexJsonSchema.safeParse(data.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = formatFieldPath(issue.path);
      issues.push({
        file: indexName,
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

  warnRepeatedPages(steps, report);
  if (options.list) warnUnusedPageFiles(options.list, [intro, ...steps, finish], report);

  const assetFiles = options.list && (options.list("assets") ?? []);
  const assets: ScenarioAsset[] = [];
  for (const [host, entries] of Object.entries(details.assets ?? {})) {
    entries.forEach((entry, i) => {
      const field = formatFieldPath(["details", "assets", host, i, "file"]);
      if (!resolveScenarioPath(entry.file)) {
        report("error", field, `"${entry.file}" must be a path inside assets/`);
      } else if (assetFiles && matchAssetGlob(entry.file, assetFiles).length === 0) {
        report("error", field, `"${entry.file}" matches no file under assets/`);
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

  const imageField = index.backend?.imageid?.trim() ? "backend.imageid" : "backend.dockerimage";
  const imageId = index.backend?.imageid?.trim() || index.backend?.dockerimage?.trim() || "ubuntu";
  if (options.environments) {
    const resolved = resolveEnvironment(imageId, options.environments);
    if (!resolved.exact || resolved.message)
      report("warning", imageField, resolved.message ?? `The environment "${imageId}" is unknown`);
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
    imageId,
    images: [...new Set(index.backend?.images ?? [])],
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

type Report = (severity: ScenarioIssue["severity"], field: string, message: string) => void;

/** Two steps showing the same markdown file are almost always a copy-paste slip. */
function warnRepeatedPages(steps: readonly ScenarioStep[], report: Report): void {
  const firstUse = new Map<string, number>();
  for (const step of steps) {
    if (step.textFile === undefined) continue;
    const first = firstUse.get(step.textFile);
    if (first === undefined) firstUse.set(step.textFile, step.index);
    else report("warning", `details.steps[${step.index}].text`, `Same text file as details.steps[${first}]`);
  }
}

/** A `step3.md` that no page uses is a step learners can never reach. */
function warnUnusedPageFiles(list: ListFiles, pages: readonly (ScenarioPage | undefined)[], report: Report): void {
  const used = new Set(pages.map((page) => page?.textFile));
  for (const file of list(".") ?? []) {
    if (PAGE_FILE.test(file) && !used.has(file)) {
      report("warning", "details", `"${file}" is not used by any page: learners never see it`);
    }
  }
}

/** Sets an optional field only when there is a value (keeps `exactOptionalPropertyTypes`-style objects clean). */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

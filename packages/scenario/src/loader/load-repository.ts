import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Course } from "../course.ts";
import { courseFormatOf } from "../course-format-of.ts";
import { defaultEnvironmentMap, type EnvironmentMap } from "../environments.ts";
import { parseCourse } from "../parse-course.ts";
import { type ParseScenarioResult, parseScenario } from "../parse-scenario.ts";
import type { ScenarioIssue } from "../scenario-issue.ts";
import { createDirLister } from "./create-dir-lister.ts";
import { createDirReader } from "./create-dir-reader.ts";

export interface RepositoryScenario {
  /** The scenario directory relative to the root, `/`-separated; `"."` when the root is the scenario. */
  path: string;
  result: ParseScenarioResult;
}

/** Everything `dockyard validate` checks under one path. */
export interface Repository {
  /** Sorted by path. */
  scenarios: RepositoryScenario[];
  /** Course files that loaded, sorted by file. */
  courses: Course[];
  /** Course files that did not load and folders that could not be read; `file` is relative to the root. */
  issues: ScenarioIssue[];
}

export interface LoadRepositoryOptions {
  /** Image ids this map cannot serve exactly are warned about; default `defaultEnvironmentMap()`. */
  environments?: EnvironmentMap;
}

const INDEX_FILES = new Set(["index.json", "index.yaml", "index.yml"]);
/** Never hold scenarios: dependencies, history, and the files scenarios (or a repository's README) copy or show. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", "assets"]);

/**
 * Finds and parses every scenario (a folder with an index.json or index.yaml) and every course file under
 * `rootDir`, which may be one scenario, a course folder or a whole repository. Every check of `parseScenario` is on.
 */
export async function loadRepository(rootDir: string, options: LoadRepositoryOptions = {}): Promise<Repository> {
  const root = path.resolve(rootDir);
  const repository: Repository = { scenarios: [], courses: [], issues: [] };
  const scenarioDirs: string[] = [];
  const courseFiles: string[] = [];

  const walk = async (rel: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(root, rel), { withFileTypes: true });
    } catch (caught) {
      const code = (caught as NodeJS.ErrnoException).code;
      const message = rel === "" ? `Cannot read ${rootDir} (${code})` : `Cannot read the folder (${code})`;
      repository.issues.push({ file: rel === "" ? "." : rel, severity: "error", message });
      return;
    }
    const join = (name: string) => (rel === "" ? name : `${rel}/${name}`);
    // A scenario's own folders (step1/, assets/) never hold more scenarios or courses.
    if (entries.some((entry) => entry.isFile() && INDEX_FILES.has(entry.name))) {
      scenarioDirs.push(rel === "" ? "." : rel);
      return;
    }
    for (const entry of entries) {
      if (entry.isFile() && courseFormatOf(entry.name)) courseFiles.push(join(entry.name));
    }
    for (const entry of entries) {
      // Symlinked folders are not followed (loops); hidden folders hold tooling, not scenarios.
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) {
        await walk(join(entry.name));
      }
    }
  };
  await walk("");

  const environments = options.environments ?? defaultEnvironmentMap();
  for (const dir of scenarioDirs.sort()) {
    const abs = path.join(root, dir);
    const result = parseScenario(path.basename(abs), createDirReader(abs), {
      list: createDirLister(abs),
      environments,
    });
    repository.scenarios.push({ path: dir, result });
  }

  const context = { read: createDirReader(root), scenarios: scenarioDirs };
  for (const file of courseFiles.sort()) {
    const result = parseCourse(file, context);
    if (result.ok) repository.courses.push(result.value);
    else repository.issues.push(...result.error);
  }
  return repository;
}

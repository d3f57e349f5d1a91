import { access, readdir } from "node:fs/promises";
import path from "node:path";
import type { Scenario } from "../scenario.ts";
import type { ScenarioIssue } from "../scenario-issue.ts";
import { loadScenario } from "./load-scenario.ts";

export interface Catalog {
  /** Scenarios that loaded, sorted by title. */
  scenarios: Scenario[];
  /** Directories with an index.json (or index.yaml) that did not load, sorted by slug. */
  problems: { slug: string; issues: ScenarioIssue[] }[];
}

/**
 * Loads every immediate subdirectory of `rootDir` that holds an index.json or index.yaml. A missing root is an empty
 * catalog.
 */
export async function loadCatalog(rootDir: string): Promise<Catalog> {
  const catalog: Catalog = { scenarios: [], problems: [] };
  let entries: { name: string; isDirectory(): boolean }[];
  try {
    entries = await readdir(rootDir, { withFileTypes: true });
  } catch {
    return catalog;
  }

  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dir = path.join(rootDir, entry.name);
    if (!(await hasIndex(dir))) continue;
    const result = loadScenario(dir);
    if (result.ok) catalog.scenarios.push(result.value);
    else catalog.problems.push({ slug: entry.name, issues: result.error });
  }

  catalog.scenarios.sort((a, b) => a.title.localeCompare(b.title) || a.slug.localeCompare(b.slug));
  catalog.problems.sort((a, b) => a.slug.localeCompare(b.slug));
  return catalog;
}

async function hasIndex(dir: string): Promise<boolean> {
  for (const name of ["index.json", "index.yaml", "index.yml"]) {
    if (await exists(path.join(dir, name))) return true;
  }
  return false;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

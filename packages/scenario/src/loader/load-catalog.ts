import { access, readdir } from "node:fs/promises";
import path from "node:path";
import type { Scenario } from "../scenario.ts";
import type { ScenarioIssue } from "../scenario-issue.ts";
import { loadScenario } from "./load-scenario.ts";

export interface Catalog {
  /** Scenarios that loaded, sorted by title. */
  scenarios: Scenario[];
  /** Directories with an index.json that did not load, sorted by slug. */
  problems: { slug: string; issues: ScenarioIssue[] }[];
}

/** Loads every immediate subdirectory of `rootDir` that holds an index.json. A missing root is an empty catalog. */
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
    if (!(await exists(path.join(dir, "index.json")))) continue;
    const result = loadScenario(dir);
    if (result.ok) catalog.scenarios.push(result.value);
    else catalog.problems.push({ slug: entry.name, issues: result.error });
  }

  catalog.scenarios.sort((a, b) => a.title.localeCompare(b.title) || a.slug.localeCompare(b.slug));
  catalog.problems.sort((a, b) => a.slug.localeCompare(b.slug));
  return catalog;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

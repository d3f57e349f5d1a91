import "server-only";
import { join } from "node:path";
import type { Scenario } from "@dockyard/scenario";
import { loadCatalog, loadScenario } from "@dockyard/scenario/loader/index";
import { env } from "./env.ts";

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The scenarios that load, sorted by title, and the problems of those that do not. Read on each request so authors
 * see their edits at once.
 */
export async function listScenarios(): Promise<Awaited<ReturnType<typeof loadCatalog>>> {
  return loadCatalog(env().SCENARIOS_DIR);
}

/** The folder a scenario is read from. */
export function scenarioDir(slug: string): string {
  return join(env().SCENARIOS_DIR, slug);
}

export async function findScenario(slug: string): Promise<Scenario | undefined> {
  if (!SLUG.test(slug)) return undefined;
  const result = await loadScenario(scenarioDir(slug));
  return result.ok ? result.value : undefined;
}

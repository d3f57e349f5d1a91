import "server-only";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Scenario, ScenarioIssue } from "@dockyard/scenario";
import { loadRepository, loadScenario } from "@dockyard/scenario/loader/index";
import { env } from "./env.ts";
import { environmentMap } from "./environments.ts";

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A course as the catalog shows it: its scenarios (those that load) in the course's order. */
export interface CatalogCourse {
  /** Its page's address (/courses/<slug>): the course folder's name. */
  slug: string;
  title: string;
  description: string;
  slugs: string[];
  /** The course folder's README.md (its notes for learners and instructors), when it has one. */
  readme?: string;
}

const MAX_README_BYTES = 64 * 1024;

/** A course folder's README.md, if any and not too large. */
function readmeOf(dir: string): string | undefined {
  const file = join(dir, "README.md");
  try {
    if (statSync(file).size > MAX_README_BYTES) return undefined;
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

export interface Library {
  /** Where each scenario lives: its folder, and the root (repository) it was found in. */
  places: Map<string, { dir: string; root: string }>;
  scenarios: Scenario[];
  problems: { slug: string; issues: ScenarioIssue[] }[];
  courses: CatalogCourse[];
}

let cached: { at: number; library: Promise<Library> } | undefined;
let refreshing = false;
const FRESH_MS = 2000;

async function loadLibrary(): Promise<Library> {
  const library: Library = { places: new Map(), scenarios: [], problems: [], courses: [] };
  for (const root of env().SCENARIOS_PATH) {
    const repository = await loadRepository(root, { environments: environmentMap() });
    const slugOf = new Map<string, string>();
    for (const { path, result } of repository.scenarios) {
      const slug =
        path === "." ? (root.split("/").filter(Boolean).at(-1) ?? "scenario") : (path.split("/").at(-1) ?? path);
      if (!SLUG.test(slug)) continue;
      if (library.places.has(slug)) {
        const issue = {
          file: "index.json",
          severity: "error" as const,
          message: `Another scenario is also called ${slug}`,
        };
        library.problems.push({ slug: `${root}/${path}`, issues: [issue] });
        continue;
      }
      library.places.set(slug, { dir: join(root, path), root });
      slugOf.set(path, slug);
      if (result.ok) library.scenarios.push(result.value);
      else library.problems.push({ slug, issues: result.error });
    }
    for (const course of repository.courses) {
      const loaded = new Set(library.scenarios.map((s) => s.slug));
      const slugs = course.items.flatMap((item) => {
        const slug = slugOf.get(item.path);
        return slug && loaded.has(slug) ? [slug] : [];
      });
      if (slugs.length === 0) continue;
      const base = (course.dir.split("/").filter(Boolean).at(-1) ?? root.split("/").filter(Boolean).at(-1) ?? "course")
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, "-");
      let slug = base;
      for (let n = 2; library.courses.some((c) => c.slug === slug); n++) slug = `${base}-${n}`;
      const readme = readmeOf(join(root, course.dir));
      library.courses.push({
        slug,
        title: course.title,
        description: course.description,
        slugs,
        ...(readme ? { readme } : {}),
      });
    }
  }
  library.scenarios.sort((a, b) => a.title.localeCompare(b.title));
  library.problems.sort((a, b) => a.slug.localeCompare(b.slug));
  return library;
}

/**
 * Every scenario under the folders of SCENARIOS_PATH (plain folders, Katacoda pathways, Killercoda courses), and
 * the problems of those that do not load. Re-read in the background every few seconds, so authors see their edits on the next reloads.
 */
export function library(): Promise<Library> {
  if (!cached) {
    cached = { at: Date.now(), library: loadLibrary() };
  } else if (Date.now() - cached.at > FRESH_MS && !refreshing) {
    // Stale while revalidating: requests keep the last library until the new one is read.
    refreshing = true;
    loadLibrary()
      .then((fresh) => {
        cached = { at: Date.now(), library: Promise.resolve(fresh) };
      })
      .catch((error: unknown) => console.error("[web] reading scenarios failed", error))
      .finally(() => {
        refreshing = false;
      });
  }
  return cached.library;
}

/** The folder a scenario is read from, and the folder its lesson files may reach up to (its repository). */
export async function scenarioPlace(slug: string): Promise<{ dir: string; root: string } | undefined> {
  return (await library()).places.get(slug);
}

/** A scenario, read fresh from its folder. */
export async function findScenario(slug: string): Promise<Scenario | undefined> {
  if (!SLUG.test(slug)) return undefined;
  const place = await scenarioPlace(slug);
  if (!place) return undefined;
  const result = loadScenario(place.dir);
  return result.ok ? result.value : undefined;
}

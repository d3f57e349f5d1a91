import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { COURSE_IMAGES_DIR, loadCourseImages, preloadCourseImages, RegistryMirror } from "@dockyard/sandbox";
import { loadRepository } from "@dockyard/scenario/loader/index";
import Docker from "dockerode";

const HELP = `dockyard images list [PATH]            the images the scenarios under PATH pull (backend.images), and whether
                                        the registry mirror holds each
dockyard images preload [PATH | IMAGE ...] [--force]
                                        build those images from Debian packages (docker/course-images) and put
                                        them into the registry mirror, so sandboxes pull them with no internet;
                                        no argument: every image there
  SANDBOX_REGISTRY_UPSTREAM  what the mirror caches when online (default https://registry-1.docker.io; off: none)
`;

const REPO_ROOT = resolve(import.meta.dirname, "../../..");

function mirror(): RegistryMirror {
  return new RegistryMirror({
    docker: new Docker(),
    upstream: process.env.SANDBOX_REGISTRY_UPSTREAM ?? "https://registry-1.docker.io",
  });
}

/** The images the scenarios under a folder ask for, each with the scenarios that do. */
export async function imagesOf(path: string): Promise<Map<string, string[]>> {
  const repository = await loadRepository(resolve(path));
  const wanted = new Map<string, string[]>();
  for (const { result } of repository.scenarios) {
    if (!result.ok) continue;
    for (const image of result.value.images) wanted.set(image, [...(wanted.get(image) ?? []), result.value.slug]);
  }
  return wanted;
}

/** `dockyard images list|preload`; returns the exit code. */
export async function runImages(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  let parsed: { values: { force?: boolean; json?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: { force: { type: "boolean" }, json: { type: "boolean" } },
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`dockyard images: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const catalogDir = COURSE_IMAGES_DIR(REPO_ROOT);
  const known = new Set(loadCourseImages(catalogDir).flatMap((i) => i.tags));

  if (sub === "list") {
    const path = parsed.positionals[0] ?? "scenarios";
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      process.stderr.write(`dockyard images list: ${path} is not a folder\n`);
      return 2;
    }
    const wanted = await imagesOf(path);
    const m = mirror();
    const rows: { image: string; inMirror: boolean; buildable: boolean; scenarios: string[] }[] = [];
    const up = await m.endpoint();
    for (const [image, scenarios] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
      const held = up.ok ? await m.imageId(image) : undefined;
      rows.push({
        image,
        inMirror: held?.ok === true && held.value !== undefined,
        buildable: known.has(image),
        scenarios,
      });
    }
    if (parsed.values.json) {
      process.stdout.write(`${JSON.stringify({ mirror: up.ok ? up.value.url : null, images: rows }, null, 2)}\n`);
      return 0;
    }
    if (!up.ok) process.stdout.write(`the registry mirror does not run (${up.error.message})\n`);
    for (const row of rows) {
      const where = row.inMirror
        ? "in the mirror"
        : row.buildable
          ? "not preloaded"
          : "not preloaded, and not in docker/course-images";
      process.stdout.write(`${row.image.padEnd(32)} ${where.padEnd(16)} ${row.scenarios.join(", ")}\n`);
    }
    if (rows.length === 0) process.stdout.write(`no scenario under ${path} names images (backend.images)\n`);
    return 0;
  }

  if (sub === "preload") {
    let only: string[] | undefined;
    const [first] = parsed.positionals;
    if (first && existsSync(first) && statSync(first).isDirectory()) {
      only = [...(await imagesOf(first)).keys()];
      const unknown = only.filter((image) => !known.has(image));
      if (unknown.length > 0) {
        process.stderr.write(
          `dockyard images preload: ${unknown.join(", ")} cannot be built here (not in docker/course-images/images.json)\n`,
        );
        return 1;
      }
      if (only.length === 0) {
        process.stdout.write(`no scenario under ${first} names images (backend.images)\n`);
        return 0;
      }
    } else if (parsed.positionals.length > 0) {
      only = parsed.positionals;
    }
    const started = Date.now();
    try {
      const report = await preloadCourseImages({
        mirror: mirror(),
        root: catalogDir,
        ...(only ? { only } : {}),
        ...(parsed.values.force ? { force: true } : {}),
        onLine: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(
        `preloaded in ${Math.round((Date.now() - started) / 1000)} s: ${report.built.length} built, ${report.pushed.length} pushed, ${report.current.length} already there\n`,
      );
      return 0;
    } catch (error) {
      process.stderr.write(`dockyard images preload: ${(error as Error).message}\n`);
      return 1;
    }
  }

  process.stdout.write(HELP);
  return sub === undefined || sub === "--help" || sub === "help" ? 0 : 2;
}

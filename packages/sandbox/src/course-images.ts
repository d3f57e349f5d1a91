import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import { MIRROR_PORT, type RegistryMirror, registryPath, waitForRegistry } from "./registry-mirror.ts";

/** `docker/course-images/images.json`: the images courses pull, each built from a folder there. */
const catalogSchema = z.object({
  images: z.array(
    z.strictObject({
      dir: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
      tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9._-]+$/)).min(1),
      args: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).optional(),
    }),
  ),
});

export interface CourseImage {
  /** The build context, a folder of docker/course-images. */
  dir: string;
  /** Every name it is pushed under, first the one it is built as. */
  tags: string[];
  args: Record<string, string>;
}

export function loadCourseImages(root: string): CourseImage[] {
  const file = join(root, "images.json");
  const parsed = catalogSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success)
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data.images.map((i) => ({ dir: join(root, i.dir), tags: i.tags, args: i.args ?? {} }));
}

/** What a build is made of: its folder's files, its arguments and the image it builds on (when that is ours). */
function contextHash(image: CourseImage, parentId: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else
        hash
          .update(`${relative(image.dir, path)}\0`)
          .update(readFileSync(path))
          .update("\0");
    }
  };
  walk(image.dir);
  hash.update(JSON.stringify(image.args)).update(parentId);
  return hash.digest("hex").slice(0, 16);
}

/** The image this Dockerfile builds on (its last FROM that is not a build stage of its own). */
function parentOf(image: CourseImage): string | undefined {
  const dockerfile = readFileSync(join(image.dir, "Dockerfile"), "utf8");
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1] as string);
  return froms.at(-1);
}

export interface PreloadOptions {
  mirror: RegistryMirror;
  /** The folder with images.json (docker/course-images). */
  root: string;
  /** Only these references (and what they build on); default all. A reference not in the catalog is an error. */
  only?: string[];
  /** Rebuild even where the image is up to date. */
  force?: boolean;
  onLine: (line: string) => void;
}

export interface PreloadReport {
  built: string[];
  pushed: string[];
  /** Already in the mirror as the same image. */
  current: string[];
}

/** Runs the docker CLI, each output line to `onLine`; resolves with the exit code. */
function docker(args: string[], onLine: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("docker", args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    let rest = "";
    const take = (chunk: Buffer) => {
      const text = rest + chunk.toString("utf8");
      const lines = text.split(/\r?\n|\r/);
      rest = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) onLine(line);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (error) => {
      onLine(`docker: ${error.message}`);
      resolve(127);
    });
    child.on("close", (code) => {
      if (rest.trim()) onLine(rest);
      resolve(code ?? 1);
    });
  });
}

/**
 * Builds the course images (from Debian packages, where they are missing or out of date) and puts them into the
 * registry mirror, where every nested engine finds them with no internet. A temporary registry on the mirror's
 * storage takes the pushes (the mirror itself serves read-only); images the mirror holds already are left alone.
 */
export async function preloadCourseImages(options: PreloadOptions): Promise<PreloadReport> {
  const { mirror, onLine } = options;
  const catalog = loadCourseImages(options.root);
  const byTag = new Map(catalog.flatMap((image) => image.tags.map((tag) => [tag, image] as const)));
  let wanted = catalog;
  if (options.only?.length) {
    const unknown = options.only.filter((tag) => !byTag.has(tag));
    if (unknown.length) {
      throw new Error(
        `not in ${join(options.root, "images.json")}: ${unknown.join(", ")} (known: ${[...byTag.keys()].join(", ")})`,
      );
    }
    const pick = new Set<CourseImage>();
    const add = (image: CourseImage) => {
      const parent = parentOf(image);
      const ours = parent ? byTag.get(parent) : undefined;
      if (ours) add(ours);
      pick.add(image);
    };
    for (const tag of options.only) add(byTag.get(tag) as CourseImage);
    wanted = catalog.filter((image) => pick.has(image));
  }
  const report: PreloadReport = { built: [], pushed: [], current: [] };

  const started = await mirror.ensure();
  if (!started.ok) throw new Error(started.error.message);

  // 1. Build what is missing or out of date, in catalog order (an image built on another comes after it).
  for (const image of wanted) {
    const name = image.tags[0] as string;
    const parent = parentOf(image);
    const parentId = parent && byTag.has(parent) ? await imageIdOf(parent) : "";
    const hash = contextHash(image, parentId ?? "");
    const current = await labelOf(name, "dockyard.image-hash");
    if (!options.force && current === hash) {
      onLine(`${name}: up to date`);
      continue;
    }
    onLine(`${name}: building from ${relative(process.cwd(), image.dir) || image.dir}`);
    const t0 = Date.now();
    const args = [
      "build",
      ...(options.force ? ["--no-cache"] : []),
      "--label",
      `dockyard.image-hash=${hash}`,
      ...image.tags.flatMap((t) => ["-t", t]),
    ];
    for (const [k, v] of Object.entries(image.args)) args.push("--build-arg", `${k}=${v}`);
    const code = await docker([...args, image.dir], (line) => onLine(`  ${line}`));
    if (code !== 0) throw new Error(`building ${name} failed (docker build exited ${code})`);
    onLine(`${name}: built in ${Math.round((Date.now() - t0) / 1000)} s`);
    report.built.push(name);
  }

  // 2. Push every tag the mirror does not hold as this very image.
  const toPush: { tag: string; id: string }[] = [];
  for (const image of wanted) {
    for (const tag of image.tags) {
      const id = await imageIdOf(tag);
      if (!id) throw new Error(`${tag} is not in the Docker engine after its build`);
      const held = await mirror.imageId(tag, started.value.url);
      if (!held.ok) throw new Error(held.error.message);
      if (held.value === id) {
        onLine(`${tag}: in the mirror`);
        report.current.push(tag);
      } else toPush.push({ tag, id });
    }
  }
  if (toPush.length === 0) return report;

  const pushName = `${mirror.name}-push`;
  await docker(["rm", "-f", pushName], () => undefined);
  const run = await docker(
    [
      "run",
      "-d",
      "--rm",
      "--name",
      pushName,
      "-v",
      `${mirror.name}:/var/lib/docker-registry`,
      "-p",
      `127.0.0.1::${MIRROR_PORT}`,
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      mirror.image,
      "push",
    ],
    () => undefined,
  );
  if (run !== 0) throw new Error(`the push registry ${pushName} did not start`);
  try {
    let port = "";
    await docker(["port", pushName, `${MIRROR_PORT}/tcp`], (line) => {
      port ||= line.trim().split(":").pop() ?? "";
    });
    if (!/^\d+$/.test(port)) throw new Error(`the push registry ${pushName} has no port`);
    const target = `127.0.0.1:${port}`;
    const up = await waitForRegistry(`http://${target}`, 15_000);
    if (!up.ok) throw new Error(up.error.message);
    for (const { tag } of toPush) {
      const { repository, tag: version } = registryPath(tag);
      const remote = `${target}/${repository}:${version}`;
      onLine(`${tag}: pushing to the mirror`);
      if ((await docker(["tag", tag, remote], onLine)) !== 0) throw new Error(`tagging ${tag} failed`);
      let last = "";
      const code = await docker(["push", remote], (line) => {
        // Layer progress lines repeat for every chunk: pass on the ones that say something new.
        const brief = line.replace(/\s+\[[=> ]*\]\s+.*$/, "").trim();
        if (brief !== last) onLine(`  ${brief}`);
        last = brief;
      });
      await docker(["rmi", remote], () => undefined);
      if (code !== 0) throw new Error(`pushing ${tag} failed (docker push exited ${code})`);
      report.pushed.push(tag);
    }
  } finally {
    await docker(["rm", "-f", pushName], () => undefined);
  }
  // Check from the mirror's side that each is there, as the nested engines will ask for it.
  for (const { tag, id } of toPush) {
    const held = await mirror.imageId(tag, started.value.url);
    if (!held.ok || held.value !== id) throw new Error(`${tag} is not in the mirror after its push`);
  }
  onLine(`pushed ${report.pushed.length} image tag(s) to the mirror`);
  return report;
}

async function inspect(reference: string, format: string): Promise<string | undefined> {
  let out = "";
  const code = await docker(["image", "inspect", "--format", format, reference], (line) => {
    out ||= line.trim();
  });
  return code === 0 && out && out !== "<no value>" ? out : undefined;
}

const imageIdOf = (reference: string) => inspect(reference, "{{.Id}}");
const labelOf = (reference: string, label: string) => inspect(reference, `{{ index .Config.Labels "${label}" }}`);

export const COURSE_IMAGES_DIR = (repoRoot: string) => join(repoRoot, "docker", "course-images");
export const hasCourseImages = (repoRoot: string) => existsSync(join(COURSE_IMAGES_DIR(repoRoot), "images.json"));

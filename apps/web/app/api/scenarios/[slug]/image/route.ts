import { readFile, realpath, stat } from "node:fs/promises";
import { extname, join, sep } from "node:path";
import { scenarioPlace } from "@/server/catalog.ts";
import { fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

const TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
};

/**
 * An image a lesson shows: `path` is relative to the scenario folder and may climb to the root it was found in
 * (a repository's shared assets), never further. Only image types are served, and SVG never runs script.
 */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const place = await scenarioPlace(slug);
  if (!place) return fail("NOT_FOUND", `No scenario ${slug}.`);
  const path = new URL(request.url).searchParams.get("path") ?? "";
  const type = TYPES[extname(path).toLowerCase()];
  if (!type || path.includes("\0")) return fail("NOT_FOUND", "No such image.");
  let file: string;
  let root: string;
  try {
    root = await realpath(place.root);
    file = await realpath(join(place.dir, path));
  } catch {
    return fail("NOT_FOUND", "No such image.");
  }
  // The resolved file (after links) must be an image of reasonable size inside the root.
  if (!file.startsWith(root + sep) || TYPES[extname(file).toLowerCase()] !== type)
    return fail("NOT_FOUND", "No such image.");
  const info = await stat(file);
  if (!info.isFile() || info.size > MAX_IMAGE_BYTES) return fail("NOT_FOUND", "No such image.");
  const bytes = await readFile(file);
  return new Response(new Uint8Array(bytes), {
    headers: {
      "content-type": type,
      "cache-control": "public, max-age=300",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      "x-content-type-options": "nosniff",
    },
  });
}

import { imageReference, MAX_IMAGE_NAMES } from "@dockyard/protocol";
import { z } from "zod";
import { audit } from "@/server/audit.ts";
import { imagePreloadStatus, startImagePreload } from "@/server/gateway-client.ts";
import { requireRole } from "@/server/guards.ts";
import { errorResponse, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** The course image preload's state: running, its last lines, its last result. Admins only. */
export async function GET() {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const status = await imagePreloadStatus();
  return status.ok ? Response.json(status.value) : errorResponse(status.error);
}

const body = z.object({ images: z.array(imageReference).min(1).max(MAX_IMAGE_NAMES) });

/**
 * Builds the named course images where missing and puts them into the registry mirror, streaming the lines, so an
 * event's sandboxes pull them with no internet. Admins; audited.
 */
export async function POST(request: Request) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const started = await startImagePreload(input.value.images);
  if (!started.ok) return errorResponse(started.error);
  await audit(admin.account, "images.preload", "registry mirror", { images: input.value.images });
  return new Response(started.value, {
    headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" },
  });
}

import { z } from "zod";
import { audit } from "@/server/audit.ts";
import { imageBuildStatus, startImageBuild } from "@/server/gateway-client.ts";
import { requireRole } from "@/server/guards.ts";
import { errorResponse, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** The image build's state: running, its last lines, its last result. Admins only. */
export async function GET() {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const status = await imageBuildStatus();
  return status.ok ? Response.json(status.value) : errorResponse(status.error);
}

const body = z.object({ rebuild: z.boolean().default(false) });

/** Builds Dockyard's sandbox images (or rebuilds them from scratch), streaming the build's lines. Admins; audited. */
export async function POST(request: Request) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const started = await startImageBuild(input.value.rebuild);
  if (!started.ok) return errorResponse(started.error);
  await audit(admin.account, "images.build", "dockyard images", { rebuild: input.value.rebuild });
  return new Response(started.value, {
    headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" },
  });
}

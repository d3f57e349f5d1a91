import { engineName, engineUpdate } from "@dockyard/protocol";
import { audit } from "@/server/audit.ts";
import { removeEngine, updateEngine } from "@/server/gateway-client.ts";
import { requireRole } from "@/server/guards.ts";
import { errorResponse, fail, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ name: string }> };

/** Changes an engine's capacity, labels, or whether it takes new sandboxes. Admins; audited. */
export async function PATCH(request: Request, { params }: Params) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const name = engineName.safeParse((await params).name);
  if (!name.success) return fail("BAD_REQUEST", "That is not an engine's name.");
  const input = await parseBody(request, engineUpdate);
  if (!input.ok) return input.response;
  const updated = await updateEngine(name.data, input.value);
  if (!updated.ok) return errorResponse(updated.error);
  await audit(admin.account, "engine.update", name.data, input.value);
  return Response.json({ engine: updated.value });
}

/** Removes an engine that runs no users' sandboxes (the gateway refuses otherwise). Admins; audited. */
export async function DELETE(_request: Request, { params }: Params) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const name = engineName.safeParse((await params).name);
  if (!name.success) return fail("BAD_REQUEST", "That is not an engine's name.");
  const removed = await removeEngine(name.data);
  if (!removed.ok) return errorResponse(removed.error);
  await audit(admin.account, "engine.remove", name.data);
  return Response.json(removed.value);
}

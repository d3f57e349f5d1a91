import { audit } from "@/server/audit.ts";
import { removeSession } from "@/server/gateway-client.ts";
import { requireAdminOnSession } from "@/server/guards.ts";
import { errorResponse } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** Stops (removes) a sandbox; its user is told an admin stopped it. Admins only, and audited. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const admin = await requireAdminOnSession(params);
  if (!admin.ok) return admin.response;
  const removed = await removeSession(admin.sessionId, "An admin stopped this sandbox.");
  if (!removed.ok) return errorResponse(removed.error);
  await audit(admin.account, "session.stop", admin.sessionId, removed.value);
  return Response.json(removed.value);
}

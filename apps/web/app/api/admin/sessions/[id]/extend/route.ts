import { audit } from "@/server/audit.ts";
import { extendSession } from "@/server/gateway-client.ts";
import { requireAdminOnSession } from "@/server/guards.ts";
import { errorResponse } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** Adds time to any sandbox's lease, up to its maximum. Admins only, and audited. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const admin = await requireAdminOnSession(params);
  if (!admin.ok) return admin.response;
  const extended = await extendSession(admin.sessionId);
  if (!extended.ok) return errorResponse(extended.error);
  await audit(admin.account, "session.extend", admin.sessionId, { expiresAt: extended.value.expiresAt });
  return Response.json(extended.value);
}

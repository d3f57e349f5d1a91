import { extendSession } from "@/server/gateway-client.ts";
import { requireOwnedSession } from "@/server/guards.ts";
import { errorResponse, fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** More time for one's own sandbox, up to its maximum. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireOwnedSession((await params).id);
  if (!owned.ok) return owned.response;
  if (owned.session.status !== "running") return fail("CONFLICT", "The sandbox is not running.");
  const lease = await extendSession(owned.session.id);
  if (!lease.ok) return errorResponse(lease.error);
  return Response.json({ lease: lease.value });
}

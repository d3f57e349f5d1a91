import { listAudit } from "@dockyard/db";
import { db } from "@/server/db.ts";
import { requireRole } from "@/server/guards.ts";

export const dynamic = "force-dynamic";

/** The audit log, newest first: `?q=` filters, `?before=<id>` pages. Admins only. */
export async function GET(request: Request) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const params = new URL(request.url).searchParams;
  const before = Number(params.get("before"));
  const entries = await listAudit(db(), {
    query: params.get("q")?.slice(0, 100) ?? undefined,
    before: Number.isInteger(before) && before > 0 ? before : undefined,
  });
  return Response.json({ entries });
}

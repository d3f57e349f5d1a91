import { getEvent, runningSessionsOfEvent } from "@dockyard/db";
import { audit } from "@/server/audit.ts";
import { db } from "@/server/db.ts";
import { removeSession } from "@/server/gateway-client.ts";
import { requireRole } from "@/server/guards.ts";
import { fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** Stops every sandbox of an event (its attendees' in its scenarios); each attendee is told. Admins only; audited. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const { id } = await params;
  const event = /^[0-9a-f-]{36}$/.test(id) ? await getEvent(db(), id) : null;
  if (!event) return fail("NOT_FOUND", "No such event.");
  const sessions = await runningSessionsOfEvent(db(), event);
  const reason = `An admin stopped the sandboxes of ${event.title}.`;
  const results = await Promise.all(sessions.map((s) => removeSession(s.id, reason)));
  const stopped = results.filter((r) => r.ok).length;
  const failed = results.length - stopped;
  await audit(admin.account, "event.stop-all", event.code, { stopped, failed });
  return Response.json({ stopped, failed });
}

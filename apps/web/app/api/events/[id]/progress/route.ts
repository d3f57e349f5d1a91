import { eventProgress } from "@dockyard/db";
import { db } from "@/server/db.ts";
import { requireEventOwner } from "@/server/events.ts";

export const dynamic = "force-dynamic";

/** The live console's data: every attendee's progress, raised hand and running sandbox. The event's owner only. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireEventOwner((await params).id);
  if (!owned.ok) return owned.response;
  return Response.json({ event: owned.event, attendees: await eventProgress(db(), owned.event), now: new Date() });
}

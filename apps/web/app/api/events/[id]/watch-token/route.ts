import { getLabSession, JOIN_EARLY_MS } from "@dockyard/db";
import { mintTerminalToken } from "@dockyard/token";
import { audit } from "@/server/audit.ts";
import { db } from "@/server/db.ts";
import { env } from "@/server/env.ts";
import { requireEventOwner } from "@/server/events.ts";
import { fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/**
 * A watcher's token for an attendee's terminal (`?session=` and `?host=`): read-only unless the attendee lets them
 * type. Only for the event's owner, and only for the sandbox of one of its attendees in one of its scenarios.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireEventOwner((await params).id);
  if (!owned.ok) return owned.response;
  const url = new URL(request.url);
  const sessionId = url.searchParams.get("session") ?? "";
  const host = url.searchParams.get("host") ?? "host01";
  const session = /^s-[0-9a-f]{16}$/.test(sessionId) ? await getLabSession(db(), sessionId) : null;
  if (session?.status !== "running") return fail("NOT_FOUND", "That sandbox is not running.");
  const attendee = await db().eventAttendee.findUnique({
    where: { eventId_userId: { eventId: owned.event.id, userId: session.userId } },
  });
  // Only during the event, and only sandboxes of its scenarios started since the attendee joined it.
  if (!attendee || !owned.event.scenarios.includes(session.scenarioSlug) || session.createdAt < attendee.joinedAt) {
    return fail("FORBIDDEN", "That sandbox is not part of this event.");
  }
  const now = Date.now();
  if (now < owned.event.startsAt.getTime() - JOIN_EARLY_MS || now >= owned.event.endsAt.getTime()) {
    return fail("FORBIDDEN", "Terminals can be watched only while the event is on.");
  }
  const { account } = owned;
  const token = mintTerminalToken(
    {
      sub: account.id,
      sid: session.id,
      host,
      mode: "read",
      as: account.role === "admin" ? "admin" : "instructor",
      who: (account.displayName ?? account.email).slice(0, 80),
    },
    env().DOCKYARD_SECRET,
  );
  await audit(account, "terminal.watch", session.id, { event: owned.event.code, host });
  const { GATEWAY_PUBLIC_URL, GATEWAY_PUBLIC_PORT } = env();
  return Response.json({ token, gatewayUrl: GATEWAY_PUBLIC_URL ?? null, gatewayPort: GATEWAY_PUBLIC_PORT });
}

import { eventMessages, joinedEvents } from "@dockyard/db";
import { db } from "@/server/db.ts";
import { requireUser } from "@/server/guards.ts";

export const dynamic = "force-dynamic";

/** Messages from the instructors of the events this visitor joined, after `?after=<id>`; and their hand's state. */
export async function GET(request: Request) {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const after = Number(new URL(request.url).searchParams.get("after"));
  const events = await joinedEvents(db(), user.userId);
  const messages = await eventMessages(
    db(),
    events.map((e) => e.id),
    Number.isInteger(after) && after > 0 ? after : 0,
  );
  const titles = new Map(events.map((e) => [e.id, e.title]));
  const hands = await db().eventAttendee.findMany({
    where: { userId: user.userId, eventId: { in: events.map((e) => e.id) }, handAt: { not: null } },
    select: { handSlug: true },
  });
  return Response.json({
    messages: messages.map((m) => ({ id: m.id, text: m.text, at: m.createdAt, event: titles.get(m.eventId) })),
    events: events.map((e) => ({ id: e.id, title: e.title, scenarios: e.scenarios })),
    handsRaised: hands.map((h) => h.handSlug),
  });
}

import { joinedEvents, setHand } from "@dockyard/db";
import { z } from "zod";
import { db } from "@/server/db.ts";
import { requireUser } from "@/server/guards.ts";
import { fail, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const body = z.object({ slug: z.string().max(200), step: z.number().int().min(0).max(1000), raised: z.boolean() });

/** Raises or lowers the attendee's hand in the events they joined that include this scenario. */
export async function POST(request: Request) {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const { slug, step, raised } = input.value;
  const events = (await joinedEvents(db(), user.userId)).filter((e) => e.scenarios.includes(slug));
  if (events.length === 0) return fail("NOT_FOUND", "This lab is not part of a workshop you joined.");
  for (const event of events) await setHand(db(), event.id, user.userId, raised ? { slug, step } : null);
  return Response.json({ raised, events: events.map((e) => e.title) });
}

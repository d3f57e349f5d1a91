import { postEventMessage } from "@dockyard/db";
import { z } from "zod";
import { audit } from "@/server/audit.ts";
import { db } from "@/server/db.ts";
import { requireEventOwner } from "@/server/events.ts";
import { parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const body = z.object({ text: z.string().trim().min(1).max(500) });

/** A message to everyone in the event: it shows on their lab pages within seconds. The owner only; audited. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireEventOwner((await params).id);
  if (!owned.ok) return owned.response;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const message = await postEventMessage(db(), owned.event.id, input.value.text);
  await audit(owned.account, "event.message", owned.event.code, { text: input.value.text });
  return Response.json({ message }, { status: 201 });
}

import { createEvent, EventError, listEvents } from "@dockyard/db";
import { z } from "zod";
import { audit } from "@/server/audit.ts";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { syncWarmPools } from "@/server/event-pools.ts";
import { requireRole } from "@/server/guards.ts";
import { fail, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** Warm sandboxes one event may ask for (the gateway also caps what all events reserve together). */
const MAX_WARM_POOL = 20;

/** The instructor's own events (an admin's: everyone's). */
export async function GET() {
  const role = await requireRole("instructor");
  if (!role.ok) return role.response;
  const { account } = role;
  return Response.json({ events: await listEvents(db(), account.role === "admin" ? undefined : account.id) });
}

const body = z.object({
  title: z.string().trim().min(1).max(120),
  scenarios: z.array(z.string().max(200)).min(1).max(50),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  capacity: z.number().int().min(1).max(1000),
  warmPool: z.number().int().min(0).max(MAX_WARM_POOL).default(0),
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{6,16}$/, "Use 6 to 16 letters or digits.")
    .optional(),
});

/** An event lasts at most a week: its warm pool and its watchers' rights end with it. */
const MAX_EVENT_MS = 7 * 24 * 3_600_000;

/** Creates an event; its warm pool starts filling when it is near. Instructors and admins; audited. */
export async function POST(request: Request) {
  const role = await requireRole("instructor");
  if (!role.ok) return role.response;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const { scenarios, startsAt, endsAt, ...rest } = input.value;
  if (Date.parse(endsAt) - Date.parse(startsAt) > MAX_EVENT_MS)
    return fail("BAD_REQUEST", "An event lasts a week at most.");
  for (const slug of scenarios) {
    if (!(await findScenario(slug))) return fail("BAD_REQUEST", `No scenario ${slug.slice(0, 80)}.`);
  }
  try {
    const event = await createEvent(db(), {
      ...rest,
      scenarios,
      startsAt: new Date(startsAt),
      endsAt: new Date(endsAt),
      ownerId: role.account.id,
    });
    await audit(role.account, "event.create", event.code, {
      title: event.title,
      scenarios: scenarios.length,
      capacity: event.capacity,
      warmPool: event.warmPool,
    });
    const pools = await syncWarmPools();
    return Response.json({ event, pools: pools.ok ? undefined : pools.error.message }, { status: 201 });
  } catch (error) {
    if (error instanceof EventError)
      return fail(error.code === "CODE_TAKEN" ? "CONFLICT" : "BAD_REQUEST", error.message);
    throw error;
  }
}

import "server-only";
import { type Account, type EventView, getEvent } from "@dockyard/db";
import { db } from "./db.ts";
import { type Guarded, requireRole } from "./guards.ts";
import { fail } from "./respond.ts";

/** An event its owner (an instructor) or an admin may run; anyone else is FORBIDDEN, even another instructor. */
export async function requireEventOwner(eventId: string): Promise<Guarded<{ account: Account; event: EventView }>> {
  const role = await requireRole("instructor");
  if (!role.ok) return role;
  const event = /^[0-9a-f-]{36}$/.test(eventId) ? await getEvent(db(), eventId) : null;
  if (!event) return { ok: false, response: fail("NOT_FOUND", "No such event.") };
  if (role.account.role !== "admin" && event.ownerId !== role.account.id) {
    return { ok: false, response: fail("FORBIDDEN", "This event is another instructor's.") };
  }
  return { ok: true, account: role.account, event };
}

/** Whether an event is on now, or about to start (its warm pool should be ready). */
export const WARM_BEFORE_MS = 30 * 60_000;
export const eventIsWarm = (event: EventView, now = Date.now()) =>
  event.startsAt.getTime() - WARM_BEFORE_MS <= now && now < event.endsAt.getTime();

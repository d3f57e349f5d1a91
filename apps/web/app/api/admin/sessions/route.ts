import { describeUsers, eventsOfSandboxes } from "@dockyard/db";
import { library } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { listAllSessions } from "@/server/gateway-client.ts";
import { requireRole } from "@/server/guards.ts";
import { errorResponse } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** Every live sandbox with its owner, scenario, lease and live figures. Admins only. */
export async function GET() {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const listed = await listAllSessions();
  if (!listed.ok) return errorResponse(listed.error);
  const { sessions, sampledAt } = listed.value;
  const owners = await describeUsers(
    db(),
    sessions.map((s) => s.userId),
  );
  const titles = new Map((await library()).scenarios.map((s) => [s.slug, s.title]));
  const events = await eventsOfSandboxes(
    db(),
    sessions.map((s) => ({ userId: s.userId, scenario: s.scenario })),
  );
  return Response.json({
    sampledAt,
    sessions: sessions.map((s) => ({
      ...s,
      owner: owners.get(s.userId)?.label ?? s.userId,
      guest: owners.get(s.userId)?.guest ?? true,
      scenarioTitle: titles.get(s.scenario) ?? s.scenario,
      event: events.get(`${s.userId}\n${s.scenario}`) ?? null,
    })),
  });
}

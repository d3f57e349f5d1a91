import { audit } from "@/server/audit.ts";
import { library } from "@/server/catalog.ts";
import { startScenarioTest } from "@/server/gateway-client.ts";
import { requireRole } from "@/server/guards.ts";
import { errorResponse, fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/**
 * Runs the scenario's automated test (`dockyard test`: each step's commands, then its check, in a real sandbox),
 * streaming its output; the last line carries the report. Instructors and admins; audited.
 */
export async function POST(_request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const role = await requireRole("instructor");
  if (!role.ok) return role.response;
  const { slug } = await params;
  const place = (await library()).places.get(slug);
  if (!place) return fail("NOT_FOUND", "No such scenario.");
  const started = await startScenarioTest(place.dir);
  if (!started.ok) return errorResponse(started.error);
  await audit(role.account, "scenario.test", slug);
  return new Response(started.value, {
    headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" },
  });
}

import { library } from "@/server/catalog.ts";
import { scenarioTests } from "@/server/gateway-client.ts";
import { requireRole } from "@/server/guards.ts";
import { errorResponse } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** The last automated test of each scenario (by slug), and the one running. Instructors and admins. */
export async function GET() {
  const role = await requireRole("instructor");
  if (!role.ok) return role.response;
  const status = await scenarioTests();
  if (!status.ok) return errorResponse(status.error);
  const slugOf = new Map([...(await library()).places].map(([slug, place]) => [place.dir, slug]));
  return Response.json({
    running: status.value.running ? (slugOf.get(status.value.running) ?? null) : null,
    lines: status.value.lines,
    results: status.value.results.flatMap((r) => {
      const slug = slugOf.get(r.dir);
      return slug ? [{ ...r, dir: undefined, slug }] : [];
    }),
  });
}

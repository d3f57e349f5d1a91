import { resetProgress } from "@dockyard/db";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { requireUser } from "@/server/guards.ts";
import { fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** Start over: forgets the visitor's progress in this scenario. The sandbox is left as it is. */
export async function DELETE(_request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await requireUser();
  if (!user.ok) return user.response;
  if (!(await findScenario(slug))) return fail("NOT_FOUND", `No scenario ${slug}.`);
  await resetProgress(db(), user.userId, slug);
  return Response.json({ progress: { currentStep: 0, steps: [] } });
}

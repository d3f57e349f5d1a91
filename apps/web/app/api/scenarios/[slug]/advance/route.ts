import { advanceStep, findActiveLabSession } from "@dockyard/db";
import { stepHasCheck } from "@dockyard/scenario";
import { z } from "zod";
import { db } from "@/server/db.ts";
import { requireStepRequest } from "@/server/guards.ts";
import { startPageScripts } from "@/server/page-scripts.ts";
import { fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const body = z.object({ fromStep: z.number().int().min(0) });

/** Moves to the next step; a step with a check must have passed it. */
export async function POST(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const found = await requireStepRequest(request, params, body, (b) => b.fromStep);
  if (!found.ok) return found.response;
  const { slug } = found;
  const outcome = await advanceStep(db(), {
    userId: found.userId,
    scenarioSlug: slug,
    fromStep: found.step.index,
    stepCount: found.scenario.steps.length,
    requiresCheck: stepHasCheck(found.step),
  });
  if (!outcome.ok) return fail("CONFLICT", outcome.reason);
  const session = await findActiveLabSession(db(), found.userId, slug);
  if (session?.status === "running") {
    await startPageScripts(session.id, found.scenario, outcome.progress.currentStep, false);
  }
  return Response.json({ progress: outcome.progress });
}

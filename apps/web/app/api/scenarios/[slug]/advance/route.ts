import { advanceStep } from "@dockyard/db";
import { z } from "zod";
import { db } from "@/server/db.ts";
import { requireStep } from "@/server/guards.ts";
import { fail, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const body = z.object({ fromStep: z.number().int().min(0) });

/** Moves to the next step; a step with a check must have passed it. */
export async function POST(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const found = await requireStep(slug, input.value.fromStep);
  if (!found.ok) return found.response;
  const outcome = await advanceStep(db(), {
    userId: found.userId,
    scenarioSlug: slug,
    fromStep: found.step.index,
    stepCount: found.scenario.steps.length,
    requiresCheck: Boolean(found.step.verify),
  });
  if (!outcome.ok) return fail("CONFLICT", outcome.reason);
  return Response.json({ progress: outcome.progress });
}

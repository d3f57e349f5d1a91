import { findActiveLabSession, recordCheck } from "@dockyard/db";
import { interpretVerify } from "@dockyard/scenario";
import { z } from "zod";
import { db } from "@/server/db.ts";
import { runScript } from "@/server/gateway-client.ts";
import { requireStep } from "@/server/guards.ts";
import { errorResponse, fail, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const body = z.object({ step: z.number().int().min(0) });

/** Runs the step's verify script inside the user's sandbox (never here) and records the outcome. */
export async function POST(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const found = await requireStep(slug, input.value.step);
  if (!found.ok) return found.response;
  const { userId, step } = found;
  if (!step.verify) {
    const progress = await recordCheck(db(), {
      userId,
      scenarioSlug: slug,
      step: step.index,
      passed: true,
      message: "",
    });
    return Response.json({ passed: true, message: "This step has no check.", progress });
  }
  const session = await findActiveLabSession(db(), userId, slug);
  if (session?.status !== "running") return fail("CONFLICT", "Start the sandbox first.");

  const run = await runScript(session.id, { host: "host01", script: step.verify, timeoutMs: 30_000 });
  if (!run.ok) return errorResponse(run.error);
  const verdict = interpretVerify({ script: step.verify, ...run.value });
  const progress = await recordCheck(db(), {
    userId,
    scenarioSlug: slug,
    step: step.index,
    passed: verdict.passed,
    message: verdict.message,
  });
  return Response.json({ passed: verdict.passed, message: verdict.message, progress });
}

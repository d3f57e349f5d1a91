import { findActiveLabSession, getProgress } from "@dockyard/db";
import { renderMarkdown } from "@dockyard/scenario";
import { z } from "zod";
import { db } from "@/server/db.ts";
import { requireStepRequest } from "@/server/guards.ts";
import { sessionSubstitution } from "@/server/previews.ts";
import { errorResponse } from "@/server/respond.ts";
import { runLogged } from "@/server/script-log.ts";

export const dynamic = "force-dynamic";

const body = z.object({ step: z.number().int().min(0) });

/**
 * A challenge task's hint: its hint script runs in the sandbox with the seconds since the task began as `$1`, and
 * what it prints is markdown for the learner (empty: no hint yet).
 */
export async function POST(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const found = await requireStepRequest(request, params, body, (b) => b.step);
  if (!found.ok) return found.response;
  const { slug } = found;
  const { userId, step } = found;
  if (!step.hint) return Response.json({ html: "" });
  const session = await findActiveLabSession(db(), userId, slug);
  if (session?.status !== "running") return Response.json({ html: "" });
  const progress = await getProgress(db(), userId, slug);
  const began = progress?.steps.find((s) => s.step === step.index)?.startedAt ?? session.readyAt ?? new Date();
  const elapsed = Math.max(0, Math.floor((Date.now() - began.getTime()) / 1000));
  const run = await runLogged(
    session.id,
    {
      host: "host01",
      script: `set -- ${elapsed}\n${(await sessionSubstitution(found.scenario, session.id, [step.hint]))(step.hint)}`,
      timeoutMs: 10_000,
    },
    { kind: "hint", step: step.index },
  );
  if (!run.ok) return errorResponse(run.error);
  return Response.json({ html: run.value.stdout.trim() ? renderMarkdown(run.value.stdout, { headingOffset: 3 }) : "" });
}

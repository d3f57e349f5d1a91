import { findActiveLabSession, recordCheck } from "@dockyard/db";
import { checkQuiz, extractQuiz, interpretVerify } from "@dockyard/scenario";
import { z } from "zod";
import { db } from "@/server/db.ts";
import { requireStepRequest } from "@/server/guards.ts";
import { withKeyLock } from "@/server/key-lock.ts";
import { metrics } from "@/server/metrics.ts";
import { sessionSubstitution } from "@/server/previews.ts";
import { errorResponse, fail } from "@/server/respond.ts";
import { runLogged } from "@/server/script-log.ts";

export const dynamic = "force-dynamic";

const body = z.object({
  step: z.number().int().min(0),
  /** Quiz answers by question id: text, or the indexes of the chosen options. */
  answers: z
    .record(z.string().max(64), z.union([z.string().max(4096), z.array(z.number().int().min(0).max(100))]))
    .default({}),
});

/** Runs the step's verify script inside the user's sandbox (never here) and records the outcome. */
export async function POST(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const found = await requireStepRequest(request, params, body, (b) => b.step);
  if (!found.ok) return found.response;
  const { slug } = found;
  const { userId, step } = found;
  // A quiz is checked here, on the server: the page never holds the answers.
  const questions = extractQuiz(step.markdown);
  let quiz: Record<string, boolean> | undefined;
  if (questions.length > 0) {
    quiz = checkQuiz(questions, found.body.answers);
    const wrong = questions.filter((q) => !quiz?.[q.id]).map((q) => q.id);
    if (wrong.length > 0) {
      const message = `Check your ${wrong.length === 1 ? "answer to" : "answers to"} ${wrong.join(", ")} and try again.`;
      const progress = await recordCheck(db(), {
        userId,
        scenarioSlug: slug,
        step: step.index,
        passed: false,
        message,
      });
      metrics().checks.inc({ result: "fail" });
      return Response.json({ passed: false, message, quiz, progress });
    }
  }
  if (!step.verify) {
    const progress = await recordCheck(db(), {
      userId,
      scenarioSlug: slug,
      step: step.index,
      passed: true,
      message: "",
    });
    const message = quiz ? "All answers are right." : "This step has no check.";
    metrics().checks.inc({ result: "pass" });
    return Response.json({ passed: true, message, quiz, progress });
  }
  const session = await findActiveLabSession(db(), userId, slug);
  if (session?.status !== "running") return fail("CONFLICT", "Start the sandbox first.");

  // One check at a time per learner and scenario: polling challenges and a pressed Check do not pile up. Only in
  // this process: a check runs up to 30 s and must not hold one of the database's lock connections meanwhile.
  const verify = (await sessionSubstitution(found.scenario, session.id, [step.verify]))(step.verify);
  const run = await withKeyLock(
    `check:${userId}:${slug}`,
    () =>
      runLogged(
        session.id,
        { host: "host01", script: verify, timeoutMs: 30_000 },
        { kind: "verify", step: step.index },
      ),
    { acrossProcesses: false },
  );
  if (!run.ok) return errorResponse(run.error);
  const verdict = interpretVerify({ script: verify, ...run.value });
  const progress = await recordCheck(db(), {
    userId,
    scenarioSlug: slug,
    step: step.index,
    passed: verdict.passed,
    message: verdict.message,
  });
  metrics().checks.inc({ result: verdict.passed ? "pass" : "fail" });
  return Response.json({ passed: verdict.passed, message: verdict.message, quiz, progress });
}

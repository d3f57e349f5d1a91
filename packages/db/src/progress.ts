import { randomUUID } from "node:crypto";
import type { Db } from "./client.ts";

export interface StepProgressView {
  step: number;
  startedAt: Date;
  passedAt: Date | null;
  attempts: number;
  lastMessage: string | null;
}

export interface ProgressView {
  currentStep: number;
  startedAt: Date;
  completedAt: Date | null;
  steps: StepProgressView[];
}

export async function ensureUser(db: Db, userId: string): Promise<void> {
  await db.user.upsert({ where: { id: userId }, create: { id: userId }, update: {} });
}

async function ensureProgress(db: Db, userId: string, scenarioSlug: string) {
  await ensureUser(db, userId);
  return db.progress.upsert({
    where: { userId_scenarioSlug: { userId, scenarioSlug } },
    create: { id: randomUUID(), userId, scenarioSlug, steps: { create: { step: 0 } } },
    update: {},
  });
}

/** A user's progress in a scenario, or null before they start it. */
export async function getProgress(db: Db, userId: string, scenarioSlug: string): Promise<ProgressView | null> {
  const progress = await db.progress.findUnique({
    where: { userId_scenarioSlug: { userId, scenarioSlug } },
    include: { steps: { orderBy: { step: "asc" } } },
  });
  if (!progress) return null;
  return {
    currentStep: progress.currentStep,
    startedAt: progress.startedAt,
    completedAt: progress.completedAt,
    steps: progress.steps.map(({ step, startedAt, passedAt, attempts, lastMessage }) => ({
      step,
      startedAt,
      passedAt,
      attempts,
      lastMessage,
    })),
  };
}

/** Records one press of Check on a step; the first pass is kept. */
export async function recordCheck(
  db: Db,
  input: { userId: string; scenarioSlug: string; step: number; passed: boolean; message: string },
): Promise<ProgressView> {
  const progress = await ensureProgress(db, input.userId, input.scenarioSlug);
  const key = { progressId_step: { progressId: progress.id, step: input.step } };
  const existing = await db.stepProgress.findUnique({ where: key });
  const passedAt = existing?.passedAt ?? (input.passed ? new Date() : null);
  await db.stepProgress.upsert({
    where: key,
    create: { progressId: progress.id, step: input.step, attempts: 1, passedAt, lastMessage: input.message },
    update: { attempts: { increment: 1 }, passedAt, lastMessage: input.message },
  });
  return (await getProgress(db, input.userId, input.scenarioSlug)) as ProgressView;
}

export type AdvanceOutcome = { ok: true; progress: ProgressView } | { ok: false; reason: string };

/**
 * Moves the user from `fromStep` to the next step. A step with a check must have passed it first.
 * Advancing past the last step completes the scenario.
 */
export async function advanceStep(
  db: Db,
  input: { userId: string; scenarioSlug: string; fromStep: number; stepCount: number; requiresCheck: boolean },
): Promise<AdvanceOutcome> {
  const progress = await ensureProgress(db, input.userId, input.scenarioSlug);
  if (input.fromStep !== progress.currentStep) {
    return { ok: false, reason: `You are on step ${progress.currentStep + 1}, not ${input.fromStep + 1}.` };
  }
  if (input.requiresCheck) {
    const step = await db.stepProgress.findUnique({
      where: { progressId_step: { progressId: progress.id, step: input.fromStep } },
    });
    if (!step?.passedAt) return { ok: false, reason: "Pass this step's check first." };
  }
  const next = Math.min(input.fromStep + 1, input.stepCount);
  const finished = next >= input.stepCount;
  // Compare-and-set on the current step: of two requests to leave the same step (a tab's Next and a challenge's
  // auto-advance), exactly one moves on, so the next step's scripts start once.
  const [, moved] = await db.$transaction([
    // A step is done when left: for a step without a check that is now; a checked step keeps its first pass.
    db.stepProgress.updateMany({
      where: { progressId: progress.id, step: input.fromStep, passedAt: null },
      data: { passedAt: new Date() },
    }),
    db.progress.updateMany({
      where: { id: progress.id, currentStep: input.fromStep },
      data: { currentStep: next, completedAt: finished ? (progress.completedAt ?? new Date()) : null },
    }),
    ...(finished
      ? []
      : [
          db.stepProgress.upsert({
            where: { progressId_step: { progressId: progress.id, step: next } },
            create: { progressId: progress.id, step: next },
            update: {},
          }),
        ]),
  ]);
  if (moved.count === 0) return { ok: false, reason: "You have already moved on from this step." };
  return { ok: true, progress: (await getProgress(db, input.userId, input.scenarioSlug)) as ProgressView };
}

/** Starts the scenario over: progress is removed, the sandbox is not touched. */
export async function resetProgress(db: Db, userId: string, scenarioSlug: string): Promise<void> {
  await db.progress.deleteMany({ where: { userId, scenarioSlug } });
}

export interface ProgressSummary {
  scenarioSlug: string;
  currentStep: number;
  stepsPassed: number;
  startedAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  /** Time spent on steps: each left step from its start to its pass, the current one from its start to the last activity. */
  activeMs: number;
}

/** Every scenario the user has started, the most recently touched first. */
export async function listProgress(db: Db, userId: string): Promise<ProgressSummary[]> {
  const rows = await db.progress.findMany({
    where: { userId },
    include: { steps: true },
    orderBy: { updatedAt: "desc" },
  });
  return rows.map((p) => {
    const lastActivity = Math.max(p.updatedAt.getTime(), ...p.steps.map((s) => (s.passedAt ?? s.startedAt).getTime()));
    const activeMs = p.steps.reduce((sum, s) => {
      const end = s.passedAt?.getTime() ?? (s.step === p.currentStep ? lastActivity : s.startedAt.getTime());
      return sum + Math.max(0, end - s.startedAt.getTime());
    }, 0);
    return {
      scenarioSlug: p.scenarioSlug,
      currentStep: p.currentStep,
      stepsPassed: p.steps.filter((s) => s.passedAt).length,
      startedAt: p.startedAt,
      updatedAt: p.updatedAt,
      completedAt: p.completedAt,
      activeMs,
    };
  });
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client.ts";
import { createLabSession, findActiveLabSession, markLabSession, transitionLabSession } from "./lab-sessions.ts";
import { advanceStep, getProgress, recordCheck, resetProgress } from "./progress.ts";
import { listScriptRuns, recordScriptRun, SCRIPT_OUTPUT_KEEP, SCRIPT_RUNS_KEEP } from "./script-runs.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

// Against a real database migrated with the committed migrations: proves schema and migrations agree.
let store: TestDatabase;
let db: Db;

beforeAll(async () => {
  store = await createTestDatabase();
  db = store.db;
});
afterAll(() => store.drop());

describe("progress", () => {
  const userId = "user-progress";
  const scenarioSlug = "basics";

  it("is null before a user starts", async () => {
    expect(await getProgress(db, userId, scenarioSlug)).toBeNull();
  });

  it("refuses to advance past a step with a check that has not passed", async () => {
    await recordCheck(db, { userId, scenarioSlug, step: 0, passed: false, message: "no file" });
    const outcome = await advanceStep(db, { userId, scenarioSlug, fromStep: 0, stepCount: 3, requiresCheck: true });
    expect(outcome).toEqual({ ok: false, reason: "Pass this step's check first." });
    const progress = await getProgress(db, userId, scenarioSlug);
    expect(progress?.currentStep).toBe(0);
    expect(progress?.steps[0]).toMatchObject({ attempts: 1, passedAt: null, lastMessage: "no file" });
  });

  it("keeps the first pass, counts attempts and advances", async () => {
    const passed = await recordCheck(db, { userId, scenarioSlug, step: 0, passed: true, message: "ok" });
    const firstPass = passed.steps[0]?.passedAt;
    expect(firstPass).toBeInstanceOf(Date);
    const again = await recordCheck(db, { userId, scenarioSlug, step: 0, passed: false, message: "broke it" });
    expect(again.steps[0]?.passedAt).toEqual(firstPass);
    expect(again.steps[0]?.attempts).toBe(3);

    const outcome = await advanceStep(db, { userId, scenarioSlug, fromStep: 0, stepCount: 3, requiresCheck: true });
    expect(outcome.ok && outcome.progress.currentStep).toBe(1);
    expect(outcome.ok && outcome.progress.steps.map((s) => s.step)).toEqual([0, 1]);
  });

  it("refuses a stale advance and completes after the last step", async () => {
    const stale = await advanceStep(db, { userId, scenarioSlug, fromStep: 0, stepCount: 3, requiresCheck: false });
    expect(stale.ok).toBe(false);
    await advanceStep(db, { userId, scenarioSlug, fromStep: 1, stepCount: 3, requiresCheck: false });
    const done = await advanceStep(db, { userId, scenarioSlug, fromStep: 2, stepCount: 3, requiresCheck: false });
    expect(done.ok && done.progress.currentStep).toBe(3);
    expect(done.ok && done.progress.completedAt).toBeInstanceOf(Date);
  });

  it("is kept per user and per scenario, and can be reset", async () => {
    expect(await getProgress(db, "someone-else", scenarioSlug)).toBeNull();
    expect(await getProgress(db, userId, "other-scenario")).toBeNull();
    await resetProgress(db, userId, scenarioSlug);
    expect(await getProgress(db, userId, scenarioSlug)).toBeNull();
  });
});

describe("advancing twice at once", () => {
  it("moves on exactly once", async () => {
    const userId = "user-race";
    await recordCheck(db, { userId, scenarioSlug: "race", step: 0, passed: true, message: "" });
    const input = { userId, scenarioSlug: "race", fromStep: 0, stepCount: 3, requiresCheck: true };
    const outcomes = await Promise.all([advanceStep(db, input), advanceStep(db, input), advanceStep(db, input)]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect((await getProgress(db, userId, "race"))?.currentStep).toBe(1);
  });
});

describe("lab sessions", () => {
  it("track a session from starting to stopped", async () => {
    await createLabSession(db, { id: "s-lab-1", userId: "user-s", scenarioSlug: "basics" });
    expect((await findActiveLabSession(db, "user-s", "basics"))?.status).toBe("starting");
    const running = await markLabSession(db, "s-lab-1", "running");
    expect(running.readyAt).toBeInstanceOf(Date);
    await markLabSession(db, "s-lab-1", "stopped");
    expect(await findActiveLabSession(db, "user-s", "basics")).toBeNull();
  });
});

describe("lab session transitions", () => {
  it("move only from the expected status", async () => {
    await createLabSession(db, { id: "s-lab-2", userId: "user-t", scenarioSlug: "basics" });
    expect(await transitionLabSession(db, "s-lab-2", ["starting"], "failed", "superseded")).toBe(true);
    // The superseded start's late "ready" must not revive it.
    expect(await transitionLabSession(db, "s-lab-2", ["starting"], "running")).toBe(false);
    expect(await findActiveLabSession(db, "user-t", "basics")).toBeNull();
  });
});

describe("script runs", () => {
  it("keep the end of long output and only the newest runs of a session, and go with it", async () => {
    await createLabSession(db, { id: "s-runs", userId: "u-runs", scenarioSlug: "demo" });
    const long = `${"x".repeat(SCRIPT_OUTPUT_KEEP)}THE END`;
    await recordScriptRun(db, { sessionId: "s-runs", step: 0, kind: "verify", exitCode: 1, stdout: long });
    const [first] = await listScriptRuns(db, "s-runs");
    expect(first?.stdout.endsWith("THE END")).toBe(true);
    expect(first?.stdout.startsWith("[…cut…]")).toBe(true);
    expect(first?.stdout.length).toBeLessThan(SCRIPT_OUTPUT_KEEP + 20);

    for (let i = 0; i < SCRIPT_RUNS_KEEP + 5; i++) {
      await recordScriptRun(db, { sessionId: "s-runs", kind: "hint", exitCode: 0, stdout: `run ${i}` });
    }
    const kept = await listScriptRuns(db, "s-runs", 1000);
    expect(kept).toHaveLength(SCRIPT_RUNS_KEEP);
    expect(kept[0]?.stdout).toBe(`run ${SCRIPT_RUNS_KEEP + 4}`);

    // Programs print NUL, which PostgreSQL's text cannot hold.
    await recordScriptRun(db, {
      sessionId: "s-runs",
      kind: "verify",
      exitCode: 0,
      stdout: "a\u0000b",
      error: "c\u0000",
    });
    expect((await listScriptRuns(db, "s-runs", 1))[0]).toMatchObject({ stdout: "a\uFFFDb", error: "c\uFFFD" });

    await db.labSession.delete({ where: { id: "s-runs" } });
    expect(await listScriptRuns(db, "s-runs")).toEqual([]);
  });
});

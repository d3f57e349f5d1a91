import type { Db } from "./client.ts";
import { ensureUser } from "./progress.ts";

export type LabSessionStatus = "starting" | "running" | "stopped" | "failed";

export async function createLabSession(db: Db, input: { id: string; userId: string; scenarioSlug: string }) {
  await ensureUser(db, input.userId);
  return db.labSession.create({ data: { ...input, status: "starting" } });
}

/** The columns a change to `status` sets: the status, its error, and when it became ready or ended. */
function statusChange(status: LabSessionStatus, error?: string) {
  const now = new Date();
  return {
    status,
    error: error ?? null,
    ...(status === "running" ? { readyAt: now } : {}),
    ...(status === "stopped" || status === "failed" ? { stoppedAt: now } : {}),
  };
}

export async function markLabSession(db: Db, id: string, status: LabSessionStatus, error?: string) {
  return db.labSession.update({ where: { id }, data: statusChange(status, error) });
}

/**
 * Moves a session from one of `from` to `to`, only if it is still in one of them (compare-and-set): a late event of a
 * superseded start cannot bring a session back. True when it moved.
 */
export async function transitionLabSession(
  db: Db,
  id: string,
  from: LabSessionStatus[],
  to: LabSessionStatus,
  error?: string,
): Promise<boolean> {
  const { count } = await db.labSession.updateMany({
    where: { id, status: { in: from } },
    data: statusChange(to, error),
  });
  return count > 0;
}

/** The user's live session for a scenario, if any (starting or running). */
export async function findActiveLabSession(db: Db, userId: string, scenarioSlug: string) {
  return db.labSession.findFirst({
    where: { userId, scenarioSlug, status: { in: ["starting", "running"] } },
    orderBy: { createdAt: "desc" },
  });
}

export async function getLabSession(db: Db, id: string) {
  return db.labSession.findUnique({ where: { id } });
}

/**
 * Gives a starting session the id of the sandbox it got (one from the gateway's warm pool keeps its own). False when
 * the session is no longer starting (superseded), and nothing changes.
 */
export async function renameLabSession(db: Db, from: string, to: string): Promise<boolean> {
  const { count } = await db.labSession.updateMany({ where: { id: from, status: "starting" }, data: { id: to } });
  return count === 1;
}

import "server-only";
import { getLabSession } from "@dockyard/db";
import type { Scenario, ScenarioStep } from "@dockyard/scenario";
import { findScenario } from "./catalog.ts";
import { db } from "./db.ts";
import { fail } from "./respond.ts";
import { currentUserId } from "./user.ts";

/** What a route needs, or the response that says why it cannot have it. */
export type Guarded<T> = ({ ok: true } & T) | { ok: false; response: Response };

export async function requireUser(): Promise<Guarded<{ userId: string }>> {
  const userId = await currentUserId();
  return userId ? { ok: true, userId } : { ok: false, response: fail("UNAUTHENTICATED") };
}

/** The visitor's own lab session; another visitor's is FORBIDDEN. */
export async function requireOwnedSession(id: string) {
  const user = await requireUser();
  if (!user.ok) return user;
  const session = await getLabSession(db(), id);
  if (!session) return { ok: false as const, response: fail("NOT_FOUND", "No such session.") };
  if (session.userId !== user.userId) {
    return { ok: false as const, response: fail("FORBIDDEN", "This sandbox belongs to someone else.") };
  }
  return { ok: true as const, userId: user.userId, session };
}

export async function requireStep(
  slug: string,
  index: number,
): Promise<Guarded<{ userId: string; scenario: Scenario; step: ScenarioStep }>> {
  const user = await requireUser();
  if (!user.ok) return user;
  const scenario = await findScenario(slug);
  const step = scenario?.steps[index];
  if (!scenario || !step) return { ok: false, response: fail("NOT_FOUND", "No such step.") };
  return { ok: true, userId: user.userId, scenario, step };
}

import "server-only";
import { type Account, getLabSession, type Role } from "@dockyard/db";
import { sessionId as sessionIdSchema } from "@dockyard/protocol";
import type { Scenario, ScenarioStep } from "@dockyard/scenario";
import { forbidden } from "next/navigation";
import type { z } from "zod";
import { findScenario } from "./catalog.ts";
import { db } from "./db.ts";
import { fail, parseBody } from "./respond.ts";
import { currentUserId, currentViewer } from "./user.ts";

/** What a route needs, or the response that says why it cannot have it. */
export type Guarded<T> = ({ ok: true } & T) | { ok: false; response: Response };

export async function requireUser(): Promise<Guarded<{ userId: string }>> {
  const userId = await currentUserId();
  return userId ? { ok: true, userId } : { ok: false, response: fail("UNAUTHENTICATED") };
}

/**
 * A signed-in account with one of `roles` (admins pass every check). A guest or a signed-out browser is
 * UNAUTHENTICATED, an account without the role FORBIDDEN.
 */
export async function requireRole(...roles: Role[]): Promise<Guarded<{ account: Account }>> {
  const viewer = await currentViewer();
  if (!viewer?.account) return { ok: false, response: fail("UNAUTHENTICATED", "Sign in first.") };
  const { account } = viewer;
  if (account.role !== "admin" && !roles.includes(account.role)) {
    return { ok: false, response: fail("FORBIDDEN", `This needs the ${roles.join(" or ")} role.`) };
  }
  return { ok: true, account };
}

/** Any signed-in account (a guest is UNAUTHENTICATED). */
export async function requireAccount(): Promise<Guarded<{ account: Account }>> {
  const viewer = await currentViewer();
  if (!viewer?.account) return { ok: false, response: fail("UNAUTHENTICATED", "Sign in first.") };
  return { ok: true, account: viewer.account };
}

/** The same check for a page: anyone without the role gets the 403 page (app/forbidden.tsx). */
export async function requirePageRole(...roles: Role[]): Promise<Account> {
  const viewer = await currentViewer();
  const account = viewer?.account;
  if (!account || (account.role !== "admin" && !roles.includes(account.role))) forbidden();
  return account;
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

/**
 * The start of every step route: the body parsed with `schema`, the visitor, and the scenario and step the body
 * names (`stepOf`).
 */
export async function requireStepRequest<T extends z.ZodType>(
  request: Request,
  params: Promise<{ slug: string }>,
  schema: T,
  stepOf: (body: z.output<T>) => number,
): Promise<Guarded<{ slug: string; body: z.output<T>; userId: string; scenario: Scenario; step: ScenarioStep }>> {
  const { slug } = await params;
  const input = await parseBody(request, schema);
  if (!input.ok) return input;
  const found = await requireStep(slug, stepOf(input.value));
  if (!found.ok) return found;
  return { ...found, slug, body: input.value };
}

/** An admin acting on any sandbox by its id (the route's `[id]`); the id must look like one. */
export async function requireAdminOnSession(
  params: Promise<{ id: string }>,
): Promise<Guarded<{ account: Account; sessionId: string }>> {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin;
  const id = sessionIdSchema.safeParse((await params).id);
  if (!id.success) return { ok: false, response: fail("BAD_REQUEST", "That is not a session id.") };
  return { ok: true, account: admin.account, sessionId: id.data };
}

import { createHash, randomBytes, randomUUID } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import type { Db } from "./client.ts";
import { exclusive } from "./exclusive.ts";
import { textContains } from "./text-contains.ts";

export const ROLES = ["attendee", "instructor", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);

/** How long a sign-in lasts without use; each use (at most hourly) moves the end along. */
export const AUTH_SESSION_DAYS = 30;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export interface Account {
  id: string;
  email: string;
  displayName: string | null;
  role: Role;
  createdAt: Date;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Why a password cannot be used, or undefined when it can. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  return undefined;
}

/**
 * At most this many argon2 computations at once (each takes 19 MiB for about 50 ms): a flood of sign-ins waits in
 * line instead of taking the machine's memory.
 */
const ARGON2_AT_ONCE = 4;
let running = 0;
const waiting: (() => void)[] = [];
async function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (running >= ARGON2_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

// argon2id with the library's defaults (19 MiB, 2 passes, 1 lane: OWASP's recommended minimum).
export const hashPassword = (password: string) => bounded(() => hash(password));
const verifyPassword = (hashed: string, password: string) => bounded(() => verify(hashed, password));

/** A hash nobody's password matches, checked when the email is unknown so the answer takes as long either way. */
let decoy: Promise<string> | undefined;

function toAccount(user: {
  id: string;
  email: string | null;
  displayName: string | null;
  role: string;
  createdAt: Date;
}): Account {
  return {
    id: user.id,
    email: user.email ?? "",
    displayName: user.displayName,
    role: isRole(user.role) ? user.role : "attendee",
    createdAt: user.createdAt,
  };
}

export class AccountError extends Error {
  constructor(
    readonly code: "EMAIL_TAKEN" | "WEAK_PASSWORD" | "BAD_EMAIL",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Makes an account (always under a new random id). With `guestId`, the guest becomes the account: their progress,
 * sandboxes and events move with them; a guest id that is already an account is ignored.
 */
export async function createAccount(
  db: Db,
  input: { email: string; password: string; displayName?: string; role?: Role; guestId?: string },
): Promise<Account> {
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
    throw new AccountError("BAD_EMAIL", "That does not look like an email address.");
  }
  const weak = passwordProblem(input.password);
  if (weak) throw new AccountError("WEAK_PASSWORD", weak);
  if (await db.user.findUnique({ where: { email } })) {
    throw new AccountError("EMAIL_TAKEN", "An account with that email exists. Sign in instead.");
  }
  const data = {
    email,
    passwordHash: await hashPassword(input.password),
    displayName: input.displayName?.trim() || null,
    role: input.role ?? "attendee",
  };
  const id = randomUUID();
  try {
    if (input.guestId) {
      // The guest's rows follow the new id (foreign keys cascade), so the guest's old cookie, wherever a copy of it
      // is, no longer leads to the account: it starts a fresh guest.
      const [{ count }] = await db.$transaction([
        db.user.updateMany({ where: { id: input.guestId, email: null }, data: { ...data, id } }),
        db.sandboxLease.updateMany({ where: { userId: input.guestId }, data: { userId: id } }),
      ]);
      if (count === 1) return toAccount(await db.user.findUniqueOrThrow({ where: { id } }));
    }
    return toAccount(await db.user.create({ data: { id, ...data } }));
  } catch (error) {
    // Two sign-ups with one email at once: the unique index decides.
    if ((error as { code?: string }).code === "P2002") {
      throw new AccountError("EMAIL_TAKEN", "An account with that email exists. Sign in instead.");
    }
    throw error;
  }
}

/** The account with this email and password, or null; takes as long for an unknown email as for a wrong password. */
export async function authenticate(db: Db, email: string, password: string): Promise<Account | null> {
  const user = await db.user.findUnique({ where: { email: normalizeEmail(email) } });
  if (!user?.passwordHash) {
    decoy ??= hashPassword(randomBytes(16).toString("hex"));
    await verifyPassword(await decoy, password).catch(() => false);
    return null;
  }
  const ok = await verifyPassword(user.passwordHash, password).catch(() => false);
  return ok ? toAccount(user) : null;
}

export async function setPassword(db: Db, userId: string, password: string): Promise<void> {
  const weak = passwordProblem(password);
  if (weak) throw new AccountError("WEAK_PASSWORD", weak);
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password) } });
  // A new password signs out every browser.
  await db.authSession.deleteMany({ where: { userId } });
}

const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/** Signs a browser in: the token goes in its cookie, only its hash into the database. */
export async function createAuthSession(
  db: Db,
  userId: string,
  userAgent?: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + AUTH_SESSION_DAYS * 86_400_000);
  await db.authSession.create({
    data: { id: tokenHash(token), userId, expiresAt, userAgent: userAgent?.slice(0, 200) ?? null },
  });
  return { token, expiresAt };
}

/** The account a cookie's token signs in, or null when it is unknown, expired or not an account. */
export async function accountForToken(db: Db, token: string): Promise<Account | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const session = await db.authSession.findUnique({ where: { id: tokenHash(token) }, include: { user: true } });
  const now = Date.now();
  if (!session || session.expiresAt.getTime() <= now || !session.user.email) return null;
  if (now - session.lastUsedAt.getTime() > 3_600_000) {
    await db.authSession
      .update({
        where: { id: session.id },
        data: { lastUsedAt: new Date(now), expiresAt: new Date(now + AUTH_SESSION_DAYS * 86_400_000) },
      })
      .catch(() => undefined);
  }
  return toAccount(session.user);
}

export async function deleteAuthSession(db: Db, token: string): Promise<void> {
  await db.authSession.deleteMany({ where: { id: tokenHash(token) } });
}

/**
 * A guest signed in to an existing account: what the guest did goes to the account. Progress moves over where the
 * account has none or less (finished beats unfinished, a later step an earlier one), and so do the guest's sandboxes
 * (their leases too) and the events they joined; the guest is then removed.
 */
export async function mergeGuestInto(db: Db, guestId: string, accountId: string): Promise<void> {
  if (guestId === accountId) return;
  const guest = await db.user.findUnique({ where: { id: guestId } });
  if (!guest || guest.email) return;
  // Where both have progress in a scenario, the further one (finished, else the later step) is kept.
  const rank = (p: { completedAt: Date | null; currentStep: number }) => (p.completedAt ? 1e6 : p.currentStep);
  const mine = await db.progress.findMany({ where: { userId: accountId } });
  const theirs = new Map((await db.progress.findMany({ where: { userId: guestId } })).map((p) => [p.scenarioSlug, p]));
  const superseded = mine.filter((p) => {
    const other = theirs.get(p.scenarioSlug);
    return other && rank(other) > rank(p);
  });
  const taken = new Set(mine.filter((p) => !superseded.includes(p)).map((p) => p.scenarioSlug));
  const attending = new Set(
    (await db.eventAttendee.findMany({ where: { userId: accountId }, select: { eventId: true } })).map(
      (a) => a.eventId,
    ),
  );
  await db.$transaction([
    db.progress.deleteMany({ where: { id: { in: superseded.map((p) => p.id) } } }),
    db.sandboxLease.updateMany({ where: { userId: guestId }, data: { userId: accountId } }),
    db.progress.updateMany({
      where: { userId: guestId, scenarioSlug: { notIn: [...taken] } },
      data: { userId: accountId },
    }),
    db.labSession.updateMany({ where: { userId: guestId }, data: { userId: accountId } }),
    db.eventAttendee.updateMany({
      where: { userId: guestId, eventId: { notIn: [...attending] } },
      data: { userId: accountId },
    }),
    db.user.delete({ where: { id: guestId } }),
  ]);
}

export async function findAccount(db: Db, id: string): Promise<Account | null> {
  const user = await db.user.findUnique({ where: { id } });
  return user?.email ? toAccount(user) : null;
}

export async function findAccountByEmail(db: Db, email: string): Promise<Account | null> {
  const user = await db.user.findUnique({ where: { email: normalizeEmail(email) } });
  return user?.email ? toAccount(user) : null;
}

export async function setRole(db: Db, userId: string, role: Role): Promise<Account> {
  return toAccount(await db.user.update({ where: { id: userId }, data: { role } }));
}

/**
 * Changes a role unless that would leave no admin: the check and the change are one statement, and role changes take
 * turns, so two admins demoting each other at once cannot both succeed. Null when refused.
 */
export async function changeRole(db: Db, userId: string, role: Role): Promise<Account | null> {
  const changed = await exclusive(
    db,
    "user.role",
    (tx) => tx.$executeRaw`
      UPDATE "User" SET "role" = ${role}
      WHERE "id" = ${userId} AND "email" IS NOT NULL AND (
        ${role} = 'admin' OR "role" <> 'admin'
        OR (SELECT count(*) FROM "User" WHERE "role" = 'admin' AND "email" IS NOT NULL) > 1
      )`,
  );
  return changed === 1 ? findAccount(db, userId) : null;
}

export async function countAdmins(db: Db): Promise<number> {
  return db.user.count({ where: { role: "admin", email: { not: null } } });
}

/** Accounts, newest first, filtered by a part of the email or name. */
export async function listAccounts(db: Db, query = "", take = 200): Promise<Account[]> {
  const q = query.trim().toLowerCase();
  const users = await db.user.findMany({
    where: {
      email: { not: null },
      ...(q ? { OR: [{ email: textContains(db, q) }, { displayName: textContains(db, q) }] } : {}),
    },
    orderBy: { createdAt: "desc" },
    take,
  });
  return users.map(toAccount);
}

/** Who the users are, for pages that show owners: display name, else email, else "guest". */
export async function describeUsers(db: Db, ids: string[]): Promise<Map<string, { label: string; guest: boolean }>> {
  const users = await db.user.findMany({
    where: { id: { in: [...new Set(ids)] } },
    select: { id: true, email: true, displayName: true },
  });
  // A guest is known by the name they gave when joining a workshop, if they did.
  const joined = await db.eventAttendee.findMany({
    where: { userId: { in: users.filter((u) => !u.email).map((u) => u.id) } },
    orderBy: { joinedAt: "desc" },
    select: { userId: true, displayName: true },
  });
  const named = new Map<string, string>();
  for (const j of joined) if (!named.has(j.userId)) named.set(j.userId, j.displayName);
  const found = new Map(
    users.map((u) => [
      u.id,
      { label: u.displayName ?? u.email ?? named.get(u.id) ?? `guest ${u.id.slice(0, 8)}`, guest: !u.email },
    ]),
  );
  return new Map(ids.map((id) => [id, found.get(id) ?? { label: `guest ${id.slice(0, 8)}`, guest: true }]));
}

/**
 * The first admin, from the CLI or from DOCKYARD_ADMIN_EMAIL/DOCKYARD_ADMIN_PASSWORD at start: made when no account
 * has that email. An existing account is made admin only with `promote`, and then gets the given password (whoever
 * made it, the operator's password is the one that works from now on, and its other sign-ins end).
 */
export async function ensureAdmin(
  db: Db,
  input: { email: string; password: string; displayName?: string; promote?: boolean },
): Promise<{ account: Account; outcome: "created" | "promoted" | "exists" }> {
  const existing = await findAccountByEmail(db, input.email);
  if (!existing) return { account: await createAccount(db, { ...input, role: "admin" }), outcome: "created" };
  if (existing.role === "admin" || !input.promote) return { account: existing, outcome: "exists" };
  await setPassword(db, existing.id, input.password);
  return { account: await setRole(db, existing.id, "admin"), outcome: "promoted" };
}

/**
 * Gives a user a new id: every row that names them follows (foreign keys cascade; sandbox leases are updated). Used
 * once per legacy guest whose id was their cookie.
 */
export async function renameUser(db: Db, from: string, to: string): Promise<boolean> {
  const [{ count }] = await db.$transaction([
    db.user.updateMany({ where: { id: from }, data: { id: to } }),
    db.sandboxLease.updateMany({ where: { userId: from }, data: { userId: to } }),
  ]);
  return count === 1;
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accountForToken,
  authenticate,
  changeRole,
  createAccount,
  createAuthSession,
  deleteAuthSession,
  listAccounts,
  mergeGuestInto,
  setPassword,
  setRole,
} from "./accounts.ts";
import { listAudit, recordAudit } from "./audit.ts";
import type { Db } from "./client.ts";
import { createLabSession } from "./lab-sessions.ts";
import { advanceStep, getProgress, listProgress, recordCheck } from "./progress.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

let store: TestDatabase;
let db: Db;

beforeAll(async () => {
  store = await createTestDatabase();
  db = store.db;
});
afterAll(() => store.drop());

describe("accounts", () => {
  it("stores an argon2id hash, never the password, and signs in by email in any case", async () => {
    const account = await createAccount(db, { email: " Ada@Example.com ", password: "correct horse battery" });
    expect(account.email).toBe("ada@example.com");
    expect(account.role).toBe("attendee");
    const row = await db.user.findUniqueOrThrow({ where: { id: account.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain("correct horse");
    expect((await authenticate(db, "ADA@example.com", "correct horse battery"))?.id).toBe(account.id);
    expect(await authenticate(db, "ada@example.com", "wrong password!")).toBeNull();
    expect(await authenticate(db, "nobody@example.com", "correct horse battery")).toBeNull();
  });

  it("refuses a taken email, a short password and a non-address", async () => {
    await expect(createAccount(db, { email: "ada@example.com", password: "another password" })).rejects.toMatchObject({
      code: "EMAIL_TAKEN",
    });
    await expect(createAccount(db, { email: "bob@example.com", password: "short" })).rejects.toMatchObject({
      code: "WEAK_PASSWORD",
    });
    await expect(createAccount(db, { email: "not an email", password: "long enough pw" })).rejects.toMatchObject({
      code: "BAD_EMAIL",
    });
  });

  it("turns a guest into an account under a new id, progress, sandboxes and leases and all", async () => {
    const guestId = `g-${crypto.randomUUID()}`;
    await recordCheck(db, { userId: guestId, scenarioSlug: "intro", step: 0, passed: true, message: "ok" });
    await createLabSession(db, { id: "s-00000000000000aa", userId: guestId, scenarioSlug: "intro" });
    await db.sandboxLease.create({
      data: { sessionId: "s-00000000000000aa", userId: guestId, expiresAt: new Date(), maxExpiresAt: new Date() },
    });
    const account = await createAccount(db, { email: "guest@example.com", password: "guest password", guestId });
    // The old id (derived from the guest's cookie) leads nowhere now: a copy of that cookie is a fresh guest.
    expect(account.id).not.toBe(guestId);
    expect(await db.user.findUnique({ where: { id: guestId } })).toBeNull();
    expect((await getProgress(db, account.id, "intro"))?.steps[0]?.passedAt).not.toBeNull();
    expect((await db.labSession.findUniqueOrThrow({ where: { id: "s-00000000000000aa" } })).userId).toBe(account.id);
    expect((await db.sandboxLease.findUniqueOrThrow({ where: { sessionId: "s-00000000000000aa" } })).userId).toBe(
      account.id,
    );
    // An id that is already an account is not taken over.
    const other = await createAccount(db, {
      email: "other@example.com",
      password: "other password",
      guestId: account.id,
    });
    expect(other.id).not.toBe(account.id);
    expect((await db.user.findUniqueOrThrow({ where: { id: account.id } })).email).toBe("guest@example.com");
  });

  it("moves a guest's progress and sandboxes into the account they sign in to, keeping the account's own", async () => {
    const account = await createAccount(db, { email: "merge@example.com", password: "merge password" });
    await recordCheck(db, { userId: account.id, scenarioSlug: "both", step: 0, passed: false, message: "mine" });
    const guestId = crypto.randomUUID();
    await recordCheck(db, { userId: guestId, scenarioSlug: "both", step: 0, passed: true, message: "guest" });
    await recordCheck(db, { userId: guestId, scenarioSlug: "guest-only", step: 0, passed: true, message: "guest" });
    await createLabSession(db, { id: crypto.randomUUID(), userId: guestId, scenarioSlug: "guest-only" });
    await recordCheck(db, { userId: account.id, scenarioSlug: "mine-further", step: 0, passed: true, message: "mine" });
    await advanceStep(db, {
      userId: account.id,
      scenarioSlug: "mine-further",
      fromStep: 0,
      stepCount: 1,
      requiresCheck: true,
    });
    await recordCheck(db, { userId: guestId, scenarioSlug: "mine-further", step: 0, passed: false, message: "g" });
    await recordCheck(db, { userId: guestId, scenarioSlug: "guest-further", step: 0, passed: true, message: "g" });
    await advanceStep(db, {
      userId: guestId,
      scenarioSlug: "guest-further",
      fromStep: 0,
      stepCount: 1,
      requiresCheck: true,
    });
    await recordCheck(db, { userId: account.id, scenarioSlug: "guest-further", step: 0, passed: false, message: "m" });
    await mergeGuestInto(db, guestId, account.id);
    expect((await getProgress(db, account.id, "both"))?.steps[0]?.lastMessage).toBe("mine");
    // The further progress wins, whoever's it was.
    expect((await getProgress(db, account.id, "mine-further"))?.completedAt).not.toBeNull();
    expect((await getProgress(db, account.id, "guest-further"))?.completedAt).not.toBeNull();
    expect((await getProgress(db, account.id, "guest-only"))?.steps[0]?.lastMessage).toBe("guest");
    expect(await db.labSession.count({ where: { userId: account.id } })).toBe(1);
    expect(await db.user.findUnique({ where: { id: guestId } })).toBeNull();
  });

  it("signs a browser in with a token only it knows, and out again; a new password signs every browser out", async () => {
    const account = await createAccount(db, { email: "token@example.com", password: "token password" });
    const { token } = await createAuthSession(db, account.id, "test");
    expect((await accountForToken(db, token))?.id).toBe(account.id);
    expect(await db.authSession.findFirst({ where: { id: token } })).toBeNull(); // only the hash is stored
    expect(await accountForToken(db, `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`)).toBeNull();
    expect(await accountForToken(db, "../../etc/passwd")).toBeNull();
    await deleteAuthSession(db, token);
    expect(await accountForToken(db, token)).toBeNull();
    const second = await createAuthSession(db, account.id);
    await setPassword(db, account.id, "a brand new password");
    expect(await accountForToken(db, second.token)).toBeNull();
    expect(await authenticate(db, "token@example.com", "a brand new password")).not.toBeNull();
  });

  it("expired sign-ins are refused", async () => {
    const account = await createAccount(db, { email: "old@example.com", password: "old password!" });
    const { token } = await createAuthSession(db, account.id);
    await db.authSession.updateMany({ where: { userId: account.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await accountForToken(db, token)).toBeNull();
  });

  it("never lets the last admin go, even when two admins demote each other at once", async () => {
    const one = await createAccount(db, { email: "one@admins.test", password: "admin password", role: "admin" });
    const two = await createAccount(db, { email: "two@admins.test", password: "admin password", role: "admin" });
    await db.user.updateMany({
      where: { role: "admin", id: { notIn: [one.id, two.id] } },
      data: { role: "attendee" },
    });
    const results = await Promise.all([changeRole(db, one.id, "attendee"), changeRole(db, two.id, "attendee")]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db.user.count({ where: { role: "admin" } })).toBe(1);
    expect((await changeRole(db, one.id, "admin"))?.role).toBe("admin");
  });

  it("changes roles and lists accounts by a part of the email", async () => {
    const account = await createAccount(db, { email: "teach@example.com", password: "teach password" });
    expect((await setRole(db, account.id, "instructor")).role).toBe("instructor");
    expect((await listAccounts(db, "TEACH")).map((a) => a.email)).toEqual(["teach@example.com"]);
    // A part of the name, in any case (PostgreSQL compares case by default, SQLite's LIKE does not).
    await createAccount(db, { email: "grace@example.com", password: "grace password", displayName: "Grace Hopper" });
    expect((await listAccounts(db, "hopper")).map((a) => a.email)).toEqual(["grace@example.com"]);
  });
});

describe("audit log", () => {
  it("keeps who did what to what, newest first, searchable", async () => {
    const actor = { id: "a1", email: "admin@example.com", role: "admin" };
    await recordAudit(db, actor, "session.stop", "s-1", { reason: "test" });
    await recordAudit(db, actor, "user.role", "bob@example.com", { role: "instructor" });
    const all = await listAudit(db);
    expect(all.map((e) => e.action)).toEqual(["user.role", "session.stop"]);
    expect(all[1]?.detail).toEqual({ reason: "test" });
    expect((await listAudit(db, { query: "bob@" })).map((e) => e.target)).toEqual(["bob@example.com"]);
    expect((await listAudit(db, { query: "BOB@Example" })).map((e) => e.target)).toEqual(["bob@example.com"]);
    expect((await listAudit(db, { before: all[0]?.id })).map((e) => e.action)).toEqual(["session.stop"]);
  });
});

describe("progress summaries", () => {
  it("lists started scenarios with steps passed and time on steps", async () => {
    const userId = crypto.randomUUID();
    await recordCheck(db, { userId, scenarioSlug: "s", step: 0, passed: true, message: "ok" });
    await advanceStep(db, { userId, scenarioSlug: "s", fromStep: 0, stepCount: 2, requiresCheck: true });
    const [summary] = await listProgress(db, userId);
    expect(summary).toMatchObject({ scenarioSlug: "s", currentStep: 1, stepsPassed: 1, completedAt: null });
    expect(summary?.activeMs).toBeGreaterThanOrEqual(0);
  });
});

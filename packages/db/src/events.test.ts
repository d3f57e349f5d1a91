import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, mergeGuestInto } from "./accounts.ts";
import type { Db } from "./client.ts";
import {
  attendsEventOf,
  CODE_LENGTH,
  createEvent,
  eventMessages,
  eventProgress,
  joinEvent,
  joinedEvents,
  postEventMessage,
  setHand,
} from "./events.ts";
import { createLabSession, markLabSession } from "./lab-sessions.ts";
import { recordCheck } from "./progress.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

let store: TestDatabase;
let db: Db;
let ownerId: string;
const hour = 3_600_000;

beforeAll(async () => {
  store = await createTestDatabase();
  db = store.db;
  ownerId = (
    await createAccount(db, { email: "teacher@example.com", password: "teacher password", role: "instructor" })
  ).id;
});
afterAll(() => store.drop());

const event = (over: Partial<Parameters<typeof createEvent>[1]> = {}) =>
  createEvent(db, {
    ownerId,
    title: "Docker day",
    scenarios: ["one", "two"],
    startsAt: new Date(Date.now() - hour),
    endsAt: new Date(Date.now() + hour),
    capacity: 2,
    warmPool: 1,
    ...over,
  });

describe("events", () => {
  it("get an unambiguous code, and a chosen code is unique", async () => {
    const e = await event();
    expect(e.code).toMatch(new RegExp(`^[A-HJKMNP-Z2-9]{${CODE_LENGTH}}$`));
    await event({ code: "ndc-2026" });
    await expect(event({ code: "NDC2026" })).rejects.toMatchObject({ code: "CODE_TAKEN" });
    await expect(event({ scenarios: [] })).rejects.toMatchObject({ code: "INVALID" });
    await expect(event({ endsAt: new Date(Date.now() - 2 * hour) })).rejects.toMatchObject({ code: "INVALID" });
  });

  it("are joined by code in any case, up to capacity, and not when ended or long before the start", async () => {
    const e = await event();
    const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await joinEvent(db, { code: e.code.toLowerCase(), userId: a, displayName: "Ann" });
    await joinEvent(db, { code: e.code, userId: b, displayName: "Bo" });
    // Joining again is fine (a rename), even when full.
    expect((await joinEvent(db, { code: e.code, userId: a, displayName: "Ann B" })).attendeeCount).toBe(2);
    await expect(joinEvent(db, { code: e.code, userId: c, displayName: "Cy" })).rejects.toMatchObject({ code: "FULL" });
    await expect(joinEvent(db, { code: "NOPE99", userId: c, displayName: "Cy" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const ended = await event({ startsAt: new Date(Date.now() - 3 * hour), endsAt: new Date(Date.now() - hour) });
    await expect(joinEvent(db, { code: ended.code, userId: c, displayName: "Cy" })).rejects.toMatchObject({
      code: "ENDED",
    });
    const later = await event({ startsAt: new Date(Date.now() + 3 * hour), endsAt: new Date(Date.now() + 5 * hour) });
    await expect(joinEvent(db, { code: later.code, userId: c, displayName: "Cy" })).rejects.toMatchObject({
      code: "NOT_OPEN",
    });
    expect((await joinedEvents(db, a)).map((x) => x.id)).toEqual([e.id]);
    expect(await attendsEventOf(db, a, ownerId)).toBe(true);
    expect(await attendsEventOf(db, c, ownerId)).toBe(false);
  });

  it("never pass their capacity, even with many joining at once", async () => {
    const e = await event({ capacity: 3 });
    const joins = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        joinEvent(db, { code: e.code, userId: crypto.randomUUID(), displayName: `P${i}` }),
      ),
    );
    expect(joins.filter((j) => j.status === "fulfilled")).toHaveLength(3);
    expect(await db.eventAttendee.count({ where: { eventId: e.id } })).toBe(3);
    const [row] = await eventProgress(db, e);
    expect(row?.joinedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(row?.joinedAt.getTime())).toBe(false);
  });

  it("show each attendee's progress, raised hand and running sandbox", async () => {
    const e = await event();
    const a = crypto.randomUUID();
    await joinEvent(db, { code: e.code, userId: a, displayName: "Ann" });
    await recordCheck(db, { userId: a, scenarioSlug: "one", step: 0, passed: true, message: "ok" });
    await recordCheck(db, { userId: a, scenarioSlug: "elsewhere", step: 0, passed: true, message: "ok" });
    await createLabSession(db, { id: "s-0123456789abcdef", userId: a, scenarioSlug: "one" });
    await markLabSession(db, "s-0123456789abcdef", "running");
    expect(await setHand(db, e.id, a, { slug: "one", step: 0 })).toBe(true);
    expect(await setHand(db, e.id, crypto.randomUUID(), { slug: "one", step: 0 })).toBe(false);
    const [row] = await eventProgress(db, e);
    expect(row?.displayName).toBe("Ann");
    expect(Object.keys(row?.scenarios ?? {})).toEqual(["one"]);
    expect(row?.scenarios.one?.sessionId).toBe("s-0123456789abcdef");
    expect(row?.scenarios.one?.steps[0]?.passedAt).not.toBeNull();
    expect(row?.hand).toMatchObject({ slug: "one", step: 0 });
    await setHand(db, e.id, a, null);
    expect((await eventProgress(db, e))[0]?.hand).toBeNull();
  });

  it("carry messages to everyone, in order, after what a page has seen", async () => {
    const e = await event();
    const first = await postEventMessage(db, e.id, "Break until 11:00");
    await postEventMessage(db, e.id, "We are back");
    expect((await eventMessages(db, [e.id])).map((m) => m.text)).toEqual(["Break until 11:00", "We are back"]);
    expect((await eventMessages(db, [e.id], first.id)).map((m) => m.text)).toEqual(["We are back"]);
  });

  it("stay joined when a guest signs in to an account", async () => {
    const e = await event({ capacity: 10 });
    const guest = crypto.randomUUID();
    await joinEvent(db, { code: e.code, userId: guest, displayName: "Guest" });
    const account = await createAccount(db, { email: "joiner@example.com", password: "joiner password" });
    await mergeGuestInto(db, guest, account.id);
    expect((await joinedEvents(db, account.id)).map((x) => x.id)).toContain(e.id);
  });
});

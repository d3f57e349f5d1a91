import { randomInt, randomUUID } from "node:crypto";
import { type Db, databaseKindOf } from "./client.ts";
import { exclusive } from "./exclusive.ts";

/** Codes people type from a slide: no 0/O, 1/I/L. */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 6;
/** Attendees may join this long before the start (to see the scenarios, and for the warm pool to be ready). */
export const JOIN_EARLY_MS = 60 * 60_000;

export interface EventView {
  id: string;
  code: string;
  title: string;
  ownerId: string;
  scenarios: string[];
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  warmPool: number;
  createdAt: Date;
  attendeeCount: number;
}

type EventRow = {
  id: string;
  code: string;
  title: string;
  ownerId: string;
  scenarios: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  warmPool: number;
  createdAt: Date;
  _count?: { attendees: number };
};

function view(row: EventRow): EventView {
  let scenarios: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.scenarios);
    if (Array.isArray(parsed)) scenarios = parsed.filter((s): s is string => typeof s === "string");
  } catch {
    // Written by this module only.
  }
  const { _count, ...rest } = row;
  return { ...rest, scenarios, attendeeCount: _count?.attendees ?? 0 };
}

export const normalizeCode = (code: string) => code.trim().toUpperCase().replace(/[\s-]/g, "");

export function newEventCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
}

export interface EventInput {
  ownerId: string;
  title: string;
  scenarios: string[];
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  warmPool: number;
  /** A code of the instructor's choosing; a random one otherwise. */
  code?: string;
}

export class EventError extends Error {
  constructor(
    readonly code: "NOT_FOUND" | "CODE_TAKEN" | "ENDED" | "NOT_OPEN" | "FULL" | "INVALID",
    message: string,
  ) {
    super(message);
  }
}

export async function createEvent(db: Db, input: EventInput): Promise<EventView> {
  if (input.endsAt <= input.startsAt) throw new EventError("INVALID", "The end must be after the start.");
  if (input.scenarios.length === 0) throw new EventError("INVALID", "Pick at least one scenario.");
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = input.code ? normalizeCode(input.code) : newEventCode();
    try {
      const row = await db.event.create({
        data: {
          id: randomUUID(),
          code,
          title: input.title,
          ownerId: input.ownerId,
          scenarios: JSON.stringify(input.scenarios),
          startsAt: input.startsAt,
          endsAt: input.endsAt,
          capacity: input.capacity,
          warmPool: input.warmPool,
        },
      });
      return view(row);
    } catch (error) {
      if ((error as { code?: string }).code !== "P2002") throw error;
      if (input.code) throw new EventError("CODE_TAKEN", `The code ${code} is taken; choose another.`);
    }
  }
  throw new EventError("CODE_TAKEN", "No free code was found; try again.");
}

export async function getEvent(db: Db, id: string): Promise<EventView | null> {
  const row = await db.event.findUnique({ where: { id }, include: { _count: { select: { attendees: true } } } });
  return row ? view(row) : null;
}

/** An instructor's events (every event for `ownerId` undefined: an admin), the soonest to end first. */
export async function listEvents(db: Db, ownerId?: string): Promise<EventView[]> {
  const rows = await db.event.findMany({
    where: ownerId ? { ownerId } : {},
    include: { _count: { select: { attendees: true } } },
    orderBy: [{ endsAt: "desc" }],
  });
  return rows.map(view);
}

/** Joins an event by its code, under a display name; joining again only changes the name. */
export async function joinEvent(
  db: Db,
  input: { code: string; userId: string; displayName: string; now?: Date },
): Promise<EventView> {
  const now = input.now ?? new Date();
  const row = await db.event.findUnique({
    where: { code: normalizeCode(input.code) },
    include: { _count: { select: { attendees: true } } },
  });
  if (!row) throw new EventError("NOT_FOUND", "No event has that code. Check it with your instructor.");
  const event = view(row);
  const already = await db.eventAttendee.findUnique({
    where: { eventId_userId: { eventId: event.id, userId: input.userId } },
  });
  if (!already) {
    if (now >= event.endsAt) throw new EventError("ENDED", `${event.title} has ended.`);
    if (now.getTime() < event.startsAt.getTime() - JOIN_EARLY_MS) {
      throw new EventError("NOT_OPEN", `${event.title} opens an hour before it starts.`);
    }
    if (event.attendeeCount >= event.capacity) throw new EventError("FULL", `${event.title} is full.`);
  }
  await db.user.upsert({ where: { id: input.userId }, create: { id: input.userId }, update: {} });
  if (already) {
    await db.eventAttendee.update({
      where: { eventId_userId: { eventId: event.id, userId: input.userId } },
      data: { displayName: input.displayName },
    });
    return event;
  }
  // The count and the insert in one statement, taking turns per event, so joins at the same moment cannot pass the
  // capacity together. The dialects differ in how a timestamp parameter is written.
  const inserted = await exclusive(db, `event:${event.id}`, (tx) =>
    databaseKindOf(db) === "postgresql"
      ? tx.$executeRaw`
          INSERT INTO "EventAttendee" ("eventId", "userId", "displayName", "joinedAt")
          SELECT ${event.id}, ${input.userId}, ${input.displayName}, CAST(${now} AS TIMESTAMP(3))
          WHERE (SELECT count(*) FROM "EventAttendee" WHERE "eventId" = ${event.id}) < ${event.capacity}
          ON CONFLICT DO NOTHING`
      : tx.$executeRaw`
          INSERT OR IGNORE INTO "EventAttendee" ("eventId", "userId", "displayName", "joinedAt")
          SELECT ${event.id}, ${input.userId}, ${input.displayName}, ${now.toISOString().replace("Z", "+00:00")}
          WHERE (SELECT count(*) FROM "EventAttendee" WHERE "eventId" = ${event.id}) < ${event.capacity}`,
  );
  if (inserted === 0) {
    const joined = await db.eventAttendee.count({ where: { eventId: event.id, userId: input.userId } });
    if (!joined) throw new EventError("FULL", `${event.title} is full.`);
  }
  return { ...event, attendeeCount: event.attendeeCount + 1 };
}

/** Events the user joined that have not ended, the newest join first. */
export async function joinedEvents(db: Db, userId: string, now = new Date()): Promise<EventView[]> {
  const rows = await db.eventAttendee.findMany({
    where: { userId, event: { endsAt: { gt: now } } },
    include: { event: { include: { _count: { select: { attendees: true } } } } },
    orderBy: { joinedAt: "desc" },
  });
  return rows.map((r) => view(r.event));
}

/** Raises (with where the attendee is) or lowers the attendee's hand in an event. False if not an attendee. */
export async function setHand(
  db: Db,
  eventId: string,
  userId: string,
  where: { slug: string; step: number } | null,
): Promise<boolean> {
  const { count } = await db.eventAttendee.updateMany({
    where: { eventId, userId },
    data: where
      ? { handAt: new Date(), handSlug: where.slug, handStep: where.step }
      : { handAt: null, handSlug: null, handStep: null },
  });
  return count === 1;
}

export async function postEventMessage(db: Db, eventId: string, text: string) {
  return db.eventMessage.create({ data: { eventId, text } });
}

/** Messages of these events, oldest first, after an id (what the page has seen). */
export async function eventMessages(db: Db, eventIds: string[], afterId = 0, take = 20) {
  const rows = await db.eventMessage.findMany({
    where: { eventId: { in: eventIds }, id: { gt: afterId } },
    orderBy: { id: "desc" },
    take,
  });
  return rows.reverse();
}

export interface AttendeeProgress {
  userId: string;
  displayName: string;
  joinedAt: Date;
  hand: { at: Date; slug: string | null; step: number | null } | null;
  /** By scenario slug: where they are, and each step's start, pass and attempts. */
  scenarios: Record<
    string,
    {
      currentStep: number;
      completedAt: Date | null;
      steps: { step: number; startedAt: Date; passedAt: Date | null; attempts: number }[];
      /** Their running sandbox for it, if any, and when it started. */
      sessionId: string | null;
      sessionStartedAt: Date | null;
    }
  >;
}

/** Every attendee of an event with their progress in its scenarios and their running sandboxes. */
export async function eventProgress(db: Db, event: EventView): Promise<AttendeeProgress[]> {
  const attendees = await db.eventAttendee.findMany({ where: { eventId: event.id }, orderBy: { joinedAt: "asc" } });
  const userIds = attendees.map((a) => a.userId);
  const joined = new Map(attendees.map((a) => [a.userId, a.joinedAt.getTime()]));
  // Only what they did in this event: progress touched and sandboxes started since they joined it.
  const since = (userId: string, at: Date) => at.getTime() >= (joined.get(userId) ?? Number.POSITIVE_INFINITY);
  const [progress, sessions] = await Promise.all([
    db.progress.findMany({
      where: { userId: { in: userIds }, scenarioSlug: { in: event.scenarios } },
      include: { steps: { orderBy: { step: "asc" } } },
    }),
    db.labSession.findMany({
      where: { userId: { in: userIds }, scenarioSlug: { in: event.scenarios }, status: "running" },
      orderBy: { createdAt: "desc" },
    }),
  ]);
  return attendees.map((a) => {
    const scenarios: AttendeeProgress["scenarios"] = {};
    for (const p of progress.filter((p) => p.userId === a.userId && since(p.userId, p.updatedAt))) {
      scenarios[p.scenarioSlug] = {
        currentStep: p.currentStep,
        completedAt: p.completedAt,
        steps: p.steps.map(({ step, startedAt, passedAt, attempts }) => ({ step, startedAt, passedAt, attempts })),
        sessionId: null,
        sessionStartedAt: null,
      };
    }
    for (const s of sessions.filter((s) => s.userId === a.userId && since(s.userId, s.createdAt))) {
      const entry = scenarios[s.scenarioSlug] ?? {
        currentStep: 0,
        completedAt: null,
        steps: [],
        sessionId: null,
        sessionStartedAt: null,
      };
      if (!entry.sessionId) {
        entry.sessionId = s.id;
        entry.sessionStartedAt = s.createdAt;
      }
      scenarios[s.scenarioSlug] = entry;
    }
    return {
      userId: a.userId,
      displayName: a.displayName,
      joinedAt: a.joinedAt,
      hand: a.handAt ? { at: a.handAt, slug: a.handSlug, step: a.handStep } : null,
      scenarios,
    };
  });
}

/** Whether the user attends an event owned by `ownerId` (an instructor may look at their own attendees only). */
export async function attendsEventOf(db: Db, userId: string, ownerId: string): Promise<boolean> {
  return (await db.eventAttendee.count({ where: { userId, event: { ownerId } } })) > 0;
}

/**
 * The event each (user, scenario) pair belongs to, for labelling sandboxes: the newest joined event of the user that
 * lists the scenario. Keys are `${userId}\n${scenario}`.
 */
export async function eventsOfSandboxes(
  db: Db,
  pairs: { userId: string; scenario: string }[],
): Promise<Map<string, { id: string; code: string; title: string }>> {
  const rows = await db.eventAttendee.findMany({
    where: { userId: { in: [...new Set(pairs.map((p) => p.userId))] } },
    include: { event: true },
    orderBy: { joinedAt: "desc" },
  });
  const found = new Map<string, { id: string; code: string; title: string }>();
  for (const { userId, scenario } of pairs) {
    const match = rows.find((r) => r.userId === userId && view(r.event).scenarios.includes(scenario));
    if (match)
      found.set(`${userId}\n${scenario}`, { id: match.event.id, code: match.event.code, title: match.event.title });
  }
  return found;
}

/** The running lab sessions of an event: its attendees' sandboxes in its scenarios, started since they joined. */
export async function runningSessionsOfEvent(db: Db, event: EventView) {
  const attendees = await db.eventAttendee.findMany({ where: { eventId: event.id } });
  const sessions = await db.labSession.findMany({
    where: {
      userId: { in: attendees.map((a) => a.userId) },
      scenarioSlug: { in: event.scenarios },
      status: { in: ["starting", "running"] },
    },
  });
  const joined = new Map(attendees.map((a) => [a.userId, a.joinedAt.getTime()]));
  return sessions.filter((s) => s.createdAt.getTime() >= (joined.get(s.userId) ?? Number.POSITIVE_INFINITY));
}

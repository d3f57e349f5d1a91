import { randomBytes } from "node:crypto";
import type { Db } from "./client.ts";
import { databaseNow } from "./database-clock.ts";

export type EngineState = "up" | "down";

/** An engine as the gateway works with it: labels parsed, TLS material as stored (the key included). */
export interface EngineRecord {
  id: string;
  name: string;
  endpoint: string;
  tlsCa: string | null;
  tlsCert: string | null;
  tlsKey: string | null;
  capacity: number;
  labels: string[];
  subnets: string | null;
  enabled: boolean;
  state: EngineState;
  lastSeenAt: Date | null;
  lastError: string | null;
  /** The Docker daemon's ID (`docker info`), once it answered: one daemon is one engine. */
  daemonId: string | null;
  createdAt: Date;
}

export interface EngineInput {
  name: string;
  endpoint: string;
  capacity: number;
  labels: string[];
  subnets?: string | null;
  tls?: { ca: string; cert: string; key: string } | null;
  /** The Docker daemon's ID, when it answered already. */
  daemonId?: string | null;
}

type EngineRow = Omit<EngineRecord, "labels" | "state"> & { labels: string; state: string };

function parseLabels(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    // Written by this module only; an unreadable value offers nothing.
    return [];
  }
}

const recordOf = (row: EngineRow): EngineRecord => ({
  ...row,
  labels: parseLabels(row.labels),
  state: row.state === "down" ? "down" : "up",
});

export async function listEngines(db: Db): Promise<EngineRecord[]> {
  return (await db.engine.findMany({ orderBy: { name: "asc" } })).map(recordOf);
}

export async function findEngine(db: Db, name: string): Promise<EngineRecord | undefined> {
  const row = await db.engine.findUnique({ where: { name } });
  return row ? recordOf(row) : undefined;
}

/** The engine registered for a Docker daemon (by its ID), if one is. */
export async function findEngineByDaemon(db: Db, daemonId: string): Promise<EngineRecord | undefined> {
  const row = await db.engine.findFirst({ where: { daemonId }, orderBy: { createdAt: "asc" } });
  return row ? recordOf(row) : undefined;
}

/**
 * Records the daemon an engine turned out to be, the first time it answers: `recorded`, or `taken` with the engine
 * that daemon is registered as already (then this one must not be used: two names for one daemon would see each
 * other's sandboxes as nobody's), or `differs` when another ID was recorded meanwhile.
 */
export async function recordEngineDaemon(
  db: Db,
  name: string,
  daemonId: string,
): Promise<{ outcome: "recorded" | "differs" } | { outcome: "taken"; by: string }> {
  const other = await db.engine.findFirst({ where: { daemonId, name: { not: name } }, select: { name: true } });
  if (other) return { outcome: "taken", by: other.name };
  const { count } = await db.engine.updateMany({ where: { name, daemonId: null }, data: { daemonId } });
  if (count === 1) return { outcome: "recorded" };
  const row = await db.engine.findUnique({ where: { name }, select: { daemonId: true } });
  return { outcome: row?.daemonId === daemonId ? "recorded" : "differs" };
}

/** Registers an engine (up, as it was just seen answering); undefined when the name is taken. */
export async function createEngine(db: Db, input: EngineInput, now?: Date): Promise<EngineRecord | undefined> {
  if (await db.engine.findUnique({ where: { name: input.name } })) return undefined;
  const seen = now ?? (await databaseNow(db));
  try {
    const row = await db.engine.create({
      data: {
        id: `eng-${randomBytes(6).toString("hex")}`,
        name: input.name,
        endpoint: input.endpoint,
        capacity: input.capacity,
        labels: JSON.stringify([...new Set(input.labels)].sort()),
        subnets: input.subnets ?? null,
        tlsCa: input.tls?.ca ?? null,
        tlsCert: input.tls?.cert ?? null,
        tlsKey: input.tls?.key ?? null,
        state: "up",
        lastSeenAt: seen,
        daemonId: input.daemonId ?? null,
      },
    });
    return recordOf(row);
  } catch (error) {
    // Taken meanwhile by another gateway (unique name).
    if ((error as { code?: string }).code === "P2002") return undefined;
    throw error;
  }
}

/**
 * Registers `input` if no engine exists at all (a one-machine install's own engine, at the gateway's start); true
 * when it did.
 */
export async function ensureFirstEngine(db: Db, input: EngineInput): Promise<boolean> {
  if ((await db.engine.count()) > 0) return false;
  return (await createEngine(db, input)) !== undefined;
}

export async function updateEngine(
  db: Db,
  name: string,
  patch: { capacity?: number; labels?: string[]; enabled?: boolean },
): Promise<EngineRecord | undefined> {
  const { count } = await db.engine.updateMany({
    where: { name },
    data: {
      ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
      ...(patch.labels !== undefined ? { labels: JSON.stringify([...new Set(patch.labels)].sort()) } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    },
  });
  return count === 1 ? findEngine(db, name) : undefined;
}

/** Removes an engine that has no leased sandbox: `busy` (with how many) while it has some. */
export async function deleteEngine(
  db: Db,
  name: string,
): Promise<{ outcome: "removed" | "missing" } | { outcome: "busy"; sessions: number }> {
  const sessions = await db.sandboxLease.count({ where: { engine: name } });
  if (sessions > 0) return { outcome: "busy", sessions };
  const { count } = await db.engine.deleteMany({ where: { name } });
  return { outcome: count === 1 ? "removed" : "missing" };
}

/**
 * Marks an engine down (compare-and-set: only one of several gateways makes the change); true for the one that did.
 * Only when no gateway has seen it answer for `unseenForMs` (by the database's clock): one gateway that cannot reach
 * an engine the others reach does not take it from them.
 */
export async function markEngineDown(
  db: Db,
  name: string,
  error: string,
  { unseenForMs }: { unseenForMs: number },
): Promise<boolean> {
  const before = new Date((await databaseNow(db)).getTime() - unseenForMs);
  const { count } = await db.engine.updateMany({
    where: { name, state: "up", OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: before } }] },
    data: { state: "down", lastError: error.slice(0, 500) },
  });
  return count === 1;
}

/** Marks a down engine up again (compare-and-set, as markEngineDown); true for the gateway that did. */
export async function markEngineUp(db: Db, name: string, now?: Date): Promise<boolean> {
  const { count } = await db.engine.updateMany({
    where: { name, state: "down" },
    data: { state: "up", lastError: null, lastSeenAt: now ?? (await databaseNow(db)) },
  });
  return count === 1;
}

/** The engine answered just now (an earlier failure is forgotten), by the database's clock. */
export async function engineSeen(db: Db, name: string, now?: Date): Promise<void> {
  await db.engine.updateMany({
    where: { name },
    data: { lastSeenAt: now ?? (await databaseNow(db)), lastError: null },
  });
}

/** The engine did not answer; it stays up until enough failures in a row (the gateway's rule) mark it down. */
export async function engineFailed(db: Db, name: string, error: string): Promise<void> {
  await db.engine.updateMany({ where: { name }, data: { lastError: error.slice(0, 500) } });
}

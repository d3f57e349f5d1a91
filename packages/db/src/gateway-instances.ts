import type { Db } from "./client.ts";
import { databaseNow } from "./database-clock.ts";

/**
 * The gateway `id` is alive: its row is made on the first beat and its last-seen time moved on each, by the
 * database's clock (`now` only for tests).
 */
export async function gatewayHeartbeat(db: Db, id: string, now?: Date): Promise<void> {
  const at = now ?? (await databaseNow(db));
  await db.gatewayInstance.upsert({
    where: { id },
    create: { id, startedAt: at, lastSeenAt: at },
    update: { lastSeenAt: at },
  });
}

/** Gateways that beat within the last `withinMs` by the database's clock; every other one (and one never recorded) is gone. */
export async function liveGateways(db: Db, withinMs: number): Promise<Set<string>> {
  const since = new Date((await databaseNow(db)).getTime() - withinMs);
  const rows = await db.gatewayInstance.findMany({ where: { lastSeenAt: { gte: since } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

/** A gateway that stops cleanly says so; rows of those silent for `silentMs` are cleared by whoever beats. */
export async function forgetGateways(db: Db, ids: { id?: string; silentMs?: number }): Promise<void> {
  if (ids.id) await db.gatewayInstance.deleteMany({ where: { id: ids.id } });
  if (ids.silentMs !== undefined) {
    const before = new Date((await databaseNow(db)).getTime() - ids.silentMs);
    await db.gatewayInstance.deleteMany({ where: { lastSeenAt: { lt: before } } });
  }
}

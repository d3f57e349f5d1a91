import type { Db } from "./client.ts";

/** The gateway `id` is alive: its row is made on the first beat and its last-seen time moved on each. */
export async function gatewayHeartbeat(db: Db, id: string, now = new Date()): Promise<void> {
  await db.gatewayInstance.upsert({
    where: { id },
    create: { id, startedAt: now, lastSeenAt: now },
    update: { lastSeenAt: now },
  });
}

/** Gateways that beat since `since`; every other one (and one never recorded) is gone. */
export async function liveGateways(db: Db, since: Date): Promise<Set<string>> {
  const rows = await db.gatewayInstance.findMany({ where: { lastSeenAt: { gte: since } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

/** A gateway that stops cleanly says so; rows of long-gone ones are cleared by whoever beats. */
export async function forgetGateways(db: Db, ids: { id?: string; before?: Date }): Promise<void> {
  if (ids.id) await db.gatewayInstance.deleteMany({ where: { id: ids.id } });
  if (ids.before) await db.gatewayInstance.deleteMany({ where: { lastSeenAt: { lt: ids.before } } });
}

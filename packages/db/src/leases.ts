import type { Db } from "./client.ts";

export interface LeaseTerms {
  /** How long a new sandbox lives, and how much one extension adds. */
  ttlSeconds: number;
  /** No extension goes past this long after the start. */
  maxTtlSeconds: number;
}

export function createLease(
  db: Db,
  input: { sessionId: string; userId: string; engine?: string },
  terms: LeaseTerms,
  now = new Date(),
) {
  const at = now.getTime();
  return db.sandboxLease.upsert({
    where: { sessionId: input.sessionId },
    create: {
      ...input,
      createdAt: now,
      expiresAt: new Date(at + terms.ttlSeconds * 1000),
      maxExpiresAt: new Date(at + Math.max(terms.ttlSeconds, terms.maxTtlSeconds) * 1000),
    },
    update: {},
  });
}

export const getLease = (db: Db, sessionId: string) => db.sandboxLease.findUnique({ where: { sessionId } });

export const listLeases = (db: Db) => db.sandboxLease.findMany();

export const deleteLease = (db: Db, sessionId: string) => db.sandboxLease.deleteMany({ where: { sessionId } });

/**
 * Adds `seconds` to the lease (counted from now if it had already run out), never past its maximum. Null when there
 * is no such lease.
 */
export async function extendLease(db: Db, sessionId: string, seconds: number, now = new Date()) {
  const lease = await getLease(db, sessionId);
  if (!lease) return null;
  const from = Math.max(lease.expiresAt.getTime(), now.getTime());
  const wanted = Math.min(from + seconds * 1000, lease.maxExpiresAt.getTime());
  if (wanted <= lease.expiresAt.getTime()) return lease;
  return db.sandboxLease.update({ where: { sessionId }, data: { expiresAt: new Date(wanted) } });
}

export const expiredLeases = (db: Db, now = new Date()) =>
  db.sandboxLease.findMany({ where: { expiresAt: { lte: now } } });

/** Leases of sandboxes on one engine. */
export const leasesOnEngine = (db: Db, engine: string) => db.sandboxLease.findMany({ where: { engine } });

/**
 * Ends a lease if it is still on `engine` (compare-and-set: of several gateways draining an engine, one does it and
 * tells the user); true for the one that did.
 */
export async function releaseLease(db: Db, sessionId: string, engine: string): Promise<boolean> {
  const { count } = await db.sandboxLease.deleteMany({ where: { sessionId, engine } });
  return count === 1;
}

/** How many leases each engine has. */
export async function leaseCounts(db: Db): Promise<Map<string, number>> {
  const groups = await db.sandboxLease.groupBy({ by: ["engine"], _count: { _all: true } });
  return new Map(groups.map((g) => [g.engine, g._count._all]));
}

/**
 * Moves leases from an engine name to another: leases from before engines were registered carry the installation's
 * name (DOCKYARD_INSTANCE), and its one engine is registered as `local`.
 */
export async function moveLeases(db: Db, from: string, to: string): Promise<number> {
  const { count } = await db.sandboxLease.updateMany({ where: { engine: from }, data: { engine: to } });
  return count;
}

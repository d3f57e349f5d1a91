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

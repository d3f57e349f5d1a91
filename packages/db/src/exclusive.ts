import { type Db, type DbTransaction, databaseKindOf } from "./client.ts";

/**
 * Runs `work` (a check and a write that must not interleave with another caller's) so that callers with the same
 * `key` take turns. SQLite has one writer at a time, so there `work` gets `db` itself and must be one statement;
 * PostgreSQL checks under each statement's own snapshot, so there `work` runs in a transaction holding an advisory
 * lock on `key`, and its statements after the lock see what the previous holder committed.
 */
export async function exclusive<T>(db: Db, key: string, work: (tx: DbTransaction) => Promise<T>): Promise<T> {
  if (databaseKindOf(db) === "sqlite") return work(db);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${key}))`;
    return work(tx);
  });
}

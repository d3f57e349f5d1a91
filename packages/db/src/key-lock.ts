import pg from "pg";
import { databaseKind } from "./database-kind.ts";

/** Runs work one caller at a time per key. */
export interface KeyLock {
  /** `acrossProcesses: false` queues the key in this process only (no database connection is held). */
  run<T>(key: string, work: () => Promise<T>, options?: { acrossProcesses?: boolean }): Promise<T>;
  close(): Promise<void>;
}

/** The first half of the two-part advisory lock keys these locks take ("dkyd"): apart from one-part keys. */
const LOCK_SPACE = 0x646b7964;

/**
 * Turns per key across every process of one database: with SQLite (one process) a queue in memory; with PostgreSQL
 * also a session advisory lock, held on a connection of its own for as long as the work runs. That work may take
 * seconds (it waits for the gateway), so it is not a transaction: a transaction would hold one of the client's pooled
 * connections while its own queries wait for another. A process that dies lets go with its connection.
 */
export function createKeyLock(
  databaseUrl: string,
  options: { connections?: number; connectTimeoutMs?: number } = {},
): KeyLock {
  const tails = new Map<string, Promise<unknown>>();
  const pool =
    databaseKind(databaseUrl) === "postgresql"
      ? new pg.Pool({
          connectionString: databaseUrl,
          // Held only for start decisions (checks queue in-process): a few seconds each, so ten go far.
          max: options.connections ?? 10,
          // Every connection held by slow work (or the database unreachable): the caller fails after this, not never.
          connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
          keepAlive: true,
          application_name: "dockyard-key-lock",
        })
      : undefined;
  // A pooled connection that dies while idle is replaced at the next use; the error must not end the process.
  pool?.on("error", () => undefined);

  const acrossProcesses = async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    if (!pool) return work();
    const client = await pool.connect();
    // The pool listens for errors only on idle connections; this one is held while work runs (seconds), and a
    // connection dropped meanwhile would otherwise emit an error nobody hears, which ends the process.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on("error", onError);
    let locked = false;
    try {
      await client.query("SELECT pg_advisory_lock($1, hashtext($2))", [LOCK_SPACE, key]);
      locked = true;
      return await work();
    } finally {
      const unlocked =
        locked &&
        !broken &&
        (await client.query("SELECT pg_advisory_unlock($1, hashtext($2))", [LOCK_SPACE, key]).then(
          () => true,
          (error: Error) => {
            broken ??= error;
            return false;
          },
        ));
      client.removeListener("error", onError);
      // A connection that could not lock or unlock goes, and any lock it holds with it.
      client.release(unlocked ? undefined : (broken ?? true));
    }
  };

  return {
    // In this process the calls of a key queue first, so that each process holds at most one connection per key.
    async run<T>(key: string, work: () => Promise<T>, runOptions: { acrossProcesses?: boolean } = {}): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const turn = previous
        .catch(() => undefined)
        .then(() => (runOptions.acrossProcesses === false ? work() : acrossProcesses(key, work)));
      tails.set(key, turn);
      try {
        return await turn;
      } finally {
        if (tails.get(key) === turn) tails.delete(key);
      }
    },
    close: async () => {
      await pool?.end();
    },
  };
}

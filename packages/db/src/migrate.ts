import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { type DatabaseKind, databaseKind } from "./database-kind.ts";
import { sqlitePath } from "./sqlite-path.ts";

/** The repository's prisma folder, which holds a migrations folder per database. */
const defaultRoot = resolve(import.meta.dirname, "../../../prisma");

/** Prisma's own key for `pg_advisory_lock` while it migrates, so this and `prisma migrate deploy` take turns too. */
const POSTGRES_MIGRATION_LOCK = 72707369;

/** The migrations folder of a database: `migrations` (SQLite) or `migrations-postgresql`, in `migrationsRoot`. */
export function migrationsDir(kind: DatabaseKind, migrationsRoot: string = defaultRoot): string {
  return join(migrationsRoot, kind === "sqlite" ? "migrations" : "migrations-postgresql");
}

/** The migrations in a folder, oldest first: each a subfolder with a migration.sql. */
export function migrationNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

function readMigrations(dir: string): Migration[] {
  return migrationNames(dir).map((name) => {
    const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
    return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
  });
}

/**
 * Applies the database's migrations (see `migrationsDir`) in order and records them in `_prisma_migrations`, the same
 * table and checksums `prisma migrate deploy` uses, so either tool can take over. Dockyard does it itself because
 * Prisma's schema engine is a binary downloaded at install time, which offline machines cannot do. Processes that
 * start together on one database take turns, and the later ones find nothing left to do.
 */
export async function migrate(databaseUrl: string, migrationsRoot?: string): Promise<{ applied: string[] }> {
  const kind = databaseKind(databaseUrl);
  const migrations = readMigrations(migrationsDir(kind, migrationsRoot));
  return kind === "sqlite" ? migrateSqlite(databaseUrl, migrations) : migratePostgresql(databaseUrl, migrations);
}

function migrateSqlite(databaseUrl: string, migrations: Migration[]): { applied: string[] } {
  const file = sqlitePath(databaseUrl);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 30000");
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL,
      "checksum" TEXT NOT NULL,
      "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL,
      "logs" TEXT,
      "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
      "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
    )`);
    const isDone = db.prepare(
      `SELECT 1 FROM _prisma_migrations WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const record = db.prepare(
      `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count)
       VALUES (?, ?, current_timestamp, ?, 1)`,
    );
    const applied: string[] = [];
    for (const m of migrations) {
      // IMMEDIATE: the write lock is taken before the check, so of two processes only one applies it.
      db.transaction(() => {
        if (isDone.get(m.name)) return;
        db.exec(m.sql);
        record.run(randomUUID(), m.checksum, m.name);
        applied.push(m.name);
      }).immediate();
    }
    return { applied };
  } finally {
    db.close();
  }
}

async function migratePostgresql(databaseUrl: string, migrations: Migration[]): Promise<{ applied: string[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  // A connection dropped between queries emits an error; the next query fails with it, so the run still ends in an
  // error, but an unheard one would end the process first.
  client.on("error", () => undefined);
  await client.connect();
  try {
    // Held for the whole run (released when the connection ends): other instances wait, then find nothing to do.
    await client.query("SELECT pg_advisory_lock($1)", [POSTGRES_MIGRATION_LOCK]);
    // The table as Prisma's schema engine makes it on PostgreSQL.
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Set(rows.map((row) => row.migration_name));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new Error(`migration ${m.name} failed: ${error instanceof Error ? error.message : error}`);
      }
      applied.push(m.name);
    }
    return { applied };
  } finally {
    await client.end();
  }
}

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDb, type Db } from "./client.ts";
import type { DatabaseKind } from "./database-kind.ts";
import { migrate } from "./migrate.ts";

export interface TestDatabase {
  db: Db;
  /** Its DATABASE_URL, for child processes. */
  url: string;
  kind: DatabaseKind;
  /** Disconnects `db` and removes the database. */
  drop: () => Promise<void>;
}

/**
 * A fresh database with the committed migrations (none with `migrated: false`), for one test file. SQLite (a
 * temporary file) unless `postgresUrl` is set, by default from DOCKYARD_TEST_POSTGRES_URL: a URL of a PostgreSQL
 * server, as a user who may create databases, on which a new database with a unique name is made for the test.
 */
export async function createTestDatabase({
  migrated = true,
  postgresUrl = process.env.DOCKYARD_TEST_POSTGRES_URL,
}: {
  migrated?: boolean;
  postgresUrl?: string;
} = {}): Promise<TestDatabase> {
  if (!postgresUrl) {
    const dir = mkdtempSync(join(tmpdir(), "dockyard-test-db-"));
    const url = `file:${join(dir, "test.db")}`;
    if (migrated) await migrate(url);
    const db = createDb(url);
    return {
      db,
      url,
      kind: "sqlite",
      drop: async () => {
        await db.$disconnect();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `dockyard_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await asAdmin(postgresUrl, `CREATE DATABASE "${name}"`);
  const address = new URL(postgresUrl);
  address.pathname = `/${name}`;
  const url = address.toString();
  // FORCE: a child process the test killed may still hold a connection.
  const dropDatabase = () => asAdmin(postgresUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  try {
    if (migrated) await migrate(url);
  } catch (error) {
    await dropDatabase();
    throw error;
  }
  const db = createDb(url);
  return {
    db,
    url,
    kind: "postgresql",
    drop: async () => {
      await db.$disconnect();
      await dropDatabase();
    },
  };
}

async function asAdmin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

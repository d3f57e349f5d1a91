import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKind } from "./database-kind.ts";
import { migrate, migrationNames, migrationsDir } from "./migrate.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

const names = migrationNames(migrationsDir("sqlite"));
let store: TestDatabase;

beforeAll(async () => {
  store = await createTestDatabase({ migrated: false });
});
afterAll(() => store.drop());

describe("migrations", () => {
  it("exist under the same names for SQLite and PostgreSQL", () => {
    expect(names.length).toBeGreaterThan(0);
    expect(migrationNames(migrationsDir("postgresql"))).toEqual(names);
  });

  it("are applied once, when two processes start together, and recorded like Prisma's", async () => {
    const runs = await Promise.all([migrate(store.url), migrate(store.url)]);
    expect(runs.flatMap((run) => run.applied).sort()).toEqual(names);
    expect((await migrate(store.url)).applied).toEqual([]);
    const rows = await store.db.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: unknown }[]>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeTruthy();
    }
  });
});

/** Each model's scalar fields in prisma/schema.prisma, as "Model.field type nullable". */
function schemaColumns(): string[] {
  const schema = readFileSync(resolve(import.meta.dirname, "../../../prisma/schema.prisma"), "utf8");
  const columns: string[] = [];
  for (const [, model, body] of schema.matchAll(/^model (\w+) \{([^}]*)\}/gm)) {
    for (const [, field, type, optional] of (body ?? "").matchAll(
      /^\s+(\w+)\s+(String|Int|Boolean|DateTime)(\?)?\s/gm,
    )) {
      columns.push(`${model}.${field} ${type} ${optional ? "null" : "not null"}`);
    }
  }
  return columns.sort();
}

/** The same for the tables of the test database, its column types named as the schema's. */
async function tableColumns(): Promise<string[]> {
  const sql =
    store.kind === "postgresql"
      ? `SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type",
           NOT a.attnotnull AS "nullable"
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`
      : `SELECT m.name AS "table", p.name AS "column", p.type AS "type", NOT p."notnull" AS "nullable"
         FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`;
  // What the client's types are on each database (PostgreSQL's as Prisma's postgresql provider makes them).
  const types: Record<string, string> =
    store.kind === "postgresql"
      ? { text: "String", integer: "Int", boolean: "Boolean", "timestamp(3) without time zone": "DateTime" }
      : { TEXT: "String", INTEGER: "Int", BOOLEAN: "Boolean", DATETIME: "DateTime" };
  const rows =
    await store.db.$queryRawUnsafe<{ table: string; column: string; type: string; nullable: unknown }[]>(sql);
  return rows
    .filter((row) => row.table !== "_prisma_migrations")
    .map(
      (row) =>
        `${row.table}.${row.column} ${types[row.type] ?? row.type} ${Number(row.nullable) ? "null" : "not null"}`,
    )
    .sort();
}

describe("the migrated tables", () => {
  it("have a column of the client's type for every field of the schema, and no other", async () => {
    await migrate(store.url);
    expect(await tableColumns()).toEqual(schemaColumns());
  });
});

describe("DATABASE_URL", () => {
  it("names SQLite with file: and PostgreSQL with postgres:// or postgresql://, and nothing else", () => {
    expect(databaseKind("file:./.dockyard/dockyard.db")).toBe("sqlite");
    expect(databaseKind("postgres://dockyard@db.example.com/dockyard")).toBe("postgresql");
    expect(databaseKind("postgresql://dockyard:secret@10.0.0.5:5432/dockyard?sslmode=require")).toBe("postgresql");
    expect(() => databaseKind("mysql://root:secret@localhost/dockyard")).toThrow(/file:.*postgres:\/\//);
    expect(() => databaseKind("mysql://root:secret@localhost/dockyard")).not.toThrow(/secret/);
    expect(() => databaseKind("./dockyard.db")).toThrow(/DATABASE_URL/);
  });
});

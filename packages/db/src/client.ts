import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { type DatabaseKind, databaseKind } from "./database-kind.ts";
import { type Prisma, PrismaClient } from "./generated/client.ts";
import { PrismaClient as PostgresqlClient } from "./generated-postgresql/client.ts";
import { sqlitePath } from "./sqlite-path.ts";

/**
 * A Prisma client of either database. Both clients come from the one schema and have the same model API; the type is
 * the SQLite client's, so code that type-checks uses nothing only one of them has.
 */
export type Db = PrismaClient;

/** A client of either database inside `$transaction(async (tx) => ...)`. */
export type DbTransaction = Prisma.TransactionClient;

const kinds = new WeakMap<object, DatabaseKind>();

/** The one way to get a Prisma client: the database `databaseUrl` names (see `databaseKind`). */
export function createDb(databaseUrl: string): Db {
  const kind = databaseKind(databaseUrl);
  const db =
    kind === "postgresql"
      ? (new PostgresqlClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) }) as unknown as Db)
      : new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sqlitePath(databaseUrl)}` }) });
  kinds.set(db, kind);
  return db;
}

/** Which database a client made by `createDb` talks to (not a transaction's client: ask about the one it came from). */
export function databaseKindOf(db: object): DatabaseKind {
  return kinds.get(db) ?? "sqlite";
}

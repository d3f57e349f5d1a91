import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client.ts";
import { sqlitePath } from "./sqlite-path.ts";

export type Db = PrismaClient;

/** The one way to get a Prisma client: SQLite through better-sqlite3 for now. */
export function createDb(databaseUrl: string): Db {
  const adapter = new PrismaBetterSqlite3({ url: `file:${sqlitePath(databaseUrl)}` });
  return new PrismaClient({ adapter });
}

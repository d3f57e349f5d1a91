import { type Db, databaseKindOf } from "./client.ts";

/**
 * A string filter for "contains `text`, in any case", on either database: SQLite's LIKE ignores ASCII case by
 * itself, PostgreSQL's needs `mode: "insensitive"` (which the SQLite client's types do not have).
 */
export function textContains(db: Db, text: string): { contains: string } {
  return databaseKindOf(db) === "postgresql"
    ? ({ contains: text, mode: "insensitive" } as { contains: string })
    : { contains: text };
}

import { type Db, databaseKindOf } from "./client.ts";

/**
 * The database's time now. Liveness (gateways' heartbeats, engines last seen) is written and compared on this one
 * clock, so gateways on machines whose clocks disagree still agree on who is alive. SQLite is one machine's file, read
 * by processes on that machine: its clock is this one.
 */
export async function databaseNow(db: Db): Promise<Date> {
  if (databaseKindOf(db) === "sqlite") return new Date();
  const [row] = await db.$queryRaw<
    { ms: number }[]
  >`SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms`;
  return row ? new Date(Math.round(Number(row.ms))) : new Date();
}

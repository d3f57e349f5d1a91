import "server-only";
import { createDb, type Db } from "@dockyard/db";
import { env } from "./env.ts";

const holder = globalThis as unknown as { dockyardDb?: Db };

/** One Prisma client per server process. */
export function db(): Db {
  holder.dockyardDb ??= createDb(env().DATABASE_URL);
  return holder.dockyardDb;
}

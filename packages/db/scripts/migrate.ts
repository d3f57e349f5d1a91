// npm run db:migrate: applies prisma/migrations to DATABASE_URL (default .dockyard/dockyard.db).
import { join, resolve } from "node:path";
import { migrate } from "../src/migrate.ts";

const root = resolve(import.meta.dirname, "../../..");
const url = process.env.DATABASE_URL ?? `file:${join(root, ".dockyard/dockyard.db")}`;
const { applied } = migrate(url, join(root, "prisma/migrations"));
console.log(applied.length ? `[db] applied ${applied.join(", ")}` : "[db] database is up to date");

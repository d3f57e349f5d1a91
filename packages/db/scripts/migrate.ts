// npm run db:migrate: applies the migrations to DATABASE_URL (default .dockyard/dockyard.db; a postgres:// URL takes
// prisma/migrations-postgresql), then makes the first admin when DOCKYARD_ADMIN_EMAIL and DOCKYARD_ADMIN_PASSWORD are
// set and no account has that email.
import { join, resolve } from "node:path";
import { AccountError, ensureAdmin } from "../src/accounts.ts";
import { createDb } from "../src/client.ts";
import { migrate } from "../src/migrate.ts";

const root = resolve(import.meta.dirname, "../../..");
const url = process.env.DATABASE_URL ?? `file:${join(root, ".dockyard/dockyard.db")}`;
const { applied } = await migrate(url, join(root, "prisma"));
console.log(applied.length ? `[db] applied ${applied.join(", ")}` : "[db] database is up to date");

const { DOCKYARD_ADMIN_EMAIL: email, DOCKYARD_ADMIN_PASSWORD: password } = process.env;
if (email && password) {
  const db = createDb(url);
  try {
    const { account, outcome } = await ensureAdmin(db, { email, password });
    if (outcome === "created") console.log(`[db] made the first admin, ${account.email}`);
    if (account.role !== "admin") {
      // Someone made this account before the operator: it is not theirs to trust.
      console.error(
        `[db] DOCKYARD_ADMIN_EMAIL: ${account.email} exists and is not an admin; if it is yours, run npx dockyard admin create --email ${account.email} --promote`,
      );
      process.exitCode = 1;
    }
  } catch (error) {
    console.error(`[db] DOCKYARD_ADMIN_EMAIL: ${error instanceof AccountError ? error.message : error}`);
    process.exitCode = 1;
  } finally {
    await db.$disconnect();
  }
} else if (email || password) {
  console.error("[db] set both DOCKYARD_ADMIN_EMAIL and DOCKYARD_ADMIN_PASSWORD to make the first admin");
  process.exitCode = 1;
}

import { defineConfig } from "prisma/config";

// Dockyard applies prisma/migrations itself (packages/db/src/migrate.ts), so the same committed SQL runs on machines
// where Prisma's schema engine binary cannot be downloaded.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "file:./.dockyard/dockyard.db" },
});

// Generates the Prisma clients: SQLite into packages/db/src/generated, PostgreSQL into src/generated-postgresql.
// prisma/schema.prisma is the one schema; the PostgreSQL copy is derived from it here (provider and output only), so
// there is never a second schema to keep in step.
// `prisma generate` needs no schema engine, but the CLI downloads one unless told where it is; where no engine binary
// can be downloaded (offline machines), point it at a stub that is never run for generation.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const stub = join(root, ".dockyard/bin/schema-engine-stub");
  if (!existsSync(stub)) {
    mkdirSync(dirname(stub), { recursive: true });
    writeFileSync(stub, '#!/bin/sh\necho "Dockyard applies migrations itself: npm run db:migrate" >&2\nexit 1\n');
    chmodSync(stub, 0o755);
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
}
const prisma = join(root, "node_modules/.bin/prisma");
if (!existsSync(prisma)) {
  console.log("[db] prisma CLI not installed yet; skipping client generation");
  process.exit(0);
}

/** prisma/schema.prisma with provider "postgresql" and its client's own output folder, written under .dockyard. */
function derivePostgresqlSchema() {
  const schema = readFileSync(join(root, "prisma/schema.prisma"), "utf8");
  const file = join(root, ".dockyard/prisma/postgresql.prisma");
  const output = relative(dirname(file), join(root, "packages/db/src/generated-postgresql"));
  let replaced = 0;
  const derived = schema
    .replace(/(datasource db \{[^}]*provider\s*=\s*)"sqlite"/, (_, head) => {
      replaced += 1;
      return `${head}"postgresql"`;
    })
    .replace(/(generator client \{[^}]*output\s*=\s*)"[^"]*"/, (_, head) => {
      replaced += 1;
      return `${head}"${output}"`;
    });
  if (replaced !== 2) {
    throw new Error(
      'prisma/schema.prisma: expected `provider = "sqlite"` in `datasource db` and an `output` in `generator client`',
    );
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `// Derived from prisma/schema.prisma by packages/db/scripts/generate.mjs; edit that file, not this one.\n${derived}`,
  );
  return file;
}

for (const args of [["generate"], ["generate", "--schema", derivePostgresqlSchema()]]) {
  const result = spawnSync(prisma, args, { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

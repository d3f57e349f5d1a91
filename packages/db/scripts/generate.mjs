// Generates the Prisma client into packages/db/src/generated.
// `prisma generate` needs no schema engine, but the CLI downloads one unless told where it is; where no engine binary
// can be downloaded (offline machines), point it at a stub that is never run for generation.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
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
const result = spawnSync(prisma, ["generate"], { cwd: root, env, stdio: "inherit" });
process.exit(result.status ?? 1);

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDb, type Db } from "@dockyard/db";
import { migrate } from "@dockyard/db/migrate";
import type { SandboxDriver } from "@dockyard/sandbox";
import { createGatewayServer, type GatewayOptions } from "../src/gateway-server.ts";

/** A fresh SQLite database with the committed migrations, for one test file; `drop()` removes it. */
export function tempDb(): { db: Db; url: string; drop: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), "dockyard-gateway-db-"));
  const url = `file:${join(dir, "test.db")}`;
  migrate(url, resolve(import.meta.dirname, "../../../prisma/migrations"));
  const db = createDb(url);
  return {
    db,
    url,
    drop: async () => {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A gateway for a test: no extra origins, a web app it never calls, the test's database; `options` add the rest. */
export function testGateway(
  store: { db: Db },
  options: Omit<GatewayOptions, "allowedOrigins" | "webUrl" | "db"> & Partial<GatewayOptions>,
) {
  return createGatewayServer({ allowedOrigins: [], webUrl: "http://localhost:3000", db: store.db, ...options });
}

/** Starts a one-host session through the gateway's control API, as the web app does; resolves with its NDJSON. */
export async function startSession(internalBase: string, secret: string, sessionId: string, userId: string) {
  const res = await fetch(`${internalBase}/internal/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({
      sessionId,
      userId,
      scenario: "test",
      hosts: [{ name: "host01", image: "dockyard/sandbox:latest" }],
    }),
  });
  return res.text();
}

/** The end of a test file: the pool drained, every sandbox the driver made removed, the servers and database gone. */
export async function closeTestGateway(
  gateway: ReturnType<typeof testGateway>,
  driver: { listSessions: SandboxDriver["listSessions"]; removeSession: SandboxDriver["removeSession"] },
  store: { drop: () => Promise<void> },
) {
  gateway.terminals.closeAll();
  gateway.images.stop();
  gateway.tests.close();
  await gateway.manager.drainPools();
  const listed = await driver.listSessions();
  if (listed.ok) await Promise.all(listed.value.map((s) => driver.removeSession(s.sessionId)));
  gateway.server.close();
  gateway.internal.close();
  await store.drop();
}

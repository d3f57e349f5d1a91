import type { Db } from "@dockyard/db";
import { createTestDatabase, type TestDatabase } from "@dockyard/db/test-database";
import type { SandboxDriver } from "@dockyard/sandbox";
import { createGatewayServer, type GatewayOptions } from "../src/gateway-server.ts";

/**
 * A fresh database with the committed migrations, for one test file: SQLite, or PostgreSQL when
 * DOCKYARD_TEST_POSTGRES_URL is set (see `createTestDatabase`); `drop()` removes it.
 */
export function tempDb(): Promise<TestDatabase> {
  return createTestDatabase();
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

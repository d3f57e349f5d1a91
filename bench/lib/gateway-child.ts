// A gateway in a process of its own, for benchmarks that measure its memory and must not share its event loop with
// the clients. Prints one JSON line with its ports once listening; stops on SIGTERM.
// Run by bench/terminal.ts: node --import tsx bench/lib/gateway-child.ts <secret>
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDb } from "@dockyard/db";
import { migrate } from "@dockyard/db/migrate";
import { DockerDriver } from "@dockyard/sandbox";
import { createGatewayServer } from "../../apps/gateway/src/gateway-server.ts";

const secret = process.argv[2] ?? "bench-secret-0123456789";
const dir = mkdtempSync(join(tmpdir(), "dockyard-bench-gateway-"));
const url = `file:${join(dir, "bench.db")}`;
await migrate(url, resolve(import.meta.dirname, "../../prisma"));
const db = createDb(url);
const gateway = createGatewayServer({
  driver: new DockerDriver({ instance: "bench-terminal" }),
  secret,
  allowedOrigins: [],
  webUrl: "http://localhost:3000",
  db,
  limits: { maxSessions: 500, maxPerUser: 500, maxStarting: 10 },
});
await new Promise<void>((done) => gateway.server.listen(0, "127.0.0.1", done));
await new Promise<void>((done) => gateway.internal.listen(0, "127.0.0.1", done));
console.log(
  JSON.stringify({
    publicPort: (gateway.server.address() as AddressInfo).port,
    internalPort: (gateway.internal.address() as AddressInfo).port,
  }),
);
process.on("SIGTERM", () => {
  gateway.terminals.closeAll();
  gateway.server.close();
  gateway.internal.close();
  void db.$disconnect().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});

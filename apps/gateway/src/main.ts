import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { createDb, forgetGateways } from "@dockyard/db";
import { createBus } from "@dockyard/db/bus";
import { instanceEvent } from "@dockyard/protocol";
import { ensureFirewall } from "@dockyard/sandbox";
import { loadEnv } from "./env.ts";
import { createGatewayServer } from "./gateway-server.ts";
import { createLocalFleet } from "./local-fleet.ts";
import { log } from "./log.ts";
import { withSshPools } from "./ssh-environment.ts";

const env = loadEnv();
const db = createDb(env.DATABASE_URL);
// This process, among the gateways sharing the database: the label of what it makes, and its heartbeat's row.
const gatewayId = `gw-${randomBytes(6).toString("hex")}`;
// The registered Docker engines (this machine's own, `local`, at the first start); sessions are placed on them.
const { fleet, mirror } = await createLocalFleet(env, db, gatewayId);
// Machines for `ssh` environments, when the admin lists some: their sessions go to the ssh driver, the rest to the fleet.
const { driver, ssh } = withSshPools(fleet, env);

// Sandboxes are kept from the host and from blocked networks by the host firewall; without it they still run, and
// /healthz says isolation is off.
let isolation: { ok: boolean; error?: string; required?: boolean } = {
  ok: false,
  error: "SANDBOX_FIREWALL is off",
  required: false,
};
if (env.SANDBOX_FIREWALL === "on") {
  const firewall = await ensureFirewall({ blockedNetworks: env.SANDBOX_BLOCKED_NETWORKS });
  isolation = firewall.ok ? { ok: true, required: true } : { ok: false, error: firewall.error.message, required: true };
  if (!firewall.ok)
    log("error", "no host firewall: no sandbox will start until it is in place", { error: firewall.error.message });
}

// Session events between the gateways sharing this database (PostgreSQL); with SQLite, this gateway is the only one.
const bus = createBus(env.DATABASE_URL, { schema: instanceEvent, log, instance: gatewayId });

const { server, internal, terminals, manager, images, tests, preloads, sync, engines } = createGatewayServer({
  driver,
  ...(mirror ? { mirror } : {}),
  secret: env.DOCKYARD_SECRET,
  allowedOrigins: env.DOCKYARD_ALLOWED_ORIGINS,
  webUrl: env.WEB_PUBLIC_URL.replace(/\/$/, ""),
  db,
  limits: {
    maxSessions: env.SANDBOX_MAX_SESSIONS,
    maxPerUser: env.SANDBOX_MAX_PER_USER,
    maxStarting: env.SANDBOX_MAX_STARTING,
  },
  lifetime: {
    ttlSeconds: env.SANDBOX_TTL_SECONDS,
    maxTtlSeconds: env.SANDBOX_MAX_TTL_SECONDS,
    idleSeconds: env.SANDBOX_IDLE_SECONDS,
  },
  internet: env.SANDBOX_INTERNET,
  allowDocker: env.SANDBOX_ALLOW_DOCKER,
  pool: {
    size: env.SANDBOX_POOL_SIZE,
    warm: [[{ name: "host01", image: env.SANDBOX_IMAGE }]],
    reservedMax: env.SANDBOX_POOL_RESERVED_MAX,
  },
  isolation,
  engine: env.DOCKYARD_INSTANCE,
  fleet: {
    fleet,
    gatewayId,
    health: { intervalMs: env.ENGINE_CHECK_SECONDS * 1000, downAfter: env.ENGINE_DOWN_AFTER },
    defaultSubnets: env.SANDBOX_SUBNETS,
  },
  // Sessions of `ssh` environments are the ssh driver's, never placed on a Docker engine; leased under a name of this
  // gateway's own (stable across its restarts), so no other gateway reconciles them against its own machines.
  ...(ssh ? { beside: [{ name: sshEngineName(), driver: ssh }] } : {}),
  bus,
});

// What a restart finds: sandboxes with a live lease are adopted, the rest removed, and records of gone ones closed.
// A Docker engine that is down is retried; the gateway serves meanwhile (and says so on /healthz).
const reconcile = async (attempt = 1): Promise<void> => {
  const result = await manager.reconcile().catch((error: unknown) => ({ ok: false as const, error: error as Error }));
  if (result.ok) return;
  log("error", "reconciling sandboxes failed; retrying", { error: result.error.message, attempt });
  await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** attempt)));
  return reconcile(attempt + 1);
};
// /healthz says ready once the first warm sandboxes exist: the burst of network changes that makes them is over
// before anyone is sent here (browsers on the same machine may abort requests during such changes).
// Machines whose reset a stop cut short, or that failed it, are reset again (and come back if that works).
void ssh?.recover();
// Beating before reconciling (and on a timer of its own): the other gateways leave this one's sandboxes alone. Then
// each engine's daemon is checked against the one registered: another machine's daemon at the same socket path is not
// reconciled from here.
await engines?.startHeartbeat();
await engines?.identify().catch((error: unknown) => log("error", "identifying the engines failed", { error }));
void reconcile().then(async () => {
  manager.startReaper(env.SANDBOX_REAP_SECONDS * 1000);
  // Engines that did not answer at boot are reconciled by the health loop once they do.
  engines?.start();
  await manager.warmPools();
});

server.listen(env.GATEWAY_PORT, env.GATEWAY_HOST, async () => {
  const engine = await driver.ping();
  log("info", `listening on http://${env.GATEWAY_HOST}:${env.GATEWAY_PORT}`, {
    docker: engine.ok ? engine.value.version : engine.error.message,
    isolation: isolation.ok ? "on" : "off",
  });
});

internal.listen(env.GATEWAY_INTERNAL_PORT, env.GATEWAY_INTERNAL_HOST, () => {
  log("info", `control API on http://${env.GATEWAY_INTERNAL_HOST}:${env.GATEWAY_INTERNAL_PORT}`);
});

const shutdown = () => {
  manager.stopReaper();
  engines?.stop();
  images.stop();
  preloads.stop();
  tests.close();
  terminals.closeAll();
  internal.close();
  sync.close();
  // Warm sandboxes go with the gateway (a restart makes fresh ones); users' sandboxes stay. The bus goes last: the
  // other gateways hear that nobody is connected through this one any more.
  void manager
    .drainPools()
    .finally(() => forgetGateways(db, { id: gatewayId }).catch(() => undefined))
    .finally(() => bus.close())
    .finally(() => server.close(() => process.exit(0)));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);

/** The ssh machines' engine name: this gateway's GATEWAY_NAME, else its host name and port. */
function sshEngineName(): string {
  const name = env.GATEWAY_NAME ?? `${hostname().toLowerCase()}-${env.GATEWAY_PORT}`;
  return `ssh:${name}`;
}

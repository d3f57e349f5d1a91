import { createDb } from "@dockyard/db";
import { DockerDriver, ensureFirewall, RegistryMirror } from "@dockyard/sandbox";
import Docker from "dockerode";
import { loadEnv } from "./env.ts";
import { createGatewayServer } from "./gateway-server.ts";
import { log } from "./log.ts";

const env = loadEnv();
const docker = new Docker({ socketPath: env.DOCKER_SOCKET });
// Nested engines (the `docker` environment) pull through the registry mirror, which holds the courses' images.
const mirror = new RegistryMirror({ docker, upstream: env.SANDBOX_REGISTRY_UPSTREAM });
const driver = new DockerDriver({
  docker,
  mirror,
  instance: env.DOCKYARD_INSTANCE,
  limits: { diskBytes: env.SANDBOX_DISK_MB * 1024 * 1024 },
  subnets: env.SANDBOX_SUBNETS,
});

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

const { server, internal, terminals, manager, images, tests, preloads } = createGatewayServer({
  driver,
  mirror,
  secret: env.DOCKYARD_SECRET,
  allowedOrigins: env.DOCKYARD_ALLOWED_ORIGINS,
  webUrl: env.WEB_PUBLIC_URL.replace(/\/$/, ""),
  db: createDb(env.DATABASE_URL),
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
void reconcile().then(async () => {
  manager.startReaper(env.SANDBOX_REAP_SECONDS * 1000);
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
  images.stop();
  preloads.stop();
  tests.close();
  terminals.closeAll();
  internal.close();
  // Warm sandboxes go with the gateway (a restart makes fresh ones); users' sandboxes stay.
  void manager.drainPools().finally(() => server.close(() => process.exit(0)));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);

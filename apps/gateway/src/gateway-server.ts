import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type Db, getLease } from "@dockyard/db";
import { type Bus, createBus } from "@dockyard/db/bus";
import {
  dockyardError,
  type GatewayHealth,
  type GatewaySettings,
  type InstanceEvent,
  instanceEvent,
} from "@dockyard/protocol";
import type { EngineFleet, RegistryMirror, SandboxDriver, SessionSpec } from "@dockyard/sandbox";
import { EngineRegistry, staleAfterMs } from "./engine-registry.ts";
import { HealthCheck } from "./health-check.ts";
import { sendError, sendJson } from "./http-io.ts";
import { ImageBuilder, ImagePreloader } from "./image-builder.ts";
import { InstanceSync } from "./instance-sync.ts";
import { handleInternalApi } from "./internal-api.ts";
import { log } from "./log.ts";
import { GatewayMetrics } from "./metrics.ts";
import { PreviewProxy } from "./preview-proxy.ts";
import { ScenarioTester } from "./scenario-tester.ts";
import {
  type AdmissionLimits,
  DEFAULT_RESERVED_MAX,
  type LifetimeRules,
  SessionManager,
  type SessionManagerOptions,
} from "./session-manager.ts";
import { TerminalServer } from "./terminal-server.ts";

export interface GatewayOptions {
  driver: SandboxDriver;
  secret: string;
  allowedOrigins: string[];
  /** The web app as browsers reach it (port previews send viewers there to be let in). */
  webUrl: string;
  /** Leases of sandboxes (and the web app's lab sessions, closed when their sandbox goes). */
  db: Db;
  limits?: Partial<AdmissionLimits>;
  lifetime?: Partial<LifetimeRules>;
  /** May sandboxes reach the internet (the admin's setting)? Default yes. */
  internet?: boolean;
  /** May hosts run their own Docker engine (the `docker` environment)? Default no. */
  allowDocker?: boolean;
  /**
   * Warm pool: how many sandboxes to keep ready per kind, the kinds to warm from the start, and the most events may
   * reserve in all. Default none.
   */
  pool?: { size: number; warm: SessionSpec["hosts"][]; reservedMax?: number };
  /**
   * Whether the host firewall that isolates sandboxes is in place (reported by /healthz). When it should be but is
   * not (`required`), no sandbox starts.
   */
  isolation?: { ok: boolean; error?: string; required?: boolean };
  /** This installation's name (the sandboxes' dockyard.instance): its leases are told apart by it. */
  engine?: string;
  /**
   * Several Docker engines, registered in the database (then `driver` is this fleet, or a driver that routes to it):
   * sessions are placed on them, each is checked and drained when it stops answering. `gatewayId` labels what this
   * process makes; `health` sets how often engines are checked and how many failed checks mark one down.
   */
  fleet?: {
    fleet: EngineFleet;
    gatewayId: string;
    health?: { intervalMs?: number; downAfter?: number; pingTimeoutMs?: number; sweepMs?: number };
    /** The subnet range of engines registered without one (SANDBOX_SUBNETS). */
    defaultSubnets?: string;
  };
  /**
   * Drivers beside the Docker engines that `driver` routes to (an ssh pool): the sessions they serve are theirs, under
   * their name, never placed on an engine.
   */
  beside?: SessionManagerOptions["beside"];
  /** The `dockyard` command instructors' scenario tests run; default this checkout's (tests pass their own). */
  dockyardCli?: string;
  /** The script the admin's "rebuild images" runs with bash; default docker/build-images.sh (tests pass their own). */
  imageBuildScript?: string;
  /** The registry mirror nested engines pull through; the admin sees what it holds and preloads course images. */
  mirror?: RegistryMirror;
  /**
   * Events between the gateways of one database (createBus: LISTEN/NOTIFY on PostgreSQL). Default: one of this
   * gateway's own, which hears nothing from elsewhere. The creator closes it.
   */
  bus?: Bus<InstanceEvent>;
}

/** How often engines are checked, unless configured (ENGINE_CHECK_SECONDS). */
export const DEFAULT_ENGINE_CHECK_MS = 5000;

export const DEFAULT_LIMITS: AdmissionLimits = { maxSessions: 100, maxPerUser: 3, maxStarting: 10 };
export const DEFAULT_LIFETIME: LifetimeRules = { ttlSeconds: 3600, maxTtlSeconds: 4 * 3600, idleSeconds: 1200 };

export interface Gateway {
  /** Browsers: /healthz (ok or not, no details), the terminal WebSockets and, on preview host names, port previews. */
  server: Server;
  /** The web app only: /healthz and the control API. Listen on a private address: sandboxes can reach the host. */
  internal: Server;
  terminals: TerminalServer;
  manager: SessionManager;
  metrics: GatewayMetrics;
  /** The admin's image builds; stop() ends a running one (shutdown). */
  images: ImageBuilder;
  /** Instructors' scenario tests; close() ends a running one (shutdown). */
  tests: ScenarioTester;
  /** The admin's course image preloads; stop() ends a running one (shutdown). */
  preloads: ImagePreloader;
  /** Session events to and from the other gateways; close() stops it (shutdown). */
  sync: InstanceSync;
  /** With several engines: their health loop (start() after reconciling, stop() at shutdown) and the admin's edits. */
  engines?: EngineRegistry;
}

function health(check: HealthCheck, detail: "full" | "brief", res: ServerResponse): void {
  void (detail === "full" ? check.full() : check.brief()).then(
    (body) => sendJson(res, body.ok ? 200 : 503, body),
    (error: unknown) => {
      log("error", "health check failed", { error });
      sendJson(res, 503, { ok: false, docker: { ok: false } } satisfies GatewayHealth);
    },
  );
}

/** The firewall as the admin sees it: in place, turned off, or wanted and not in place (then no sandbox starts). */
function firewallOf(isolation: GatewayOptions["isolation"]): GatewaySettings["firewall"] {
  if (isolation?.ok) return "on";
  return isolation?.required ? "failed" : "off";
}

const pathOf = (req: IncomingMessage) => new URL(req.url ?? "/", "http://gateway").pathname;

export function createGatewayServer(options: GatewayOptions): Gateway {
  // The manager counts open terminals through this, and the terminals report activity to it.
  let manager: SessionManager | undefined;
  let previews: PreviewProxy | undefined;
  let metrics: GatewayMetrics | undefined;
  // What happens to a session here is told to the other gateways, which may serve its terminals and previews too.
  let sync: InstanceSync | undefined;
  const terminals = new TerminalServer({
    onRefused: (code) => metrics?.errors.inc({ code }),
    ...options,
    onActivity: (id) => {
      manager?.touch(id);
      sync?.activity(id);
    },
    ownerOf: async (id, labelled) => (manager ? manager.ownerOf(id, labelled) : labelled),
    leaseOf: async (id) => (manager ? manager.leaseExpiry(id) : null),
    onViewers: (id, viewers) => sync?.viewers(id, viewers),
    onControl: (id, allowed) => sync?.control(id, allowed),
    onTokenUsed: (jti, exp) => sync?.tokenUsed("terminal", jti, exp),
  });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const lifetime = { ...DEFAULT_LIFETIME, ...options.lifetime };
  const internet = options.internet ?? true;
  const allowDocker = options.allowDocker ?? false;
  manager = new SessionManager({
    driver: options.driver,
    db: options.db,
    limits,
    lifetime,
    internet,
    allowDocker,
    ...(options.pool ? { pool: options.pool } : {}),
    ...(options.engine ? { engine: options.engine } : {}),
    ...(options.beside ? { beside: options.beside } : {}),
    ...(options.fleet
      ? {
          fleet: options.fleet.fleet,
          gateway: {
            id: options.fleet.gatewayId,
            staleMs: staleAfterMs(options.fleet.health?.intervalMs ?? DEFAULT_ENGINE_CHECK_MS),
          },
        }
      : {}),
    ...(options.isolation?.required && !options.isolation.ok
      ? { isolationProblem: options.isolation.error ?? "the host firewall is not in place." }
      : {}),
    onRemoved: (id, why) => {
      previews?.forget(id);
      terminals.sessionEnded(id, why);
      sync?.sessionEnded(id, why);
    },
    onLease: (id, expiresAt) => {
      terminals.leaseChanged(id, expiresAt);
      sync?.leaseChanged(id, expiresAt);
    },
    // Terminals attached through other gateways count too: a session in use there is not idle here.
    attachedTerminals: (id) => terminals.attachedAnywhere(id),
  });
  const sessions = manager;
  const engines = options.fleet
    ? new EngineRegistry({
        db: options.db,
        fleet: options.fleet.fleet,
        manager: sessions,
        gatewayId: options.fleet.gatewayId,
        intervalMs: options.fleet.health?.intervalMs ?? DEFAULT_ENGINE_CHECK_MS,
        downAfter: options.fleet.health?.downAfter ?? 3,
        pingTimeoutMs: options.fleet.health?.pingTimeoutMs ?? 5000,
        ...(options.fleet.health?.sweepMs ? { sweepMs: options.fleet.health.sweepMs } : {}),
        ...(options.fleet.defaultSubnets ? { defaultSubnets: options.fleet.defaultSubnets } : {}),
        log,
      })
    : undefined;
  previews = new PreviewProxy({ ...options, onTokenUsed: (jti, exp) => sync?.tokenUsed("preview", jti, exp) });
  sync = new InstanceSync({
    bus: options.bus ?? createBus(`gateway:${randomBytes(8).toString("hex")}`, { schema: instanceEvent, log }),
    terminals,
    previews,
    // Only this installation's sessions are this gateway's to keep (and so to remove when idle).
    touch: (id) =>
      void getLease(options.db, id)
        .then((lease) => {
          if (lease && sessions.ownsEngine(lease.engine)) sessions.touch(id);
        })
        .catch((error: unknown) => log("warn", "activity from another gateway not recorded", { error })),
  });
  const synced = sync;
  const counted = new GatewayMetrics({
    sessions: () => sessions.sessionCount(),
    poolReady: () => sessions.warmCount(),
    terminalConnections: () => terminals.totals().connections,
    terminalChannels: () => terminals.totals().channels,
  });
  metrics = counted;
  const images = new ImageBuilder(options.imageBuildScript ? { script: options.imageBuildScript } : {});
  const tests = new ScenarioTester(options.dockyardCli ? { cli: options.dockyardCli } : {});
  const preloads = new ImagePreloader(options.dockyardCli ? { cli: options.dockyardCli } : {});
  const settings = (): GatewaySettings => ({
    limits: { maxSessions: limits.maxSessions, maxPerUser: limits.maxPerUser, maxStarting: limits.maxStarting },
    lifetime: {
      ttlSeconds: lifetime.ttlSeconds,
      maxTtlSeconds: lifetime.maxTtlSeconds,
      idleSeconds: lifetime.idleSeconds,
    },
    pool: { size: options.pool?.size ?? 0, reservedMax: options.pool?.reservedMax ?? DEFAULT_RESERVED_MAX },
    internet,
    allowDocker,
    firewall: firewallOf(options.isolation),
    diskMb: Math.round(options.driver.diskLimit().bytes / (1024 * 1024)),
  });
  const api = {
    driver: options.driver,
    manager: sessions,
    secret: options.secret,
    metrics: counted,
    images,
    tests,
    preloads,
    ...(options.mirror ? { mirror: options.mirror } : {}),
    settings,
    onActivity: (id: string) => synced.activity(id),
    ...(engines ? { engines } : {}),
  };
  const healthCheck = new HealthCheck({
    ping: () => options.driver.ping(),
    isReady: () => sessions.isReady(),
    ...(options.isolation ? { isolation: options.isolation } : {}),
  });
  const countErrors = (res: ServerResponse) =>
    res.once("finish", () => {
      const code = res.getHeader("x-dockyard-error");
      if (typeof code === "string") counted.errors.inc({ code });
    });

  const server = createServer((req, res) => {
    countErrors(res);
    if (previews?.handleRequest(req, res)) return;
    const path = pathOf(req);
    // Public: ok or not per component, no details (they name engines' endpoints).
    if (path === "/healthz" && req.method === "GET") return health(healthCheck, "brief", res);
    sendError(res, dockyardError("NOT_FOUND", `No route ${req.method} ${path}.`));
  });
  server.on("upgrade", (req, socket, head) => {
    if (previews?.handleUpgrade(req, socket, head)) return;
    terminals.handleUpgrade(req, socket, head).catch((error: unknown) => {
      log("error", "upgrade failed", { error });
      socket.destroy();
    });
  });

  const internal = createServer((req, res) => {
    countErrors(res);
    const path = pathOf(req);
    if (path === "/healthz" && req.method === "GET") return health(healthCheck, "full", res);
    if (path === "/metrics" && req.method === "GET") {
      void counted.text().then(({ contentType, body }) => {
        res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
        res.end(body);
      });
      return;
    }
    handleInternalApi(req, res, api)
      .then((handled) => {
        if (!handled) sendError(res, dockyardError("NOT_FOUND", `No route ${req.method} ${path}.`));
      })
      .catch((error: unknown) => {
        // Last-resort handler for this transport.
        log("error", "request failed", { error });
        if (!res.headersSent) sendError(res, dockyardError("INTERNAL"));
        else res.end();
      });
  });

  return {
    server,
    internal,
    terminals,
    manager: sessions,
    metrics: counted,
    images,
    tests,
    preloads,
    sync: synced,
    ...(engines ? { engines } : {}),
  };
}

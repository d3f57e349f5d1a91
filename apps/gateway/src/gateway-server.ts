import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Db } from "@dockyard/db";
import { dockyardError, type GatewayHealth, type GatewaySettings } from "@dockyard/protocol";
import type { RegistryMirror, SandboxDriver, SessionSpec } from "@dockyard/sandbox";
import { sendError, sendJson } from "./http-io.ts";
import { ImageBuilder, ImagePreloader } from "./image-builder.ts";
import { handleInternalApi } from "./internal-api.ts";
import { log } from "./log.ts";
import { GatewayMetrics } from "./metrics.ts";
import { PreviewProxy } from "./preview-proxy.ts";
import { ScenarioTester } from "./scenario-tester.ts";
import { type AdmissionLimits, DEFAULT_RESERVED_MAX, type LifetimeRules, SessionManager } from "./session-manager.ts";
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
  /** The `dockyard` command instructors' scenario tests run; default this checkout's (tests pass their own). */
  dockyardCli?: string;
  /** The script the admin's "rebuild images" runs with bash; default docker/build-images.sh (tests pass their own). */
  imageBuildScript?: string;
  /** The registry mirror nested engines pull through; the admin sees what it holds and preloads course images. */
  mirror?: RegistryMirror;
}

export const DEFAULT_LIMITS: AdmissionLimits = { maxSessions: 100, maxPerUser: 3, maxStarting: 10 };
export const DEFAULT_LIFETIME: LifetimeRules = { ttlSeconds: 3600, maxTtlSeconds: 4 * 3600, idleSeconds: 1200 };

export interface Gateway {
  /** Browsers: /healthz, the terminal WebSockets and, on preview host names, port previews. */
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
}

function health(options: GatewayOptions, manager: SessionManager, res: ServerResponse): void {
  void options.driver.ping().then((docker) => {
    const ready = docker.ok && manager.isReady();
    const body: GatewayHealth = {
      ok: ready,
      docker: docker.ok ? { ok: true, version: docker.value.version } : { ok: false, error: docker.error.message },
      ...(options.isolation ? { isolation: options.isolation } : {}),
      ...(docker.ok && !manager.isReady() ? { starting: true } : {}),
    };
    sendJson(res, ready ? 200 : 503, body);
  });
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
  const terminals = new TerminalServer({
    onRefused: (code) => metrics?.errors.inc({ code }),
    ...options,
    onActivity: (id) => manager?.touch(id),
    ownerOf: async (id, labelled) => (manager ? manager.ownerOf(id, labelled) : labelled),
    leaseOf: async (id) => (manager ? manager.leaseExpiry(id) : null),
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
    ...(options.isolation?.required && !options.isolation.ok
      ? { isolationProblem: options.isolation.error ?? "the host firewall is not in place." }
      : {}),
    onRemoved: (id, why) => {
      previews?.forget(id);
      terminals.sessionEnded(id, why);
    },
    onLease: (id, expiresAt) => terminals.leaseChanged(id, expiresAt),
    attachedTerminals: (id) => terminals.attached(id),
  });
  const sessions = manager;
  previews = new PreviewProxy(options);
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
  };
  const countErrors = (res: ServerResponse) =>
    res.once("finish", () => {
      const code = res.getHeader("x-dockyard-error");
      if (typeof code === "string") counted.errors.inc({ code });
    });

  const server = createServer((req, res) => {
    countErrors(res);
    if (previews?.handleRequest(req, res)) return;
    const path = pathOf(req);
    if (path === "/healthz" && req.method === "GET") return health(options, sessions, res);
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
    if (path === "/healthz" && req.method === "GET") return health(options, sessions, res);
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

  return { server, internal, terminals, manager: sessions, metrics: counted, images, tests, preloads };
}

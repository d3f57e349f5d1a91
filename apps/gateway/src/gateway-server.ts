import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dockyardError, type GatewayHealth } from "@dockyard/protocol";
import type { SandboxDriver } from "@dockyard/sandbox";
import { sendError, sendJson } from "./http-io.ts";
import { handleInternalApi } from "./internal-api.ts";
import { PreviewProxy } from "./preview-proxy.ts";
import { TerminalServer } from "./terminal-server.ts";

export interface GatewayOptions {
  driver: SandboxDriver;
  secret: string;
  allowedOrigins: string[];
  /** The web app as browsers reach it (port previews send viewers there to be let in). */
  webUrl: string;
}

export interface Gateway {
  /** Browsers: /healthz, the terminal WebSockets and, on preview host names, port previews. */
  server: Server;
  /** The web app only: /healthz and the control API. Listen on a private address: sandboxes can reach the host. */
  internal: Server;
  terminals: TerminalServer;
}

function health(driver: SandboxDriver, res: ServerResponse): void {
  void driver.ping().then((docker) => {
    const body: GatewayHealth = {
      ok: docker.ok,
      docker: docker.ok ? { ok: true, version: docker.value.version } : { ok: false, error: docker.error.message },
    };
    sendJson(res, docker.ok ? 200 : 503, body);
  });
}

const pathOf = (req: IncomingMessage) => new URL(req.url ?? "/", "http://gateway").pathname;

export function createGatewayServer(options: GatewayOptions): Gateway {
  const terminals = new TerminalServer(options);
  const previews = new PreviewProxy(options);

  const server = createServer((req, res) => {
    if (previews.handleRequest(req, res)) return;
    const path = pathOf(req);
    if (path === "/healthz" && req.method === "GET") return health(options.driver, res);
    sendError(res, dockyardError("NOT_FOUND", `No route ${req.method} ${path}.`));
  });
  server.on("upgrade", (req, socket, head) => {
    if (previews.handleUpgrade(req, socket, head)) return;
    terminals.handleUpgrade(req, socket, head).catch((error: unknown) => {
      console.error("[gateway] upgrade failed", error);
      socket.destroy();
    });
  });

  const internal = createServer((req, res) => {
    const path = pathOf(req);
    if (path === "/healthz" && req.method === "GET") return health(options.driver, res);
    handleInternalApi(req, res, options.driver, options.secret, { removed: (id) => previews.forget(id) })
      .then((handled) => {
        if (!handled) sendError(res, dockyardError("NOT_FOUND", `No route ${req.method} ${path}.`));
      })
      .catch((error: unknown) => {
        // Last-resort handler for this transport.
        console.error("[gateway] request failed", error);
        if (!res.headersSent) sendError(res, dockyardError("INTERNAL"));
        else res.end();
      });
  });

  return { server, internal, terminals };
}

import { createServer, type Server } from "node:http";
import { dockyardError, type GatewayHealth } from "@dockyard/protocol";
import type { SandboxDriver } from "@dockyard/sandbox";
import { sendError, sendJson } from "./http-io.ts";
import { handleInternalApi } from "./internal-api.ts";
import { TerminalServer } from "./terminal-server.ts";

export interface GatewayOptions {
  driver: SandboxDriver;
  secret: string;
  allowedOrigins: string[];
}

/** The gateway's one HTTP server: /healthz, the internal API and the terminal WebSockets. */
export function createGatewayServer(options: GatewayOptions): { server: Server; terminals: TerminalServer } {
  const terminals = new TerminalServer(options);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    if (path === "/healthz" && req.method === "GET") {
      void options.driver.ping().then((docker) => {
        const body: GatewayHealth = {
          ok: docker.ok,
          docker: docker.ok ? { ok: true, version: docker.value.version } : { ok: false, error: docker.error.message },
        };
        sendJson(res, docker.ok ? 200 : 503, body);
      });
      return;
    }
    handleInternalApi(req, res, options.driver, options.secret)
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
  server.on("upgrade", (req, socket, head) => {
    terminals.handleUpgrade(req, socket, head).catch((error: unknown) => {
      console.error("[gateway] upgrade failed", error);
      socket.destroy();
    });
  });
  return { server, terminals };
}

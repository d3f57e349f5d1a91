import { type IncomingMessage, request, type ServerResponse } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import {
  PREVIEW_AUTH_PATH,
  PREVIEW_COOKIE,
  PREVIEW_COOKIE_TTL_SECONDS,
  type PreviewTarget,
  parsePreviewHost,
  plainPage,
} from "@dockyard/protocol";
import type { SandboxDriver } from "@dockyard/sandbox";
import { claimsMatch, mintPreviewCookie, verifyPreviewCookie, verifyPreviewToken } from "@dockyard/token";

export interface PreviewProxyOptions {
  driver: SandboxDriver;
  secret: string;
  /** The web app as browsers reach it: viewers without a preview cookie are sent there to be vouched for. */
  webUrl: string;
}

/** How long a looked-up sandbox address is reused; a session's addresses do not change while it lives. */
const ADDRESS_TTL_MS = 5_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** Hop-by-hop headers (RFC 9110 7.6.1) are not forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "proxy-authorization",
  "proxy-authenticate",
]);

type Lookup = { ok: true; ip: string } | { ok: false; status: number; title: string; detail: string };

/** A plain page for every refusal: people open previews in a browser tab. */
function sendPage(res: ServerResponse, status: number, title: string, detail: string): void {
  const body = plainPage(title, detail);
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** The Cookie header without Dockyard's own cookie: the sandbox never sees it. */
function withoutPreviewCookie(header: string | undefined): string | undefined {
  const kept = (header ?? "")
    .split(";")
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith(`${PREVIEW_COOKIE}=`));
  return kept.length > 0 ? kept.join("; ") : undefined;
}

/**
 * Where the cookie may go. A preview is also shown inside the scenario page (Katacoda's dashboards), a cross-site
 * frame: there only a `SameSite=None` cookie is kept, which must be `Secure` (https, or `*.localhost`, which
 * browsers treat as secure) and is `Partitioned`, so it is sent only under the page that framed it, and a page
 * elsewhere cannot make a browser send it. Over plain http on another domain, Lax: previews then open in a tab.
 */
function cookieSite(req: IncomingMessage): string {
  const host = (req.headers.host ?? "").split(":")[0] ?? "";
  const secure = req.headers["x-forwarded-proto"] === "https" || host === "localhost" || host.endsWith(".localhost");
  return secure ? "Secure; SameSite=None; Partitioned" : "SameSite=Lax";
}

/** Only a path on the same preview host; anything else (`//evil`, `https:`) becomes `/`. */
const safeNext = (next: string | null) => (next?.startsWith("/") && !/^\/[/\\]/.test(next) ? next : "/");

/**
 * HTTP and WebSocket traffic for `http://<session>-<port>.<preview domain>/`, proxied to that port of the session's
 * host over its private network. A viewer needs the preview cookie of that exact host name, which the gateway sets
 * when it gets a preview token the web app minted (the web app decides who may look: the owner, later instructors
 * and admins). Without it, a browser is sent to the web app to be vouched for, and comes back.
 */
export class PreviewProxy {
  private readonly addresses = new Map<string, { ip: string; at: number }>();
  private readonly usedTokens = new Map<string, number>();

  constructor(private readonly options: PreviewProxyOptions) {}

  /** Whether the request was for a preview host (and so answered here). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const target = parsePreviewHost(req.headers.host);
    if (!target) return false;
    void this.serve(req, res, target).catch((error: unknown) => {
      console.error("[gateway] preview failed", error);
      if (!res.headersSent) sendPage(res, 500, "The preview failed", "Something went wrong in Dockyard's gateway.");
      else res.destroy();
    });
    return true;
  }

  /** Whether the upgrade was for a preview host (and so answered here). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const target = parsePreviewHost(req.headers.host);
    if (!target) return false;
    void this.upgrade(req, socket, head, target).catch((error: unknown) => {
      console.error("[gateway] preview upgrade failed", error);
      socket.destroy();
    });
    return true;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, target: PreviewTarget): Promise<void> {
    const url = new URL(req.url ?? "/", "http://preview");
    if (url.pathname === PREVIEW_AUTH_PATH) return this.acceptToken(req, url, res, target);
    if (!this.authorized(req, target)) {
      if (req.method === "GET" || req.method === "HEAD") {
        const proto = req.headers["x-forwarded-proto"] === "https" ? "https" : "http";
        const back = `${proto}://${req.headers.host}${req.url ?? "/"}`;
        res.writeHead(302, {
          location: `${this.options.webUrl}/previews/authorize?url=${encodeURIComponent(back)}`,
          "cache-control": "no-store",
        });
        res.end();
        return;
      }
      return sendPage(res, 401, "Sign-in needed", "Open this preview from the scenario page first.");
    }
    const address = await this.lookup(target);
    if (!address.ok) return sendPage(res, address.status, address.title, address.detail);

    const headers = this.forwardHeaders(req);
    const upstream = request({
      host: address.ip,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      timeout: CONNECT_TIMEOUT_MS,
    });
    upstream.on("timeout", () => upstream.destroy(new Error("timeout")));
    upstream.once("socket", (socket) => {
      // The timeout is for connecting; a long poll or a slow download may then take as long as it needs.
      socket.once("connect", () => upstream.setTimeout(0));
    });
    upstream.on("response", (answer) => {
      const out: Record<string, string | string[]> = {};
      for (const [key, value] of Object.entries(answer.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(key)) out[key] = value;
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
      answer.pipe(res);
    });
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy();
      const where = `port ${target.port} of ${target.host}`;
      if (error.code === "ECONNREFUSED" || error.code === "EHOSTUNREACH") {
        sendPage(
          res,
          502,
          `Nothing is listening on ${where} yet`,
          "Start the service in the sandbox and reload this page. It must listen on 0.0.0.0, not only on localhost.",
        );
      } else {
        sendPage(res, 504, `No answer from ${where}`, `The sandbox did not answer (${error.code ?? error.message}).`);
      }
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: PreviewTarget): Promise<void> {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!this.authorized(req, target)) return refuse(401, "Unauthorized");
    const address = await this.lookup(target);
    if (!address.ok) return refuse(address.status, "Unavailable");
    const upstream = connect({ host: address.ip, port: target.port });
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy());
    upstream.once("connect", () => {
      upstream.setTimeout(0);
      const headers = this.forwardHeaders(req);
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (const [key, value] of Object.entries(headers)) {
        for (const v of Array.isArray(value) ? value : [value]) lines.push(`${key}: ${v}`);
      }
      lines.push(`connection: Upgrade`, `upgrade: ${req.headers.upgrade ?? "websocket"}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => {
      if (!socket.destroyed) refuse(502, "Bad Gateway");
    });
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => upstream.destroy());
  }

  private authorized(req: IncomingMessage, target: PreviewTarget): boolean {
    const value = cookieValue(req.headers.cookie, PREVIEW_COOKIE);
    if (!value) return false;
    const claims = verifyPreviewCookie(value, this.options.secret);
    return claims.ok && claimsMatch(claims.value, target);
  }

  /** The web app's token, traded once for the cookie of this preview host. */
  private acceptToken(req: IncomingMessage, url: URL, res: ServerResponse, target: PreviewTarget): void {
    const token = verifyPreviewToken(url.searchParams.get("token") ?? "", this.options.secret);
    if (!token.ok || !claimsMatch(token.value, target)) {
      sendPage(res, 403, "This preview link is not valid", "Open the preview again from the scenario page.");
      return;
    }
    const now = Date.now() / 1000;
    for (const [jti, exp] of this.usedTokens) if (exp < now) this.usedTokens.delete(jti);
    if (this.usedTokens.has(token.value.jti)) {
      sendPage(res, 403, "This preview link was used already", "Open the preview again from the scenario page.");
      return;
    }
    this.usedTokens.set(token.value.jti, token.value.exp);
    const cookie = mintPreviewCookie(
      { sub: token.value.sub, sid: target.sessionId, host: target.host, port: target.port },
      this.options.secret,
    );
    res.writeHead(302, {
      location: safeNext(url.searchParams.get("next")),
      "set-cookie": `${PREVIEW_COOKIE}=${cookie}; Path=/; HttpOnly; Max-Age=${PREVIEW_COOKIE_TTL_SECONDS}; ${cookieSite(req)}`,
      "cache-control": "no-store",
    });
    res.end();
  }

  private async lookup(target: PreviewTarget): Promise<Lookup> {
    const key = `${target.sessionId}/${target.host}`;
    const cached = this.addresses.get(key);
    if (cached && Date.now() - cached.at < ADDRESS_TTL_MS) return { ok: true, ip: cached.ip };
    const session = await this.options.driver.inspectSession(target.sessionId);
    if (!session.ok) {
      return session.error.code === "NOT_FOUND"
        ? {
            ok: false,
            status: 404,
            title: "This sandbox is gone",
            detail: "Start the scenario again to get a new one.",
          }
        : { ok: false, status: 503, title: "The sandbox cannot be reached", detail: session.error.message };
    }
    const host = session.value.hosts.find((h) => h.name === target.host);
    if (!host?.running || !host.ip) {
      return {
        ok: false,
        status: 404,
        title: `No running host ${target.host}`,
        detail: "This sandbox has no such host, or it is not running.",
      };
    }
    this.addresses.set(key, { ip: host.ip, at: Date.now() });
    return { ok: true, ip: host.ip };
  }

  private forwardHeaders(req: IncomingMessage): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(key) || key === "cookie") continue;
      headers[key] = value;
    }
    const cookie = withoutPreviewCookie(req.headers.cookie);
    if (cookie) headers.cookie = cookie;
    const forwardedFor = req.socket.remoteAddress;
    if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
    headers["x-forwarded-host"] = req.headers.host ?? "";
    headers["x-forwarded-proto"] = req.headers["x-forwarded-proto"] ?? "http";
    return headers;
  }
}

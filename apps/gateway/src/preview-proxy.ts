import { randomBytes } from "node:crypto";
import { type IncomingMessage, request, type ServerResponse } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import {
  type ParsedPreviewHost,
  PREVIEW_AUTH_PATH,
  PREVIEW_COOKIE,
  PREVIEW_COOKIE_TTL_SECONDS,
  PREVIEW_STATE_COOKIE,
  type PreviewTarget,
  parsePreviewHost,
  plainPage,
  previewLabel,
} from "@dockyard/protocol";
import type { SandboxDriver } from "@dockyard/sandbox";
import { claimsMatch, mintPreviewCookie, verifyPreviewCookie, verifyPreviewToken } from "@dockyard/token";
import { log } from "./log.ts";

export interface PreviewProxyOptions {
  driver: SandboxDriver;
  secret: string;
  /** The web app as browsers reach it: viewers without a preview cookie are sent there to be vouched for. */
  webUrl: string;
  /** A preview token was traded here: no gateway may accept it again. */
  onTokenUsed?: (jti: string, exp: number) => void;
}

/** How long a looked-up sandbox address is reused. Removing a session through the gateway forgets it at once. */
const ADDRESS_TTL_MS = 2_000;
const CONNECT_TIMEOUT_MS = 10_000;
const STATE_TTL_SECONDS = 300;

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

/** Every value of a cookie (a browser may send two of one name, for different paths or partitions). */
function cookieValues(header: string | undefined, name: string): string[] {
  return (header ?? "")
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
}

const isOurCookie = (text: string) =>
  text.startsWith(`${PREVIEW_COOKIE}=`) || text.startsWith(`${PREVIEW_STATE_COOKIE}=`);

/** The Cookie header without Dockyard's own cookies: the sandbox never sees them. */
function withoutOurCookies(header: string | undefined): string | undefined {
  const kept = (header ?? "")
    .split(";")
    .map((p) => p.trim())
    .filter((p) => p && !isOurCookie(p));
  return kept.length > 0 ? kept.join("; ") : undefined;
}

/**
 * Where the cookies may go. A preview is also shown inside the scenario page (Katacoda's dashboards), a cross-site
 * frame: there only a `SameSite=None` cookie is kept, which must be `Secure` (https, or `*.localhost`, which
 * browsers treat as secure) and is `Partitioned`, so it is sent only under the page that framed it, and a page
 * elsewhere cannot make a browser send it. Over plain http on another domain, Lax: previews then open in a tab.
 */
function cookieSite(req: IncomingMessage): string {
  const host = (req.headers.host ?? "").split(":")[0] ?? "";
  const secure = req.headers["x-forwarded-proto"] === "https" || host === "localhost" || host.endsWith(".localhost");
  return secure ? "Secure; SameSite=None; Partitioned" : "SameSite=Lax";
}

/** Only a path on the same preview host; anything else (`//evil`, `/\evil`, control characters) becomes `/`. */
const safeNext = (next: string | null) =>
  next?.startsWith("/") && !/^\/[/\\]/.test(next) && ![...next].some((c) => c <= " " || c === "\u007f" || c === "\\")
    ? next
    : "/";

const schemeOf = (req: IncomingMessage) => (req.headers["x-forwarded-proto"] === "https" ? "https" : "http");

/**
 * HTTP and WebSocket traffic for `http://<session>-<port>.<preview domain>/`, proxied to that port of the session's
 * host over its private network. A viewer needs the preview cookie of that exact host name. Without it, the gateway
 * gives the browser a random state cookie and sends it to the web app, which decides who may look (the owner; later
 * instructors and admins) and sends it back with a one-minute token that names that state; the gateway trades the
 * token once, in that browser only, for the preview cookie.
 */
export class PreviewProxy {
  private readonly addresses = new Map<string, { ip: string; at: number }>();
  private readonly usedTokens = new Map<string, number>();

  constructor(private readonly options: PreviewProxyOptions) {
    // Forget used tokens once they could no longer be used anyway, and stale addresses.
    setInterval(() => {
      const now = Date.now();
      for (const [jti, exp] of this.usedTokens) if (exp * 1000 < now) this.usedTokens.delete(jti);
      for (const [key, entry] of this.addresses) if (now - entry.at > ADDRESS_TTL_MS) this.addresses.delete(key);
    }, 30_000).unref();
  }

  /** Another gateway traded this token: it is used up here too. */
  tokenUsed(jti: string, exp: number): void {
    this.usedTokens.set(jti, exp);
  }

  /** A removed session's addresses may be handed to another session's hosts: never use them again. */
  forget(sessionId: string): void {
    for (const key of this.addresses.keys()) if (key.startsWith(`${sessionId}/`)) this.addresses.delete(key);
  }

  /** Whether the request was for a preview host (and so answered here). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const target = parsePreviewHost(req.headers.host);
    if (!target) return false;
    if (!target.canonical) {
      // Katacoda's `<session>-<port>-<host>` order: the same preview under its one name (cookies are per name).
      const [, ...rest] = (req.headers.host ?? "").split(".");
      res.writeHead(302, {
        location: `${schemeOf(req)}://${[previewLabel(target), ...rest].join(".")}${req.url ?? "/"}`,
      });
      res.end();
      return true;
    }
    void this.serve(req, res, target).catch((error: unknown) => {
      log("error", "preview failed", { error });
      if (!res.headersSent) sendPage(res, 500, "The preview failed", "Something went wrong in Dockyard's gateway.");
      else res.destroy();
    });
    return true;
  }

  /** Whether the upgrade was for a preview host (and so answered here). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const target = parsePreviewHost(req.headers.host);
    if (!target) return false;
    // Node takes its own error listener off an upgraded socket: without this, a client that resets the connection
    // while the sandbox is looked up would crash the gateway.
    socket.on("error", () => socket.destroy());
    void this.upgrade(req, socket, head, target).catch((error: unknown) => {
      log("error", "preview upgrade failed", { error });
      socket.destroy();
    });
    return true;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, target: PreviewTarget): Promise<void> {
    const url = new URL(req.url ?? "/", "http://preview");
    if (url.pathname === PREVIEW_AUTH_PATH) return this.acceptToken(req, url, res, target);
    if (!this.authorized(req, target)) {
      if (req.method === "GET" || req.method === "HEAD") return this.sendToWeb(req, res);
      return sendPage(res, 401, "Sign-in needed", "Open this preview from the scenario page first.");
    }
    const address = await this.lookup(target);
    if (!address.ok) return sendPage(res, address.status, address.title, address.detail);

    const headers = this.forwardHeaders(req);
    // A request body keeps its framing: a chunked one is sent chunked again, never raw on a shared connection.
    if (req.headers["transfer-encoding"]) headers["transfer-encoding"] = "chunked";
    const upstream = request({
      host: address.ip,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      agent: false,
      timeout: CONNECT_TIMEOUT_MS,
    });
    upstream.on("timeout", () => upstream.destroy(new Error("timeout")));
    upstream.once("socket", (socket) => {
      // The timeout is for connecting; a long poll or a slow download may then take as long as it needs.
      socket.once("connect", () => upstream.setTimeout(0));
    });
    upstream.on("response", (answer) => {
      const out: Record<string, string | string[]> = {};
      const named = new Set((answer.headers.connection ?? "").split(",").map((h) => h.trim().toLowerCase()));
      for (const [key, value] of Object.entries(answer.headers)) {
        if (value === undefined || HOP_BY_HOP.has(key) || named.has(key)) continue;
        // The sandbox may not set (or overwrite) Dockyard's own cookies on the preview host.
        out[key] = key === "set-cookie" && Array.isArray(value) ? value.filter((c) => !isOurCookie(c.trim())) : value;
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

  /** No cookie yet: a fresh state cookie on this preview host, and off to the web app to be vouched for. */
  private sendToWeb(req: IncomingMessage, res: ServerResponse): void {
    const state = randomBytes(18).toString("base64url");
    const back = `${schemeOf(req)}://${req.headers.host}${req.url ?? "/"}`;
    res.writeHead(302, {
      location: `${this.options.webUrl}/previews/authorize?url=${encodeURIComponent(back)}&state=${state}`,
      "set-cookie": `${PREVIEW_STATE_COOKIE}=${state}; Path=${PREVIEW_AUTH_PATH}; HttpOnly; Max-Age=${STATE_TTL_SECONDS}; ${cookieSite(req)}`,
      "cache-control": "no-store",
    });
    res.end();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: ParsedPreviewHost): Promise<void> {
    const refuse = (status: number, text: string) => {
      if (!socket.destroyed) socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!target.canonical) return refuse(404, "Not Found");
    if (!this.authorized(req, target)) return refuse(401, "Unauthorized");
    const address = await this.lookup(target);
    if (socket.destroyed) return;
    if (!address.ok) return refuse(address.status, "Unavailable");
    const upstream = connect({ host: address.ip, port: target.port });
    let connected = false;
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => {
      upstream.destroy();
      refuse(504, "Gateway Timeout");
    });
    upstream.once("connect", () => {
      connected = true;
      upstream.setTimeout(0);
      const headers = this.forwardHeaders(req);
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (const [key, value] of Object.entries(headers)) {
        for (const v of Array.isArray(value) ? value : [value]) lines.push(`${key}: ${v}`);
      }
      lines.push("connection: Upgrade", `upgrade: ${req.headers.upgrade ?? "websocket"}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    // Once the two are joined, either side ending ends the other; before that, the client hears why.
    upstream.on("error", () => (connected ? socket.destroy() : refuse(502, "Bad Gateway")));
    upstream.on("close", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
  }

  private authorized(req: IncomingMessage, target: PreviewTarget): boolean {
    return cookieValues(req.headers.cookie, PREVIEW_COOKIE).some((value) => {
      const claims = verifyPreviewCookie(value, this.options.secret);
      return claims.ok && claimsMatch(claims.value, target);
    });
  }

  /** The web app's token, traded once, in the browser that asked for it, for the cookie of this preview host. */
  private acceptToken(req: IncomingMessage, url: URL, res: ServerResponse, target: PreviewTarget): void {
    const token = verifyPreviewToken(url.searchParams.get("token") ?? "", this.options.secret);
    if (!token.ok || !claimsMatch(token.value, target)) {
      sendPage(res, 403, "This preview link is not valid", "Open the preview again from the scenario page.");
      return;
    }
    const states = cookieValues(req.headers.cookie, PREVIEW_STATE_COOKIE);
    if (states.length === 0) {
      // Either a link made in another browser, or a browser that keeps no cookies for this frame: no loop either way.
      sendPage(
        res,
        403,
        "This browser did not keep the preview's cookie",
        "Open the preview from the scenario page in this browser. Inside the page, previews need https (or *.localhost) and cookies allowed for framed sites; opening it in a new tab works without.",
      );
      return;
    }
    if (!states.includes(token.value.state)) {
      sendPage(
        res,
        403,
        "This preview link is not valid",
        "It was made for another browser. Open the preview from the scenario page.",
      );
      return;
    }
    if (this.usedTokens.has(token.value.jti)) {
      sendPage(res, 403, "This preview link was used already", "Open the preview again from the scenario page.");
      return;
    }
    this.usedTokens.set(token.value.jti, token.value.exp);
    this.options.onTokenUsed?.(token.value.jti, token.value.exp);
    const cookie = mintPreviewCookie(
      { sub: token.value.sub, sid: target.sessionId, host: target.host, port: target.port },
      this.options.secret,
    );
    res.writeHead(302, {
      location: safeNext(url.searchParams.get("next")),
      "set-cookie": [
        `${PREVIEW_COOKIE}=${cookie}; Path=/; HttpOnly; Max-Age=${PREVIEW_COOKIE_TTL_SECONDS}; ${cookieSite(req)}`,
        `${PREVIEW_STATE_COOKIE}=; Path=${PREVIEW_AUTH_PATH}; HttpOnly; Max-Age=0; ${cookieSite(req)}`,
      ],
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
    const named = new Set((req.headers.connection ?? "").split(",").map((h) => h.trim().toLowerCase()));
    for (const [key, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(key) || named.has(key) || key === "cookie") continue;
      headers[key] = value;
    }
    const cookie = withoutOurCookies(req.headers.cookie);
    if (cookie) headers.cookie = cookie;
    const forwardedFor = req.socket.remoteAddress;
    if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
    headers["x-forwarded-host"] = req.headers.host ?? "";
    headers["x-forwarded-proto"] = schemeOf(req);
    return headers;
  }
}

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  type DockyardError,
  dockyardError,
  httpStatusOf,
  MAX_INPUT_FRAME_BYTES,
  parseTerminalClientMessage,
  type TerminalServerMessage,
  wsCloseCodeOf,
} from "@dockyard/protocol";
import type { SandboxDriver, TerminalStream } from "@dockyard/sandbox";
import { verifyTerminalToken } from "@dockyard/token";
import { type RawData, type WebSocket, WebSocketServer } from "ws";

export interface TerminalServerOptions {
  driver: SandboxDriver;
  secret: string;
  allowedOrigins: string[];
  /** A terminal of the session was opened or typed into: the session is in use. */
  onActivity?: (sessionId: string) => void;
  /** Whose a session is, when something other than its labels knows better (a sandbox from the warm pool). */
  ownerOf?: (sessionId: string, labelled: string) => Promise<string>;
}

const HEARTBEAT_MS = 30_000;
/** Most terminals one session may hold open at once. */
export const MAX_TERMINALS_PER_SESSION = 8;

/** The browser may open terminals from the page's own host (any port) or from an origin the admin allowed. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined, allowed: string[]): boolean {
  if (!origin) return false;
  if (allowed.includes(origin)) return true;
  try {
    const originHost = new URL(origin).hostname;
    const requestHost = new URL(`http://${hostHeader ?? ""}`).hostname;
    return originHost === requestHost;
  } catch {
    return false;
  }
}

function rejectUpgrade(socket: Duplex, error: DockyardError): void {
  const status = httpStatusOf(error.code);
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${error.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const clampSize = (value: string | null, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : fallback;
};

/**
 * WebSocket terminals at /terminal?token=…&cols=…&rows=…. Origin, token and ownership are checked before the
 * upgrade; a failed check answers with an HTTP error and no socket.
 */
export class TerminalServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INPUT_FRAME_BYTES });
  private readonly terminals = new Set<TerminalStream>();
  private readonly perSession = new Map<string, number>();
  /** Token ids already used, until they expire: a token opens one socket. */
  private readonly usedTokens = new Map<string, number>();

  constructor(private readonly options: TerminalServerOptions) {}

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://gateway");
    if (url.pathname !== "/terminal") return rejectUpgrade(socket, dockyardError("NOT_FOUND", "No such socket."));
    if (!originAllowed(req.headers.origin, req.headers.host, this.options.allowedOrigins)) {
      return rejectUpgrade(socket, dockyardError("FORBIDDEN", "This origin may not open terminals."));
    }
    // A request ws would refuse must not get as far as starting a shell.
    if (
      req.method !== "GET" ||
      req.headers.upgrade?.toLowerCase() !== "websocket" ||
      !/^[+/0-9A-Za-z]{22}==$/.test(req.headers["sec-websocket-key"] ?? "") ||
      req.headers["sec-websocket-version"] !== "13"
    ) {
      return rejectUpgrade(socket, dockyardError("BAD_REQUEST", "Not a WebSocket upgrade."));
    }
    const claims = verifyTerminalToken(url.searchParams.get("token") ?? "", this.options.secret);
    if (!claims.ok) return rejectUpgrade(socket, claims.error);
    const { sid, sub, host, jti, exp } = claims.value;
    this.forgetExpiredTokens();
    if (this.usedTokens.has(jti)) {
      return rejectUpgrade(socket, dockyardError("UNAUTHENTICATED", "This token was used already."));
    }
    this.usedTokens.set(jti, exp);
    if ((this.perSession.get(sid) ?? 0) >= MAX_TERMINALS_PER_SESSION) {
      return rejectUpgrade(socket, dockyardError("CONFLICT", "Too many terminals are open on this sandbox."));
    }
    const session = await this.options.driver.inspectSession(sid);
    if (!session.ok) return rejectUpgrade(socket, session.error);
    const owner = this.options.ownerOf ? await this.options.ownerOf(sid, session.value.userId) : session.value.userId;
    if (owner !== sub) {
      return rejectUpgrade(socket, dockyardError("FORBIDDEN", "This sandbox belongs to someone else."));
    }
    const cols = clampSize(url.searchParams.get("cols"), 80);
    const rows = clampSize(url.searchParams.get("rows"), 24);
    // `name` (a tab's name, such as t1-2) makes the shell persistent: a reload or a dropped connection attaches to it.
    const name = url.searchParams.get("name") ?? undefined;
    if (name !== undefined && !/^[a-z0-9-]{1,32}$/.test(name)) {
      return rejectUpgrade(socket, dockyardError("BAD_REQUEST", "A terminal name is 1-32 of a-z, 0-9 and -."));
    }
    const terminal = await this.options.driver.openTerminal({
      sessionId: sid,
      host,
      cols,
      rows,
      ...(name ? { name } : {}),
    });
    if (!terminal.ok) return rejectUpgrade(socket, terminal.error);
    // Until the socket is ours, a client that goes away takes its shell with it.
    const abandon = () => terminal.value.dispose();
    if (socket.destroyed) return abandon();
    socket.once("close", abandon);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off("close", abandon);
      this.attach(ws, terminal.value, sid, host, claims.value.mode === "write");
    });
  }

  private forgetExpiredTokens(): void {
    const now = Date.now() / 1000;
    for (const [jti, exp] of this.usedTokens) if (exp < now) this.usedTokens.delete(jti);
  }

  private attach(ws: WebSocket, terminal: TerminalStream, sessionId: string, host: string, writable: boolean): void {
    this.terminals.add(terminal);
    this.perSession.set(sessionId, (this.perSession.get(sessionId) ?? 0) + 1);
    this.options.onActivity?.(sessionId);
    const send = (message: TerminalServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, HEARTBEAT_MS);
    ws.on("pong", () => {
      alive = true;
    });

    const close = () => {
      clearInterval(heartbeat);
      if (!this.terminals.delete(terminal)) return;
      terminal.dispose();
      const open = (this.perSession.get(sessionId) ?? 1) - 1;
      if (open > 0) this.perSession.set(sessionId, open);
      else this.perSession.delete(sessionId);
      // Idle time counts from the last terminal closing.
      this.options.onActivity?.(sessionId);
    };

    terminal.onData((chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    });
    terminal.onExit((exitCode) => {
      send({ type: "exit", exitCode });
      ws.close(1000, "shell exited");
      close();
    });

    ws.on("message", (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        if (writable) terminal.write(bytes);
        this.options.onActivity?.(sessionId);
        return;
      }
      const parsed = parseTerminalClientMessage(bytes.toString("utf8"));
      if (!parsed.ok) {
        send({ type: "error", code: "BAD_REQUEST", message: `Ignored a bad control message: ${parsed.reason}` });
        return;
      }
      const message = parsed.message;
      if (message.type === "resize") {
        terminal.resize(message.cols, message.rows).catch(() => undefined);
      } else if (message.type === "ping") {
        send({ type: "pong", id: message.id });
      }
    });
    ws.on("close", close);
    ws.on("error", close);
    send({ type: "ready", sessionId, host });
  }

  /** How many terminals of a session are open now. */
  attached(sessionId: string): number {
    return this.perSession.get(sessionId) ?? 0;
  }

  /** Ends every terminal (shutdown). */
  closeAll(): void {
    for (const ws of this.wss.clients) ws.close(wsCloseCodeOf("INTERNAL"), "gateway shutting down");
    for (const terminal of this.terminals) terminal.dispose();
    this.terminals.clear();
  }
}

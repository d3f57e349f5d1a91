import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  type DockyardError,
  dockyardError,
  httpStatusOf,
  MAX_INPUT_FRAME_BYTES,
  OUTPUT_RESUME_BYTES,
  OUTPUT_WINDOW_BYTES,
  parseTerminalClientMessage,
  type TerminalClientMessage,
  type TerminalServerMessage,
  type TerminalTokenClaims,
  type TerminalViewer,
  VIEWERS_REFRESH_MS,
  WS_CLOSE_REPLACED,
  wsCloseCodeOf,
} from "@dockyard/protocol";
import type { SandboxDriver, TerminalStream } from "@dockyard/sandbox";
import { verifyTerminalToken } from "@dockyard/token";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { ByteQueue } from "./byte-queue.ts";

export interface TerminalServerOptions {
  driver: SandboxDriver;
  secret: string;
  allowedOrigins: string[];
  /** A terminal of the session was opened or typed into: the session is in use. */
  onActivity?: (sessionId: string) => void;
  /** Whose a session is, when something other than its labels knows better (a sandbox from the warm pool). */
  ownerOf?: (sessionId: string, labelled: string) => Promise<string>;
  /** When the session's lease ends (ISO), sent to a terminal when it connects. */
  leaseOf?: (sessionId: string) => Promise<string | null>;
  /** How long a channel whose socket dropped keeps its shell attached, waiting for the same client. */
  graceMs?: number;
  /** An upgrade was refused with this code (for metrics). */
  onRefused?: (code: DockyardError["code"]) => void;
  /**
   * Who is connected to a session through this gateway changed (the whole list; empty when nobody is): other
   * gateways serving the same session are told (instance-sync.ts).
   */
  onViewers?: (sessionId: string, viewers: TerminalViewer[]) => void;
  /** The owner, connected here, let watchers type or stopped them (or control ended with a side leaving). */
  onControl?: (sessionId: string, allowed: boolean) => void;
  /** A token opened a socket here: no gateway may accept it again. */
  onTokenUsed?: (jti: string, exp: number) => void;
}

/** Who is connected to a session through another gateway, as it last said, and when. */
interface RemoteViewers {
  viewers: TerminalViewer[];
  at: number;
}

const HEARTBEAT_MS = 30_000;
/** How long input confirmations are gathered before one is sent. */
const INPUT_ACK_DELAY_MS = 200;
/** Input the shell has not read yet, past which more is refused (a program that never reads its input). */
const MAX_PENDING_INPUT_BYTES = 4 * 1024 * 1024;
/** What a WebSocket frame costs beyond its bytes, counted so that many tiny frames fill the window too. */
const FRAME_OVERHEAD_BYTES = 64;
const DEFAULT_GRACE_MS = 60_000;
/** Most terminals one session may hold open at once. */
export const MAX_TERMINALS_PER_SESSION = 8;
/** Watchers (instructors, admins) a session may have at once, on top of its owner's terminals. */
export const MAX_WATCHERS_PER_SESSION = 8;
/** Another gateway's viewer list counts until it has not been repeated for this long (it repeats every 30 s). */
const REMOTE_VIEWERS_TTL_MS = 3 * VIEWERS_REFRESH_MS;

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
 * One shell attachment in the sandbox and the bookkeeping that lets a client come back to it: output counted from
 * the start (and kept until acknowledged, for a resuming client), input numbers written so far. A socket carries it;
 * when the socket drops, the channel waits a grace period for the same client.
 */
interface Channel {
  key: string;
  sessionId: string;
  host: string;
  name: string | undefined;
  /** The client's id; without one, the channel ends with its socket. */
  client: string | undefined;
  userId: string;
  role: TerminalViewer["role"];
  who: string;
  mode: "write" | "read";
  terminal: TerminalStream;
  ws: WebSocket | null;
  inputSeq: number;
  /** Output bytes produced so far, and acknowledged so far. */
  sent: number;
  acked: number;
  /** Output from byte `acked` to `sent`, kept for a resuming client (only when the channel has a client id). */
  unacked: ByteQueue;
  /** Output handed to the socket and not yet written to the network (with per-frame overhead). */
  unflushed: number;
  paused: boolean;
  grace: NodeJS.Timeout | undefined;
  closed: boolean;
}

/**
 * WebSocket terminals at /terminal?token=…&cols=…&rows=…[&name=…][&client=…&received=…]. Origin, token and
 * ownership are checked before the upgrade; a failed check answers with an HTTP error and no socket. Output is
 * flow-controlled by the client's acknowledgements; input is numbered and written exactly once. See docs/protocol.md.
 */
export class TerminalServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INPUT_FRAME_BYTES });
  private readonly channels = new Map<string, Channel>();
  /** Token ids already used, until they expire: a token opens one socket. */
  private readonly usedTokens = new Map<string, number>();
  /** Sessions whose owner lets watchers type. */
  private readonly controlAllowed = new Set<string>();
  /** Channels being opened (between the checks and the upgrade), counted against the limits like open ones. */
  private readonly opening = new Map<string, { sessionId: string; owner: boolean }>();
  /** Sessions being removed: no new terminals. */
  private readonly ending = new Set<string>();
  /** Viewers connected through other gateways: session, then gateway. */
  private readonly remote = new Map<string, Map<string, RemoteViewers>>();
  /** The viewer list last reported for each session through `onViewers`, to report only changes. */
  private readonly reported = new Map<string, string>();
  private nextAnonymous = 0;

  constructor(private readonly options: TerminalServerOptions) {}

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const reject = (to: Duplex, error: DockyardError) => {
      this.options.onRefused?.(error.code);
      rejectUpgrade(to, error);
    };
    const url = new URL(req.url ?? "/", "http://gateway");
    if (url.pathname !== "/terminal") return reject(socket, dockyardError("NOT_FOUND", "No such socket."));
    if (!originAllowed(req.headers.origin, req.headers.host, this.options.allowedOrigins)) {
      return reject(socket, dockyardError("FORBIDDEN", "This origin may not open terminals."));
    }
    // A request ws would refuse must not get as far as starting a shell.
    if (
      req.method !== "GET" ||
      req.headers.upgrade?.toLowerCase() !== "websocket" ||
      !/^[+/0-9A-Za-z]{22}==$/.test(req.headers["sec-websocket-key"] ?? "") ||
      req.headers["sec-websocket-version"] !== "13"
    ) {
      return reject(socket, dockyardError("BAD_REQUEST", "Not a WebSocket upgrade."));
    }
    const verified = verifyTerminalToken(url.searchParams.get("token") ?? "", this.options.secret);
    if (!verified.ok) return reject(socket, verified.error);
    const claims = verified.value;
    const { sid, sub, host, jti, exp } = claims;
    this.forgetExpiredTokens();
    if (this.usedTokens.has(jti)) {
      return reject(socket, dockyardError("UNAUTHENTICATED", "This token was used already."));
    }
    this.usedTokens.set(jti, exp);
    this.options.onTokenUsed?.(jti, exp);

    // `name` (a tab's name, such as t1-2) makes the shell persistent: a reload or a dropped connection attaches to it.
    const name = url.searchParams.get("name") ?? undefined;
    if (name !== undefined && !/^[a-z0-9-]{1,32}$/.test(name)) {
      return reject(socket, dockyardError("BAD_REQUEST", "A terminal name is 1-32 of a-z, 0-9 and -."));
    }
    // `client` identifies one terminal view in one page: coming back with it (and the bytes it received) resumes.
    const client = url.searchParams.get("client") ?? undefined;
    if (client !== undefined && !/^[A-Za-z0-9_-]{8,64}$/.test(client)) {
      return reject(socket, dockyardError("BAD_REQUEST", "A client id is 8-64 of A-Z, a-z, 0-9, _ and -."));
    }
    const received = Number(url.searchParams.get("received") ?? "0");
    if (!Number.isSafeInteger(received) || received < 0) {
      return reject(socket, dockyardError("BAD_REQUEST", "received is a count of bytes."));
    }
    const watcher = claims.as !== undefined;
    if (watcher && !name) {
      return reject(socket, dockyardError("BAD_REQUEST", "A watcher opens a terminal by its name."));
    }

    const session = await this.options.driver.inspectSession(sid);
    if (!session.ok) return reject(socket, session.error);
    if (this.ending.has(sid)) {
      return reject(socket, dockyardError("NOT_FOUND", "This sandbox is being removed."));
    }
    const owner = this.options.ownerOf ? await this.options.ownerOf(sid, session.value.userId) : session.value.userId;
    // The owner, or staff the web app vouched for (it checks their role before minting a token with `as`).
    if (!watcher && owner !== sub) {
      return reject(socket, dockyardError("FORBIDDEN", "This sandbox belongs to someone else."));
    }
    if (!session.value.hosts.some((h) => h.name === host)) {
      return reject(socket, dockyardError("NOT_FOUND", `This sandbox has no host ${host}.`));
    }

    const key = `${sid}|${host}|${name ?? ""}|${client ?? `anonymous-${++this.nextAnonymous}`}`;
    const existing = this.channels.get(key);
    if (existing && existing.userId === sub && !existing.closed && existing.role === (claims.as ?? "owner")) {
      // The same client again (a reconnect, or a stale socket being replaced): same shell, same counters. What it may
      // do is what its new token says.
      const lease = this.options.leaseOf ? await this.options.leaseOf(sid).catch(() => null) : undefined;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        // Closed while the lease was read (its grace ran out, the shell ended): the client starts a new channel.
        if (existing.closed) return ws.close(1013, "the channel closed; connect again");
        existing.mode = claims.mode;
        if (claims.who) existing.who = claims.who;
        this.attach(ws, existing, { resumed: true, received, lease });
      });
      return;
    }
    if (existing) return reject(socket, dockyardError("FORBIDDEN", "This client id belongs to someone else."));

    // A new view of this tab (after a reload): the old view's channel waits for a page that is gone.
    for (const channel of this.channels.values()) {
      if (channel.sessionId === sid && channel.host === host && channel.name === name && name !== undefined) {
        if (channel.userId === sub && channel.ws === null) this.closeChannel(channel);
      }
    }
    if (this.opening.has(key)) {
      return reject(socket, dockyardError("CONFLICT", "This terminal is being opened already."));
    }
    const ownerSide = !watcher;
    const count =
      [...this.channels.values()].filter((c) => c.sessionId === sid && (c.role === "owner") === ownerSide).length +
      [...this.opening.values()].filter((o) => o.sessionId === sid && o.owner === ownerSide).length +
      this.remoteViewers(sid).filter((v) => (v.role === "owner") === ownerSide).length;
    if (count >= (watcher ? MAX_WATCHERS_PER_SESSION : MAX_TERMINALS_PER_SESSION)) {
      return reject(
        socket,
        dockyardError(
          "LIMIT_REACHED",
          `This sandbox has ${count} terminals open, the most it may have${watcher ? " for watchers" : ""}.`,
        ),
      );
    }
    // Reserved until the channel exists or the attempt fails: concurrent upgrades count against the limit too.
    this.opening.set(key, { sessionId: sid, owner: ownerSide });
    const release = () => this.opening.delete(key);
    const terminal = await this.options.driver.openTerminal({
      sessionId: sid,
      host,
      cols: clampSize(url.searchParams.get("cols"), 80),
      rows: clampSize(url.searchParams.get("rows"), 24),
      ...(name ? { name } : {}),
      ...(watcher ? { watch: true } : {}),
    });
    if (!terminal.ok) {
      release();
      return reject(socket, terminal.error);
    }
    // Until the socket is ours, a client that goes away takes its shell with it.
    const abandon = () => {
      release();
      terminal.value.dispose();
    };
    if (socket.destroyed) return abandon();
    socket.once("close", abandon);
    const lease = this.options.leaseOf ? await this.options.leaseOf(sid).catch(() => null) : undefined;
    if (socket.destroyed) return;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off("close", abandon);
      release();
      const channel = this.openChannel(key, claims, name, client, terminal.value);
      this.attach(ws, channel, { resumed: false, received: 0, lease });
    });
  }

  private forgetExpiredTokens(): void {
    const now = Date.now() / 1000;
    for (const [jti, exp] of this.usedTokens) if (exp < now) this.usedTokens.delete(jti);
  }

  private openChannel(
    key: string,
    claims: TerminalTokenClaims,
    name: string | undefined,
    client: string | undefined,
    terminal: TerminalStream,
  ): Channel {
    const channel: Channel = {
      key,
      sessionId: claims.sid,
      host: claims.host,
      name,
      client,
      userId: claims.sub,
      role: claims.as ?? "owner",
      // Everyone connected sees this list: the owner is "owner", never their internal id.
      who: claims.who ?? (claims.as ? claims.sub : "owner"),
      mode: claims.mode,
      terminal,
      ws: null,
      inputSeq: 0,
      sent: 0,
      acked: 0,
      unacked: new ByteQueue(),
      unflushed: 0,
      paused: false,
      grace: undefined,
      closed: false,
    };
    this.channels.set(key, channel);
    terminal.onData((chunk) => {
      channel.sent += chunk.length;
      if (channel.client) channel.unacked.push(chunk);
      if (channel.ws) this.sendOutput(channel, channel.ws, chunk);
      this.pauseIfBehind(channel);
    });
    terminal.onExit((exitCode) => {
      const ws = channel.ws;
      if (ws) {
        this.send(ws, { type: "exit", exitCode });
        ws.close(1000, "shell exited");
      }
      this.closeChannel(channel);
    });
    this.options.onActivity?.(claims.sid);
    return channel;
  }

  private send(ws: WebSocket, message: TerminalServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  /** Output to the client, counted until the network has it: a client that acknowledges without reading still fills
   * the window. */
  private sendOutput(channel: Channel, ws: WebSocket, chunk: Buffer): void {
    if (ws.readyState !== ws.OPEN) return;
    const cost = chunk.length + FRAME_OVERHEAD_BYTES;
    channel.unflushed += cost;
    ws.send(chunk, { binary: true }, () => {
      channel.unflushed -= cost;
      this.resumeIfCaughtUp(channel);
    });
  }

  /** Stops reading the shell while the client is a window behind, or the network has not taken a window yet. */
  private pauseIfBehind(channel: Channel): void {
    if (channel.paused) return;
    if (channel.sent - channel.acked > OUTPUT_WINDOW_BYTES || channel.unflushed > OUTPUT_WINDOW_BYTES) {
      channel.paused = true;
      channel.terminal.pause();
    }
  }

  private resumeIfCaughtUp(channel: Channel): void {
    if (!channel.paused || channel.closed) return;
    if (channel.sent - channel.acked <= OUTPUT_RESUME_BYTES && channel.unflushed <= OUTPUT_RESUME_BYTES) {
      channel.paused = false;
      channel.terminal.resume();
    }
  }

  /** The client has everything up to `bytes` on screen: drop what it no longer needs and resume a paused shell. */
  private acknowledge(channel: Channel, bytes: number): void {
    if (bytes <= channel.acked) return;
    channel.unacked.drop(bytes - channel.acked);
    channel.acked = bytes;
    this.resumeIfCaughtUp(channel);
  }

  private canType(channel: Channel): boolean {
    if (channel.mode !== "write") return false;
    return channel.role === "owner" || this.controlAllowed.has(channel.sessionId);
  }

  private attach(
    ws: WebSocket,
    channel: Channel,
    how: { resumed: boolean; received: number; lease?: string | null | undefined },
  ): void {
    if (channel.closed) {
      // The shell ended before the socket was ours.
      this.send(ws, { type: "exit", exitCode: null });
      ws.close(1000, "shell exited");
      return;
    }
    const previous = channel.ws;
    channel.ws = ws;
    clearTimeout(channel.grace);
    channel.grace = undefined;
    if (previous && previous !== ws) previous.close(WS_CLOSE_REPLACED, "replaced by a newer connection");

    // What the client already has need not come again; what it missed (kept since its last acknowledgement) does.
    if (how.resumed && how.received > channel.acked && how.received <= channel.sent) {
      this.acknowledge(channel, how.received);
    }
    this.send(ws, {
      type: "ready",
      sessionId: channel.sessionId,
      host: channel.host,
      mode: this.canType(channel) ? "write" : "read",
      resumed: how.resumed,
      inputSeq: channel.inputSeq,
      outputSeq: channel.acked,
      windowBytes: OUTPUT_WINDOW_BYTES,
    });
    for (const chunk of channel.unacked) this.sendOutput(channel, ws, chunk);
    if (how.lease !== undefined) this.send(ws, { type: "lease", expiresAt: how.lease });
    this.options.onActivity?.(channel.sessionId);
    this.broadcastViewers(channel.sessionId);

    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, HEARTBEAT_MS);
    ws.on("pong", () => {
      alive = true;
    });

    // Input is confirmed in batches: the client needs confirmations only to forget what it keeps for resending, so
    // a keystroke costs one frame up and its echo one frame down.
    let inputAck: NodeJS.Timeout | undefined;
    const ackInput = () => {
      if (inputAck) return;
      inputAck = setTimeout(() => {
        inputAck = undefined;
        if (channel.ws === ws) this.send(ws, { type: "input-ack", seq: channel.inputSeq });
      }, INPUT_ACK_DELAY_MS);
    };
    const refuseFlood = () =>
      this.send(ws, {
        type: "error",
        code: "LIMIT_REACHED",
        message: "The program in this terminal is not reading its input; this input was dropped.",
      });
    let refusedAt = 0;
    const refuseInput = () => {
      // Once a second is enough to tell a watcher why nothing happens.
      if (Date.now() - refusedAt < 1000) return;
      refusedAt = Date.now();
      this.send(ws, { type: "error", code: "FORBIDDEN", message: "This terminal is read-only for you." });
    };

    const handle = (message: TerminalClientMessage) => {
      switch (message.type) {
        case "input": {
          if (message.seq <= channel.inputSeq) return ackInput();
          if (message.seq !== channel.inputSeq + 1) {
            return this.send(ws, {
              type: "error",
              code: "BAD_REQUEST",
              message: `Input ${message.seq} came before ${channel.inputSeq + 1}; it was not written.`,
            });
          }
          // Handled either way: refused input is used up, so it is neither resent nor written once control is given.
          channel.inputSeq = message.seq;
          ackInput();
          if (!this.canType(channel)) return refuseInput();
          if (channel.terminal.pendingInput() > MAX_PENDING_INPUT_BYTES) return refuseFlood();
          channel.terminal.write(Buffer.from(message.data, message.encoding === "binary" ? "latin1" : "utf8"));
          this.options.onActivity?.(channel.sessionId);
          return;
        }
        case "ack":
          if (message.bytes > channel.sent) {
            return this.send(ws, {
              type: "error",
              code: "BAD_REQUEST",
              message: `Acknowledged ${message.bytes} bytes of ${channel.sent} sent.`,
            });
          }
          return this.acknowledge(channel, message.bytes);
        case "resize":
          channel.terminal.resize(message.cols, message.rows).catch(() => undefined);
          return;
        case "ping":
          return this.send(ws, { type: "pong", id: message.id });
        case "share":
          if (channel.role !== "owner" || channel.mode !== "write") {
            return this.send(ws, { type: "error", code: "FORBIDDEN", message: "Only the owner can share control." });
          }
          return this.setControl(channel.sessionId, message.allowControl);
      }
    };

    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (channel.ws !== ws) return;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        // Raw keystrokes, unnumbered: for simple clients that do not resume.
        if (!this.canType(channel)) return refuseInput();
        if (channel.terminal.pendingInput() > MAX_PENDING_INPUT_BYTES) return refuseFlood();
        channel.terminal.write(bytes);
        this.options.onActivity?.(channel.sessionId);
        return;
      }
      const parsed = parseTerminalClientMessage(bytes.toString("utf8"));
      if (!parsed.ok) {
        this.send(ws, {
          type: "error",
          code: "BAD_REQUEST",
          message: `Ignored a bad control message: ${parsed.reason}`,
        });
        return;
      }
      handle(parsed.message);
    });
    const detach = (code?: number) => {
      clearInterval(heartbeat);
      clearTimeout(inputAck);
      if (channel.ws !== ws) return;
      channel.ws = null;
      // A client that closed on purpose (1000, 1001 when its page goes, or a close frame without a code) is not
      // coming back for this channel. A drop (1006) or a 4000 "stale" starts the grace period.
      const goodbye = code === 1000 || code === 1001 || code === 1005;
      if (channel.client && !channel.closed && !goodbye) {
        // The same client may come back: keep the shell attached (its output paused once a window is waiting).
        channel.grace = setTimeout(() => this.closeChannel(channel), this.options.graceMs ?? DEFAULT_GRACE_MS);
        channel.grace.unref();
        this.broadcastViewers(channel.sessionId);
        // Idle time counts from the last terminal closing.
        this.options.onActivity?.(channel.sessionId);
      } else {
        this.closeChannel(channel);
      }
    };
    ws.on("close", (code: number) => detach(code));
    ws.on("error", () => detach());
  }

  private closeChannel(channel: Channel): void {
    if (channel.closed) return;
    channel.closed = true;
    clearTimeout(channel.grace);
    channel.terminal.dispose();
    channel.unacked.clear();
    if (this.channels.get(channel.key) === channel) this.channels.delete(channel.key);
    if (channel.ws) {
      const ws = channel.ws;
      channel.ws = null;
      ws.close(1000, "terminal closed");
    }
    const left = [...this.sessionChannels(channel.sessionId), ...this.remoteViewers(channel.sessionId)];
    if (!left.some((c) => c.role === "owner") || !left.some((c) => c.role !== "owner")) {
      // Control is shared by an owner who is there, with the watchers who are there: it ends when either side leaves,
      // so that someone joining later does not inherit it.
      this.setControl(channel.sessionId, false);
    } else {
      this.broadcastViewers(channel.sessionId);
    }
    this.options.onActivity?.(channel.sessionId);
  }

  /**
   * The owner lets watchers type, or stops them: each watcher whose typing changes is told. `local`: decided here,
   * so other gateways hear of it; otherwise another gateway decided.
   */
  private setControl(sessionId: string, allow: boolean, local = true): void {
    const watchers = this.sessionChannels(sessionId).filter((c) => c.role !== "owner");
    const before = watchers.map((c) => this.canType(c));
    const was = this.controlAllowed.has(sessionId);
    if (allow) this.controlAllowed.add(sessionId);
    else this.controlAllowed.delete(sessionId);
    if (local && was !== allow) this.options.onControl?.(sessionId, allow);
    watchers.forEach((c, i) => {
      const now = this.canType(c);
      if (c.ws && now !== before[i]) this.send(c.ws, { type: "mode", mode: now ? "write" : "read" });
    });
    this.broadcastViewers(sessionId);
  }

  private sessionChannels(sessionId: string): Channel[] {
    return [...this.channels.values()].filter((c) => c.sessionId === sessionId);
  }

  /** Who is connected to a session through this gateway. */
  private localViewers(sessionId: string): TerminalViewer[] {
    return this.sessionChannels(sessionId)
      .filter((c) => c.ws !== null)
      .map((c) => ({ who: c.who, role: c.role, mode: this.canType(c) ? "write" : "read", host: c.host }));
  }

  /** Who is connected to a session through other gateways (lists not repeated for a while are left out). */
  private remoteViewers(sessionId: string, now = Date.now()): TerminalViewer[] {
    return [...(this.remote.get(sessionId)?.values() ?? [])]
      .filter((r) => now - r.at <= REMOTE_VIEWERS_TTL_MS)
      .flatMap((r) => r.viewers);
  }

  /** Tells everyone connected to a session who is there, through any gateway; other gateways hear of a change here. */
  private broadcastViewers(sessionId: string): void {
    const local = this.localViewers(sessionId);
    const text = JSON.stringify(local);
    if ((this.reported.get(sessionId) ?? "[]") !== text) {
      if (local.length > 0) this.reported.set(sessionId, text);
      else this.reported.delete(sessionId);
      this.options.onViewers?.(sessionId, local);
    }
    this.sendViewers(sessionId);
  }

  private sendViewers(sessionId: string): void {
    const message: TerminalServerMessage = {
      type: "viewers",
      viewers: [...this.localViewers(sessionId), ...this.remoteViewers(sessionId)],
      allowControl: this.controlAllowed.has(sessionId),
    };
    for (const c of this.sessionChannels(sessionId)) if (c.ws) this.send(c.ws, message);
  }

  /** Another gateway said who is connected to a session through it (the whole list, replacing its last one). */
  remoteViewersChanged(sessionId: string, gateway: string, viewers: TerminalViewer[], now = Date.now()): void {
    const byGateway = this.remote.get(sessionId) ?? new Map<string, RemoteViewers>();
    if (viewers.length > 0) byGateway.set(gateway, { viewers, at: now });
    else byGateway.delete(gateway);
    if (byGateway.size > 0) this.remote.set(sessionId, byGateway);
    else this.remote.delete(sessionId);
    this.sendViewers(sessionId);
  }

  /** Forgets lists from gateways that stopped repeating them (gone without a word); those sessions hear who is left. */
  dropStaleViewers(now = Date.now()): void {
    for (const [sessionId, byGateway] of this.remote) {
      let dropped = false;
      for (const [gateway, entry] of byGateway) {
        if (now - entry.at > REMOTE_VIEWERS_TTL_MS) {
          byGateway.delete(gateway);
          dropped = true;
        }
      }
      if (byGateway.size === 0) this.remote.delete(sessionId);
      if (dropped) this.sendViewers(sessionId);
    }
  }

  /** Every session with someone connected here, and who (to repeat to other gateways). */
  connectedViewers(): Map<string, TerminalViewer[]> {
    const all = new Map<string, TerminalViewer[]>();
    for (const c of this.channels.values()) {
      if (c.ws && !all.has(c.sessionId)) all.set(c.sessionId, this.localViewers(c.sessionId));
    }
    return all;
  }

  /** Another gateway's owner let watchers type, or stopped them. */
  controlChanged(sessionId: string, allowed: boolean): void {
    this.setControl(sessionId, allowed, false);
  }

  /** Another gateway accepted this token: it opens nothing here either. */
  tokenUsed(jti: string, exp: number): void {
    this.usedTokens.set(jti, exp);
  }

  /** The session's lease changed (extended): its terminals show the new end. */
  leaseChanged(sessionId: string, expiresAt: string | null): void {
    for (const c of this.sessionChannels(sessionId)) if (c.ws) this.send(c.ws, { type: "lease", expiresAt });
  }

  /** The session is being removed: its terminals are told why, then closed, and no new ones open. */
  sessionEnded(sessionId: string, reason: string): void {
    this.ending.add(sessionId);
    setTimeout(() => this.ending.delete(sessionId), 60_000).unref();
    for (const c of this.sessionChannels(sessionId)) {
      if (c.ws) {
        this.send(c.ws, { type: "ended", reason });
        c.ws.close(wsCloseCodeOf("NOT_FOUND"), "sandbox removed");
        c.ws = null;
      }
      this.closeChannel(c);
    }
    // What other gateways said about it (control included, which they may have set while nobody was here) goes too.
    this.remote.delete(sessionId);
    this.reported.delete(sessionId);
    this.controlAllowed.delete(sessionId);
  }

  /** Terminal sockets connected now, and channels in all (for metrics). */
  totals(): { connections: number; channels: number } {
    const all = [...this.channels.values()];
    return { connections: all.filter((c) => c.ws !== null).length, channels: all.length };
  }

  /** How many channels a session has, connected or waiting for their client. */
  channelCount(sessionId: string): number {
    return this.sessionChannels(sessionId).length;
  }

  /** What a session's channels are (for diagnostics). */
  debugChannels(sessionId: string): string {
    return this.sessionChannels(sessionId)
      .map((c) => `${c.name ?? "-"}/${c.client ?? "-"}/${c.role}/${c.ws ? c.ws.readyState : "detached"}`)
      .join(", ");
  }

  /** How many terminals of a session have a client connected now, through this gateway. */
  attached(sessionId: string): number {
    return this.sessionChannels(sessionId).filter((c) => c.ws !== null).length;
  }

  /** How many terminals of a session have a client connected now, through any gateway. */
  attachedAnywhere(sessionId: string): number {
    return this.attached(sessionId) + this.remoteViewers(sessionId).length;
  }

  /** Ends every terminal (shutdown). */
  closeAll(): void {
    for (const ws of this.wss.clients) ws.close(wsCloseCodeOf("INTERNAL"), "gateway shutting down");
    for (const channel of [...this.channels.values()]) {
      channel.ws = null;
      this.closeChannel(channel);
    }
  }
}

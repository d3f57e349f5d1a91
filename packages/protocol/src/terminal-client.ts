import {
  MAX_INPUT_CHARS,
  parseTerminalServerMessage,
  type TerminalClientMessage,
  type TerminalServerMessage,
  WS_CLOSE_REPLACED,
} from "./terminal-messages.ts";

/**
 * The client side of the terminal protocol, for browsers and for Node (tests, benchmarks): reconnects by itself,
 * numbers input and resends what the gateway has not written, acknowledges output once it is on the screen, and
 * notices a silent connection. The caller supplies how to dial (token and URL) and how to show output.
 */

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "closed";

/**
 * What both the browser's WebSocket and the `ws` package offer. The handlers take their events loosely typed: each
 * implementation has its own event classes, and only `data`, `code` and `reason` are read.
 */
export interface SocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onmessage: ((event: any) => void) | null;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onclose: ((event: any) => void) | null;
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onerror: ((event: any) => void) | null;
}

const OPEN = 1;

export type DialResult =
  | { ok: true; socket: SocketLike }
  /** `gone`: the sandbox no longer exists. `retry`: try again later (a network or server hiccup). */
  | { ok: false; message: string; gone?: boolean; retry?: boolean };

export interface TerminalClientOptions {
  /** Opens a socket (fetching a fresh token first) with `client` and `received` in its query. */
  dial(resume: { client: string; received: number }): Promise<DialResult>;
  /** Puts output on the screen and calls `done` once it is there (xterm.js's write callback). */
  write(bytes: Uint8Array, done: () => void): void;
  onState?(state: ConnectionState, problem: string | null): void;
  /** Every control message from the gateway (ready, viewers, lease, ended, exit, error…). */
  onMessage?(message: TerminalServerMessage): void;
  /** The sandbox is gone; no more reconnecting. */
  onGone?(message: string): void;
  clientId?: string;
  /** Reconnect attempts in a row before giving up (the caller can `reconnect()` later). Default 8. */
  maxRetries?: number;
  /**
   * How often to ping (default 10 s), and after how many rounds without a word the connection counts as dead and is
   * replaced (default 2).
   */
  keepaliveMs?: number;
  missedPings?: number;
}

/** Acknowledge at least this often, so the gateway's window never fills while the screen keeps up. */
const ACK_EVERY_BYTES = 32 * 1024;
const ACK_DELAY_MS = 100;
/** A shell that ends this soon after connecting is retried with backoff rather than at once. */
const QUICK_EXIT_MS = 5000;

function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Splits text into pieces of at most MAX_INPUT_CHARS without cutting a surrogate pair. */
export function splitInput(data: string, size = MAX_INPUT_CHARS): string[] {
  const pieces: string[] = [];
  let at = 0;
  while (at < data.length) {
    let end = Math.min(at + size, data.length);
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff && end - at > 1) end -= 1;
    pieces.push(data.slice(at, end));
    at = end;
  }
  return pieces;
}

interface PendingInput {
  seq: number;
  data: string;
  encoding: "utf8" | "binary";
}

export class TerminalClient {
  readonly clientId: string;
  private socket: SocketLike | null = null;
  private ready = false;
  private disposed = false;
  private state: ConnectionState = "connecting";
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private size: { cols: number; rows: number } | null = null;
  private readyAt = 0;
  private dialing = false;
  /** A sharing choice made while disconnected, sent once connected. */
  private pendingShare: boolean | null = null;
  /** Shells in a row that ended within QUICK_EXIT_MS of connecting. */
  private quickExits = 0;
  /** Whether anything arrived since the last keepalive round. */
  private heard = false;
  private pingId = 0;
  /** Input not yet acknowledged by the gateway, in order; `sentThrough` is the last one sent on this socket. */
  private pending: PendingInput[] = [];
  private nextSeq = 1;
  private sentThrough = 0;
  /** Output bytes of the current channel: received, on screen, and acknowledged. */
  private received = 0;
  private written = 0;
  private ackSent = 0;
  /** Changes with each new channel, so that screen callbacks of the old one are not counted. */
  private generation = 0;

  constructor(private readonly options: TerminalClientOptions) {
    this.clientId = options.clientId ?? randomId();
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Input not yet known to be written (for tests and the page's status). */
  get unconfirmedInput(): number {
    return this.pending.length;
  }

  start(): void {
    void this.connect();
  }

  /** Keystrokes or a paste. Kept until the gateway confirms it, and sent again after a reconnect if need be. */
  input(data: string, encoding: "utf8" | "binary" = "utf8"): void {
    if (this.disposed || data.length === 0) return;
    for (const piece of splitInput(data)) this.pending.push({ seq: this.nextSeq++, data: piece, encoding });
    this.flushInput();
  }

  /** The screen's size; sent now, and again on every (re)connection so that a change while away is not lost. */
  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.sendControl({ type: "resize", cols, rows });
  }

  /** The owner lets watchers type, or stops them. */
  share(allowControl: boolean): void {
    this.pendingShare = this.sendControl({ type: "share", allowControl }) ? null : allowControl;
  }

  /** Try again now (after giving up, coming back online, or the page becoming visible). */
  reconnect(): void {
    if (this.disposed || this.socket || this.dialing) return;
    clearTimeout(this.retryTimer);
    this.retries = 0;
    this.setState("connecting", null);
    void this.connect();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.ackTimer);
    clearInterval(this.keepalive);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, "closed by the page");
    }
  }

  private setState(state: ConnectionState, problem: string | null): void {
    this.state = state;
    this.options.onState?.(state, problem);
  }

  private sendControl(message: TerminalClientMessage): boolean {
    const socket = this.socket;
    if (!this.ready || socket?.readyState !== OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  private flushInput(): void {
    for (const item of this.pending) {
      if (item.seq <= this.sentThrough) continue;
      const message: TerminalClientMessage = { type: "input", seq: item.seq, data: item.data };
      if (item.encoding === "binary") message.encoding = "binary";
      if (!this.sendControl(message)) return;
      this.sentThrough = item.seq;
    }
  }

  /**
   * Tells the gateway what is on screen: at once past ACK_EVERY_BYTES (a flood keeps flowing), otherwise within
   * ACK_DELAY_MS (typing costs no extra frame per keystroke).
   */
  private acknowledge(force: boolean): void {
    if (this.written === this.ackSent) return;
    if (force || this.written - this.ackSent >= ACK_EVERY_BYTES) {
      clearTimeout(this.ackTimer);
      this.ackTimer = undefined;
      if (this.sendControl({ type: "ack", bytes: this.written })) this.ackSent = this.written;
      return;
    }
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      this.acknowledge(true);
    }, ACK_DELAY_MS);
  }

  private onReady(message: Extract<TerminalServerMessage, { type: "ready" }>): void {
    if (message.resumed) {
      // The same channel: the gateway wrote input up to inputSeq and sends output from outputSeq on.
      this.pending = this.pending.filter((p) => p.seq > message.inputSeq);
      this.sentThrough = message.inputSeq;
      this.received = message.outputSeq;
      this.ackSent = Math.min(this.ackSent, message.outputSeq);
    } else {
      // A new channel (the old one timed out, or the gateway restarted). Input sent on the old one may or may not
      // have been written: dropping it risks losing a keystroke, sending it again risks doubling one; doubling a
      // command is worse. Input never sent goes now, numbered afresh.
      this.generation += 1;
      this.pending = this.pending.filter((p) => p.seq > this.sentThrough).map((p, i) => ({ ...p, seq: i + 1 }));
      this.nextSeq = this.pending.length + 1;
      this.sentThrough = 0;
      this.received = 0;
      this.written = 0;
      this.ackSent = 0;
    }
    this.ready = true;
    this.retries = 0;
    this.readyAt = Date.now();
    this.setState("connected", null);
    if (this.size) this.sendControl({ type: "resize", ...this.size });
    if (this.pendingShare !== null) this.share(this.pendingShare);
    this.flushInput();
    this.acknowledge(false);
  }

  private async connect(): Promise<void> {
    // One dial at a time: a wake-up fires `online`, `visibilitychange` and a retry together.
    if (this.disposed || this.dialing || this.socket) return;
    this.dialing = true;
    clearTimeout(this.retryTimer);
    let dialed: DialResult;
    try {
      dialed = await this.options.dial({ client: this.clientId, received: this.received });
    } catch (error) {
      dialed = { ok: false, retry: true, message: (error as Error).message };
    } finally {
      this.dialing = false;
    }
    if (this.disposed) {
      if (dialed.ok) dialed.socket.close(1000, "closed by the page");
      return;
    }
    if (!dialed.ok) {
      if (dialed.gone) {
        this.setState("closed", dialed.message);
        this.options.onGone?.(dialed.message);
        return;
      }
      if (dialed.retry) return this.scheduleRetry(dialed.message);
      this.setState("closed", dialed.message);
      return;
    }
    const socket = dialed.socket;
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.ready = false;
    this.heard = true;
    let ended: string | null = null;
    let exited = false;
    socket.onmessage = (event: { data: unknown }) => {
      if (this.socket !== socket) return;
      this.heard = true;
      const data = event.data;
      if (typeof data !== "string") {
        const bytes =
          data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data as ArrayLike<number> & ArrayBuffer);
        this.received += bytes.length;
        const generation = this.generation;
        this.options.write(bytes, () => {
          if (generation !== this.generation) return;
          this.written += bytes.length;
          this.acknowledge(false);
        });
        return;
      }
      const parsed = parseTerminalServerMessage(data);
      if (!parsed.ok) return;
      const message = parsed.message;
      if (message.type === "ready") this.onReady(message);
      else if (message.type === "input-ack") this.pending = this.pending.filter((p) => p.seq > message.seq);
      else if (message.type === "ended") ended = message.reason;
      else if (message.type === "exit") exited = true;
      this.options.onMessage?.(message);
    };
    socket.onclose = (event: { code: number; reason: string }) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.ready = false;
      clearInterval(this.keepalive);
      if (this.disposed) return;
      if (ended !== null) {
        this.setState("closed", ended);
        this.options.onGone?.(ended);
      } else if (event.code === WS_CLOSE_REPLACED) {
        this.setState("closed", "This terminal was opened again elsewhere.");
      } else if (exited) {
        // The shell ended: reconnecting opens a new one. One that ends again at once (a watcher's terminal that does
        // not exist) is retried with backoff, and given up after the usual number of tries.
        this.quickExits = Date.now() - this.readyAt < QUICK_EXIT_MS ? this.quickExits + 1 : 0;
        this.retries = this.quickExits;
        this.scheduleRetry(this.quickExits > 0 ? "The shell ends as soon as it starts." : null);
      } else {
        this.scheduleRetry(event.reason || null);
      }
    };
    socket.onerror = () => undefined;
    clearInterval(this.keepalive);
    const keepaliveMs = this.options.keepaliveMs ?? 10_000;
    const missedAllowed = this.options.missedPings ?? 2;
    // Counted in pings that went unanswered, not in wall time: a clock that jumps (a laptop waking up) is no sign
    // of a dead connection, while two silent rounds are.
    let missed = 0;
    this.keepalive = setInterval(() => {
      if (this.socket !== socket) return;
      missed = this.heard ? 0 : missed + 1;
      this.heard = false;
      if (missed >= missedAllowed) {
        // Silent for too long (a proxy dropped it, the network went): replace it instead of waiting for TCP.
        this.socket = null;
        this.ready = false;
        socket.onclose = null;
        socket.close(4000, "stale");
        clearInterval(this.keepalive);
        this.retries = 0;
        this.setState("reconnecting", null);
        void this.connect();
        return;
      }
      this.sendControl({ type: "ping", id: ++this.pingId });
      this.acknowledge(true);
    }, keepaliveMs);
  }

  private scheduleRetry(problem: string | null): void {
    if (this.disposed) return;
    const max = this.options.maxRetries ?? 8;
    if (this.retries >= max) {
      this.setState("closed", problem ?? "The terminal lost its connection.");
      return;
    }
    const delay = Math.min(250 * 2 ** this.retries, 8000);
    this.retries += 1;
    this.setState("reconnecting", problem);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}

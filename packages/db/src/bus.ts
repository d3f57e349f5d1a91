import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";

/** The PostgreSQL channel every Dockyard process of one database listens on. */
export const BUS_CHANNEL = "dockyard_events";
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
export const MAX_BUS_PAYLOAD_BYTES = 7999;

/** What the bus checks each received event with (a zod schema fits). */
export interface BusSchema<E> {
  safeParse(value: unknown): { success: true; data: E } | { success: false; error?: unknown };
}

export type BusLog = (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

export interface BusOptions<E> {
  schema: BusSchema<E>;
  /** This process's name on the bus (every message carries its sender's); default host, pid and a random part. */
  instance?: string;
  log?: BusLog;
  /** Waits between reconnection attempts, doubling from `minMs` up to `maxMs`. */
  retry?: { minMs: number; maxMs: number };
  /**
   * Publishing on PostgreSQL: how long one may wait for the database (default 5 s; the connection is then replaced)
   * and how many may wait at once (default 1000; more are dropped, with a log line).
   */
  publishing?: { timeoutMs?: number; maxQueued?: number };
}

export type BusListener<E> = (event: E, from: string) => void;

/**
 * Events between the processes of one installation: an in-process emitter for SQLite (one process), PostgreSQL's
 * LISTEN/NOTIFY otherwise. Delivery is at most once: what is published while a listener's connection is down is lost,
 * and `onReconnect` says when that may have happened. Every process hears its own events too, tagged with its name.
 */
export interface Bus<E> {
  /** The name this process's messages carry. */
  readonly instance: string;
  /** Resolves once events are heard (PostgreSQL: once LISTEN is in place). */
  ready(): Promise<void>;
  /** Sends an event to every process; false (and a log line) when it could not be sent. */
  publish(event: E): Promise<boolean>;
  subscribe(listener: BusListener<E>): () => void;
  /** The connection came back after a drop: events sent meanwhile were missed, so state should be sent again. */
  onReconnect(listener: () => void): () => void;
  close(): Promise<void>;
}

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url);

const defaultInstance = () => `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;

/** The bus of the database at `databaseUrl`. */
export function createBus<E>(databaseUrl: string, options: BusOptions<E>): Bus<E> {
  return isPostgresUrl(databaseUrl)
    ? new PostgresBus(databaseUrl, options)
    : new MemoryBus(`memory:${databaseUrl}`, options);
}

abstract class BaseBus<E> implements Bus<E> {
  readonly instance: string;
  protected readonly listeners = new Set<BusListener<E>>();
  protected readonly reconnectListeners = new Set<() => void>();
  protected closed = false;

  constructor(protected readonly options: BusOptions<E>) {
    this.instance = options.instance ?? defaultInstance();
  }

  abstract ready(): Promise<void>;
  abstract publish(event: E): Promise<boolean>;
  abstract close(): Promise<void>;

  subscribe(listener: BusListener<E>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  protected log(level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) {
    this.options.log?.(level, msg, fields);
  }

  /** The wire form: sender and event, refused when PostgreSQL would refuse it. */
  protected encode(event: E): string | undefined {
    const payload = JSON.stringify({ from: this.instance, event });
    if (Buffer.byteLength(payload) > MAX_BUS_PAYLOAD_BYTES) {
      this.log("error", "an event is too large for the bus; not sent", { bytes: Buffer.byteLength(payload) });
      return undefined;
    }
    return payload;
  }

  /** A received payload, checked before anyone sees it: anything malformed is logged and dropped. */
  protected receive(payload: string): void {
    if (this.closed) return;
    let envelope: unknown;
    try {
      envelope = JSON.parse(payload);
    } catch {
      this.log("warn", "ignored a bus message that is not JSON", { payload: payload.slice(0, 200) });
      return;
    }
    const from = (envelope as { from?: unknown } | null)?.from;
    const parsed = this.options.schema.safeParse((envelope as { event?: unknown } | null)?.event);
    if (typeof from !== "string" || !parsed.success) {
      this.log("warn", "ignored a malformed bus event", { payload: payload.slice(0, 200) });
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(parsed.data, from);
      } catch (error) {
        this.log("error", "a bus listener failed", { error });
      }
    }
  }
}

/** Buses of one database in this process, by database: SQLite is one process's database. */
const rooms = new Map<string, Set<MemoryBus<unknown>>>();

class MemoryBus<E> extends BaseBus<E> {
  constructor(
    private readonly room: string,
    options: BusOptions<E>,
  ) {
    super(options);
    const members = rooms.get(room) ?? new Set();
    members.add(this as MemoryBus<unknown>);
    rooms.set(room, members);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async publish(event: E): Promise<boolean> {
    if (this.closed) return false;
    const payload = this.encode(event);
    if (payload === undefined) return false;
    // Later, as from PostgreSQL: a publisher never runs listeners inside its own call.
    for (const member of rooms.get(this.room) ?? []) queueMicrotask(() => member.receive(payload));
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    const members = rooms.get(this.room);
    members?.delete(this as MemoryBus<unknown>);
    if (members?.size === 0) rooms.delete(this.room);
  }
}

class PostgresBus<E> extends BaseBus<E> {
  /** The connection that listens; undefined while reconnecting. */
  private listener: pg.Client | undefined;
  /** Publishing goes through one connection of its own, so events leave in the order they were published. */
  private readonly publisher: pg.Pool;
  private readonly maxQueued: number;
  /** Publishes sent and not yet answered. */
  private queued = 0;
  /** Publishes dropped since the queue was last below its bound (logged when dropping starts and when it ends). */
  private dropped = 0;
  private attempt = 0;
  private everListened = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly listening: Promise<void>;
  private resolveListening: () => void = () => undefined;

  constructor(
    private readonly url: string,
    options: BusOptions<E>,
  ) {
    super(options);
    this.listening = new Promise((resolve) => {
      this.resolveListening = resolve;
    });
    const timeoutMs = options.publishing?.timeoutMs ?? 5000;
    this.maxQueued = options.publishing?.maxQueued ?? 1000;
    this.publisher = new pg.Pool({
      connectionString: url,
      max: 1,
      application_name: `dockyard-bus-publish ${this.instance}`.slice(0, 63),
      // A connection gone half-open would otherwise hold every publish forever: a query that times out fails, and
      // the pool drops the connection it ran on.
      keepAlive: true,
      query_timeout: timeoutMs,
      // Waiting for the connection: long enough for one publish to time out and the next to reach a new one.
      connectionTimeoutMillis: 2 * timeoutMs,
    });
    // An idle connection that dies is replaced at the next publish; without a listener its error would crash us.
    this.publisher.on("error", (error) => this.log("warn", "the bus's publishing connection failed", { error }));
    void this.connect();
  }

  ready(): Promise<void> {
    return this.listening;
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.url,
      application_name: `dockyard-bus ${this.instance}`.slice(0, 63),
      keepAlive: true,
    });
    client.on("notification", (message) => {
      if (message.channel === BUS_CHANNEL) this.receive(message.payload ?? "");
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${BUS_CHANNEL}`);
    } catch (error) {
      return this.lost(client, error);
    }
    if (this.closed) return void client.end().catch(() => undefined);
    this.listener = client;
    this.attempt = 0;
    if (this.everListened) {
      this.log("info", "the event bus is listening again");
      for (const listener of this.reconnectListeners) {
        try {
          listener();
        } catch (error) {
          this.log("error", "a bus reconnect listener failed", { error });
        }
      }
    }
    this.everListened = true;
    this.resolveListening();
  }

  /** The listening connection failed or ended: it goes, and a new one is tried after a wait that grows. */
  private lost(client: pg.Client, error?: unknown): void {
    if (dead.has(client)) return;
    dead.add(client);
    client.removeAllListeners("notification");
    // Late errors of a dead connection are expected; they must not reach the process.
    client.on("error", () => undefined);
    void client.end().catch(() => undefined);
    if (this.listener === client) this.listener = undefined;
    if (this.closed) return;
    const { minMs, maxMs } = this.options.retry ?? { minMs: 250, maxMs: 10_000 };
    const wait = Math.min(maxMs, minMs * 2 ** this.attempt);
    this.attempt += 1;
    this.log("warn", "the event bus lost its connection; reconnecting", {
      error: error instanceof Error ? error.message : error,
      retryInMs: wait,
    });
    this.retryTimer = setTimeout(() => void this.connect(), wait);
    this.retryTimer.unref();
  }

  async publish(event: E): Promise<boolean> {
    if (this.closed) return false;
    const payload = this.encode(event);
    if (payload === undefined) return false;
    if (this.queued >= this.maxQueued) {
      if (this.dropped === 0) {
        this.log("error", "the bus is not publishing fast enough: events are dropped", { queued: this.queued });
      }
      this.dropped += 1;
      return false;
    }
    if (this.dropped > 0) {
      this.log("warn", "the bus publishes again", { dropped: this.dropped });
      this.dropped = 0;
    }
    this.queued += 1;
    try {
      await this.publisher.query("SELECT pg_notify($1, $2)", [BUS_CHANNEL, payload]);
      return true;
    } catch (error) {
      this.log("error", "an event could not be published", { error: (error as Error).message });
      return false;
    } finally {
      this.queued -= 1;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.listener;
    this.listener = undefined;
    if (client) {
      dead.add(client);
      await client.end().catch(() => undefined);
    }
    await this.publisher.end().catch(() => undefined);
  }
}

const dead = new WeakSet<pg.Client>();

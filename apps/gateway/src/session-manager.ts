import { randomBytes } from "node:crypto";
import {
  createLease,
  type Db,
  deleteLease,
  expiredLeases,
  extendLease,
  getLease,
  type LeaseTerms,
  listLeases,
  transitionLabSession,
} from "@dockyard/db";
import {
  type AdminSessionList,
  type AdminSessionRow,
  type CreateSessionEvent,
  type DockyardError,
  dockyardError,
  err,
  type Log,
  type LogLevel,
  ok,
  type PoolReservation,
  type PoolStatus,
  type Result,
  type SessionInfo,
  type SessionLease,
  type SessionState,
} from "@dockyard/protocol";
import type { SandboxDriver, SessionSpec } from "@dockyard/sandbox";
import { CpuSampler } from "./cpu-sampler.ts";
import { log as gatewayLog } from "./log.ts";

export interface AdmissionLimits {
  /** Sessions alive at once, in all (starting ones included). */
  maxSessions: number;
  /** Sessions one user may have at once. */
  maxPerUser: number;
  /** Sessions being created at the same moment: Docker slows for everyone past a few. */
  maxStarting: number;
}

export interface LifetimeRules extends LeaseTerms {
  /** A session with no terminal attached and no activity for this long is removed. */
  idleSeconds: number;
}

export interface SessionManagerOptions {
  driver: SandboxDriver;
  db: Db;
  limits: AdmissionLimits;
  lifetime: LifetimeRules;
  /** The admin's setting: may sandboxes reach the internet at all? */
  internet: boolean;
  /** The admin's setting: may hosts run their own Docker engine (the `docker` environment)? */
  allowDocker: boolean;
  /** How many terminals a session has open right now (the terminal edge knows). */
  attachedTerminals: (sessionId: string) => number;
  /** Which installation's leases are this gateway's (the sandboxes' dockyard.instance). */
  engine?: string;
  /** Set when the host firewall is not in place: no sandbox starts until it is (or the admin turns it off). */
  isolationProblem?: string;
  /** A session was removed (so caches of its addresses go, and its terminals are told why). */
  onRemoved?: (sessionId: string, why: string) => void;
  /** A session's lease was extended. */
  onLease?: (sessionId: string, expiresAt: string) => void;
  /** Warm pool: sandboxes made ahead, per kind of session, so a Start only has to hand one over. */
  pool?: {
    size: number;
    warm: SessionSpec["hosts"][];
    /** The most warm sandboxes events may reserve in all (30 by default); reservations past it are cut. */
    reservedMax?: number;
  };
  /** Structured log lines (JSON on stdout by default). */
  log?: Log;
}

/** The label owner of sandboxes waiting in the warm pool; a claimed one's owner is in its lease. */
export const POOL_OWNER = "dockyard-pool";

/** The most warm sandboxes events may reserve in all, unless configured (SANDBOX_POOL_RESERVED_MAX). */
export const DEFAULT_RESERVED_MAX = 30;

const defaultLog = gatewayLog;

/** Sessions that could share a pooled sandbox: the same hosts (names, images, workdirs, docker) and internet. */
const poolKey = (hosts: SessionSpec["hosts"], internet: boolean) =>
  JSON.stringify({
    hosts: hosts.map((h) => [h.name, h.image, h.workdir ?? null, Boolean(h.docker), h.limits ?? null]),
    internet,
  });

const newSessionId = () => `s-${randomBytes(8).toString("hex")}`;

/** A place reserved for a session that is about to be created. */
export interface Admission {
  spec: SessionSpec;
}

const leaseOf = (lease: { expiresAt: Date; maxExpiresAt: Date }): SessionLease => ({
  expiresAt: lease.expiresAt.toISOString(),
  maxExpiresAt: lease.maxExpiresAt.toISOString(),
});

/**
 * The gateway's control plane for sandboxes: who may start one (admission limits), how long each lives (a lease in
 * the database, extensible to a maximum; idle ones go), and what a restart finds (containers and leases reconciled).
 */
export class SessionManager {
  /** Sessions admitted and being created: counted against the limits before Docker lists them. */
  private readonly starting = new Map<string, string>();
  private readonly lastActivity = new Map<string, number>();
  private admitting: Promise<unknown> = Promise.resolve();
  /** Warm sandboxes by pool key, ready to hand over; and keys being refilled. */
  private readonly pools = new Map<string, { hosts: SessionSpec["hosts"]; internet: boolean; ready: string[] }>();
  private readonly refilling = new Map<string, Promise<void>>();
  /** Extra warm sandboxes events asked for, by pool key: their total, and who asked. */
  private reservations = new Map<string, { size: number; names: string[] }>();
  private closed = false;
  /** True from the start of reconciling until it succeeds: no admissions meanwhile. */
  private reconciling = false;
  private reaping = false;
  /** True while the first pools fill at boot (the gateway reports ready once they have). */
  private warming = false;
  private reaper: NodeJS.Timeout | undefined;
  /** Each host's previous CPU reading, for the admin list's rates. */
  private readonly cpu = new CpuSampler();

  /** Leases of this installation carry this; another gateway's, on the same database, are not ours to judge. */
  private readonly engine: string;

  constructor(private readonly options: SessionManagerOptions) {
    this.engine = options.engine ?? "local";
  }

  private log(line: string, level: LogLevel = "info", fields?: Record<string, unknown>) {
    (this.options.log ?? defaultLog)(level, line, fields);
  }

  /**
   * Decides, one request at a time, whether a session may start; a refusal is LIMIT_REACHED with the reason and when
   * to try again, and nothing is made.
   */
  admit(spec: SessionSpec): Promise<Result<Admission>> {
    const decision = this.admitting.then(async (): Promise<Result<Admission>> => {
      if (this.reconciling) {
        return err({
          ...dockyardError("NOT_READY", "The gateway is still taking stock of its sandboxes."),
          retryAfterSeconds: 3,
        });
      }
      if (this.options.isolationProblem) {
        return err(
          dockyardError(
            "SANDBOX_FAILED",
            `No sandbox starts without isolation: ${this.options.isolationProblem} Fix it, or set SANDBOX_FIREWALL=off where another firewall does the job.`,
          ),
        );
      }
      if (spec.hosts.some((h) => h.docker) && !this.options.allowDocker) {
        return err(
          dockyardError(
            "FORBIDDEN",
            "The docker environment is turned off on this Dockyard; an admin can turn it on with SANDBOX_ALLOW_DOCKER=on.",
          ),
        );
      }
      const { maxSessions, maxPerUser, maxStarting } = this.options.limits;
      if (this.starting.size >= maxStarting) {
        return err(limit(`${this.starting.size} sandboxes are starting right now; try again in a few seconds.`, 5));
      }
      const listed = await this.options.driver.listSessions();
      if (!listed.ok) return err(listed.error);
      // Pooled sandboxes waiting for someone count for nobody; a claimed one counts for its lease's owner.
      const leased = new Map((await this.leases()).map((l) => [l.sessionId, l.userId]));
      const owners = new Map(
        listed.value.flatMap((s) => {
          const owner = leased.get(s.sessionId) ?? s.userId;
          return owner === POOL_OWNER ? [] : [[s.sessionId, owner] as const];
        }),
      );
      for (const [id, user] of this.starting) owners.set(id, user);
      if (owners.has(spec.sessionId))
        return err(dockyardError("CONFLICT", `Session ${spec.sessionId} exists already.`));
      if (owners.size >= maxSessions) {
        return err(limit(`All ${maxSessions} sandboxes are in use; one frees up when someone stops or leaves.`, 60));
      }
      const mine = [...owners.values()].filter((user) => user === spec.userId).length;
      if (mine >= maxPerUser) {
        return err(
          limit(
            `You have ${mine} sandbox${mine === 1 ? "" : "es"} running already (at most ${maxPerUser}); stop one to start another.`,
            30,
          ),
        );
      }
      this.starting.set(spec.sessionId, spec.userId);
      return ok({ spec: { ...spec, internet: this.options.internet && spec.internet !== false } });
    });
    this.admitting = decision.catch(() => undefined);
    return decision;
  }

  /**
   * Creates an admitted session, or hands over a warm one from the pool (which keeps its own id), and gives it a
   * lease; a failed start leaves nothing behind (the driver's rule).
   */
  async create(admission: Admission, onEvent: (event: CreateSessionEvent) => void): Promise<Result<SessionState>> {
    const { spec } = admission;
    try {
      const warm = await this.claimWarm(spec, onEvent);
      if (warm) return ok(warm);
      const made = await this.options.driver.createSession(spec, onEvent);
      if (made.ok) {
        await createLease(this.options.db, this.leaseFor(spec.sessionId, spec.userId), this.options.lifetime);
        this.lastActivity.set(spec.sessionId, Date.now());
      }
      return made;
    } catch (error) {
      await this.options.driver.removeSession(spec.sessionId);
      throw error;
    } finally {
      this.starting.delete(spec.sessionId);
    }
  }

  async info(sessionId: string): Promise<Result<SessionInfo>> {
    const state = await this.options.driver.inspectSession(sessionId);
    if (!state.ok) return state;
    const lease = await getLease(this.options.db, sessionId);
    return ok({
      ...state.value,
      ...(lease ? { userId: lease.userId, lease: { ...leaseOf(lease), ...this.idleRemoval(sessionId) } } : {}),
    });
  }

  /** When an unattended session goes for being idle (nothing while a terminal is attached). */
  private idleRemoval(sessionId: string): { idleRemovalAt?: string } {
    const last = this.lastActivity.get(sessionId);
    if (last === undefined || this.options.attachedTerminals(sessionId) > 0) return {};
    return { idleRemovalAt: new Date(last + this.options.lifetime.idleSeconds * 1000).toISOString() };
  }

  /** Whose a session is: its lease says (a pooled sandbox's labels name the pool), else its labels. */
  async ownerOf(sessionId: string, labelled: string): Promise<string> {
    return (await getLease(this.options.db, sessionId))?.userId ?? labelled;
  }

  /** A warm sandbox of the right kind, now the user's; undefined when the pool has none. */
  private async claimWarm(
    spec: SessionSpec,
    onEvent: (event: CreateSessionEvent) => void,
  ): Promise<SessionState | undefined> {
    const key = poolKey(spec.hosts, spec.internet !== false);
    const pool = this.pools.get(key);
    while (pool && pool.ready.length > 0) {
      const id = pool.ready.shift() ?? "";
      const state = await this.options.driver.inspectSession(id);
      if (!state.ok || !state.value.hosts.every((h) => h.running)) {
        await this.options.driver.removeSession(id);
        continue;
      }
      try {
        await createLease(this.options.db, this.leaseFor(id, spec.userId), this.options.lifetime);
      } catch (error) {
        // Nobody's, then: it goes, rather than linger uncounted.
        await this.options.driver.removeSession(id);
        throw error;
      }
      this.lastActivity.set(id, Date.now());
      onEvent({ type: "progress", phase: "starting", message: "A warm sandbox is yours" });
      void this.refill(key);
      return { ...state.value, userId: spec.userId };
    }
    // Asked for once, kept warm from now on.
    if (this.target(key) > 0 && !pool) {
      this.pools.set(key, { hosts: spec.hosts, internet: spec.internet !== false, ready: [] });
      void this.refill(key);
    }
    return undefined;
  }

  /** Makes pooled sandboxes of one kind, one at a time, until the pool is full. */
  private refill(key: string): Promise<void> {
    const running = this.refilling.get(key);
    if (running) return running;
    const work = this.fill(key).finally(() => this.refilling.delete(key));
    this.refilling.set(key, work);
    return work;
  }

  /** How many sandboxes a pool keeps ready: the default size plus what events reserved. */
  private target(key: string): number {
    return (this.options.pool?.size ?? 0) + (this.reservations.get(key)?.size ?? 0);
  }

  private async fill(key: string): Promise<void> {
    const pool = this.pools.get(key);
    if (!pool) return;
    while (!this.closed && pool.ready.length < this.target(key)) {
      const sessionId = newSessionId();
      const made = await this.options.driver.createSession(
        { sessionId, userId: POOL_OWNER, scenario: "pool", hosts: pool.hosts, internet: pool.internet },
        () => undefined,
      );
      if (!made.ok) {
        this.log("the warm pool could not make a sandbox", "warn", { error: made.error.message });
        break;
      }
      // Closed meanwhile, or the pool shrank (an event's reservation ended) while this one was being made.
      if (this.closed || pool.ready.length >= this.target(key)) {
        await this.options.driver.removeSession(sessionId);
        break;
      }
      pool.ready.push(sessionId);
    }
  }

  /** Fills the pools the admin asked to keep warm from the start; resolves when they are full (or cannot be). */
  async warmPools(): Promise<void> {
    this.warming = true;
    const fills: Promise<void>[] = [];
    for (const hosts of this.options.pool?.warm ?? []) {
      const key = poolKey(hosts, this.options.internet);
      if (!this.pools.has(key)) this.pools.set(key, { hosts, internet: this.options.internet, ready: [] });
      fills.push(this.refill(key));
    }
    await Promise.all(fills).finally(() => {
      this.warming = false;
    });
  }

  /**
   * Sets the events' reservations (the whole set): each kind they name keeps that many more sandboxes ready; a kind
   * that needs fewer than it holds lets the extra ones go.
   */
  async reserve(reservations: PoolReservation[]): Promise<PoolStatus> {
    const next = new Map<string, { size: number; names: string[] }>();
    // Events cannot make the gateway keep more than this ready, however many there are or however much they ask.
    let room = this.options.pool?.reservedMax ?? DEFAULT_RESERVED_MAX;
    for (const asked of reservations) {
      const r = { ...asked, size: Math.min(asked.size, room) };
      room -= r.size;
      const internet = this.options.internet && r.internet !== false;
      const key = poolKey(r.hosts, internet);
      const entry = next.get(key) ?? { size: 0, names: [] };
      entry.size += r.size;
      entry.names.push(r.name);
      next.set(key, entry);
      if (!this.pools.has(key)) this.pools.set(key, { hosts: r.hosts, internet, ready: [] });
    }
    this.reservations = next;
    const extra: string[] = [];
    for (const [key, pool] of this.pools) {
      const over = pool.ready.length - this.target(key);
      if (over > 0) extra.push(...pool.ready.splice(pool.ready.length - over));
      else if (over < 0 && !this.closed) void this.refill(key);
    }
    await Promise.all(extra.map((id) => this.options.driver.removeSession(id)));
    return this.poolStatus();
  }

  poolStatus(): PoolStatus {
    return {
      pools: [...this.pools].map(([key, pool]) => ({
        hosts: pool.hosts.map((h) => ({ name: h.name, image: h.image })),
        internet: pool.internet,
        target: this.target(key),
        reserved: this.reservations.get(key)?.size ?? 0,
        ready: pool.ready.length,
        reservations: this.reservations.get(key)?.names ?? [],
      })),
    };
  }

  /** Removes the warm sandboxes (shutdown): a restart makes fresh ones. */
  async drainPools(): Promise<void> {
    this.closed = true;
    // A sandbox being made for the pool finishes first, then goes with the rest.
    await Promise.all(this.refilling.values());
    const ids = [...this.pools.values()].flatMap((p) => p.ready.splice(0));
    await Promise.all(ids.map((id) => this.options.driver.removeSession(id)));
  }

  /** False while the gateway takes stock of its sandboxes (at boot, and while Docker does not answer then). */
  isReady(): boolean {
    return !this.reconciling && !this.warming;
  }

  /** How many warm sandboxes wait, in all. */
  warmCount(): number {
    return [...this.pools.values()].reduce((n, p) => n + p.ready.length, 0);
  }

  async extend(sessionId: string): Promise<Result<SessionLease>> {
    const lease = await extendLease(this.options.db, sessionId, this.options.lifetime.ttlSeconds);
    if (!lease) return err(dockyardError("NOT_FOUND", `No sandbox for session ${sessionId}.`));
    // Asking for more time is activity: it also keeps an unattended sandbox from going for being idle.
    this.touch(sessionId);
    this.options.onLease?.(sessionId, lease.expiresAt.toISOString());
    return ok({ ...leaseOf(lease), ...this.idleRemoval(sessionId) });
  }

  /** When a session's lease ends (ISO), or null when it has none. */
  async leaseExpiry(sessionId: string): Promise<string | null> {
    return (await getLease(this.options.db, sessionId))?.expiresAt.toISOString() ?? null;
  }

  /** Something happened in the session (a keystroke, a script): it is not idle. */
  touch(sessionId: string): void {
    this.lastActivity.set(sessionId, Date.now());
  }

  private leaseFor(sessionId: string, userId: string) {
    return { sessionId, userId, engine: this.engine };
  }

  /** How many sandboxes have a live lease on this engine (for metrics). */
  async sessionCount(): Promise<number> {
    return (await this.leases()).length;
  }

  /** This installation's leases. */
  private async leases() {
    return (await listLeases(this.options.db)).filter((l) => l.engine === this.engine);
  }

  /**
   * Every user's live sandbox for the admin: owner, scenario and lease, and each host's live figures. Warm-pool
   * sandboxes nobody has claimed are left out.
   */
  async adminList(): Promise<Result<AdminSessionList>> {
    const [listed, stats, leases] = await Promise.all([
      this.options.driver.listSessions(),
      this.options.driver.sessionStats(),
      this.leases(),
    ]);
    if (!listed.ok) return listed;
    if (!stats.ok) return stats;
    const sampledAt = new Date().toISOString();
    const leased = new Map(leases.map((l) => [l.sessionId, l]));

    // Every host is sampled, pooled ones too: a sandbox claimed from the pool then has a rate from its first listing.
    const hostRows = new Map<string, AdminSessionRow["hosts"]>();
    const live = new Set<string>();
    for (const [sessionId, hosts] of stats.value) {
      const rows = hosts.map(({ host, readAt, cpuSeconds, statsError, ...figures }) => {
        const key = `${sessionId}/${host}`;
        live.add(key);
        const measured = figures.state === "running" && !statsError;
        return {
          name: host,
          ...figures,
          cpuPercent: measured ? this.cpu.sample(key, { cpuSeconds, readAt }) : 0,
          ...(statsError ? { statsError } : {}),
        };
      });
      hostRows.set(sessionId, rows);
    }
    this.cpu.retain(live);

    const rows = listed.value.flatMap((s) => {
      const lease = leased.get(s.sessionId);
      const userId = lease?.userId ?? s.userId;
      // Pooled sandboxes waiting for someone; and half-made leftovers (a network only) that reaping clears.
      if (userId === POOL_OWNER || (s.containers === 0 && !lease)) return [];
      return [{ summary: s, lease, userId }];
    });
    // A sandbox from the warm pool is labelled with the pool's scenario: the lab session knows the real one.
    const labSessions = await this.options.db.labSession.findMany({
      where: { id: { in: rows.map((r) => r.summary.sessionId) } },
      select: { id: true, scenarioSlug: true },
    });
    const scenarioOf = new Map(labSessions.map((l) => [l.id, l.scenarioSlug]));

    const sessions = rows.map(
      ({ summary, lease, userId }): AdminSessionRow => ({
        sessionId: summary.sessionId,
        userId,
        scenario: scenarioOf.get(summary.sessionId) ?? summary.scenario,
        engine: this.engine,
        createdAt: lease?.createdAt.toISOString() ?? summary.created,
        expiresAt: lease?.expiresAt.toISOString() ?? null,
        maxExpiresAt: lease?.maxExpiresAt.toISOString() ?? null,
        hosts: hostRows.get(summary.sessionId) ?? [],
      }),
    );
    sessions.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.sessionId.localeCompare(b.sessionId));
    return ok({ sessions, sampledAt });
  }

  async remove(sessionId: string, why?: string): Promise<Result<{ containers: number; networks: number }>> {
    // Terminals hear why before their shells go with the containers.
    this.options.onRemoved?.(sessionId, why ?? "The sandbox was stopped.");
    const removed = await this.options.driver.removeSession(sessionId);
    if (removed.ok) {
      await deleteLease(this.options.db, sessionId);
      this.lastActivity.delete(sessionId);
      if (why) await transitionLabSession(this.options.db, sessionId, ["running", "starting"], "stopped", why);
    }
    return removed;
  }

  /**
   * Removes expired sessions, idle ones (no terminal attached, no activity for the idle time), and, where the engine
   * cannot cap disk use itself, those that wrote more than the cap.
   */
  async reap(now = Date.now()): Promise<{ expired: string[]; idle: string[]; disk: string[] }> {
    const expired: string[] = [];
    for (const lease of await expiredLeases(this.options.db, new Date(now))) {
      if (lease.engine !== this.engine) continue;
      if (this.starting.has(lease.sessionId)) continue;
      const removed = await this.remove(lease.sessionId, "The sandbox reached the end of its time and was removed.");
      if (removed.ok) expired.push(lease.sessionId);
    }
    const idle: string[] = [];
    const idleMs = this.options.lifetime.idleSeconds * 1000;
    for (const [sessionId, at] of this.lastActivity) {
      if (now - at < idleMs || this.options.attachedTerminals(sessionId) > 0 || this.starting.has(sessionId)) continue;
      const removed = await this.remove(sessionId, "The sandbox was idle too long and was removed.");
      if (removed.ok) idle.push(sessionId);
    }
    const disk: string[] = [];
    const cap = this.options.driver.diskLimit();
    if (cap.enforcedByEngine !== true) {
      const usage = await this.options.driver.diskUsage();
      for (const [sessionId, bytes] of usage.ok ? usage.value : []) {
        if (bytes <= cap.bytes || this.starting.has(sessionId)) continue;
        const gib = (cap.bytes / 2 ** 30).toFixed(1);
        const removed = await this.remove(
          sessionId,
          `The sandbox wrote more than ${gib} GiB to its disk and was stopped.`,
        );
        if (removed.ok) disk.push(sessionId);
      }
    }
    if (expired.length + idle.length + disk.length > 0) {
      this.log(`removed ${expired.length} expired, ${idle.length} idle and ${disk.length} disk-filling sandbox(es)`);
    }
    return { expired, idle, disk };
  }

  /**
   * At boot: sessions with containers and a live lease are adopted; containers of sessions without a lease (or
   * with an expired one) and networks left by broken starts are removed; leases and lab sessions whose containers
   * are gone are closed.
   */
  async reconcile(): Promise<Result<{ adopted: string[]; removed: string[]; closed: string[] }>> {
    this.reconciling = true;
    const listed = await this.options.driver.listSessions();
    if (!listed.ok) return listed;
    const allLeases = await listLeases(this.options.db);
    const leases = new Map(allLeases.filter((l) => l.engine === this.engine).map((l) => [l.sessionId, l]));
    const leasedAnywhere = new Set(allLeases.map((l) => l.sessionId));
    const now = Date.now();
    const adopted: string[] = [];
    const removed: string[] = [];
    const closed: string[] = [];
    for (const session of listed.value) {
      const lease = leases.get(session.sessionId);
      leases.delete(session.sessionId);
      if (!lease && session.userId === POOL_OWNER) {
        // A warm sandbox from before the restart: the pool makes fresh ones.
        await this.options.driver.removeSession(session.sessionId);
        continue;
      }
      const alive = lease && lease.expiresAt.getTime() > now && session.containers > 0;
      if (alive) {
        adopted.push(session.sessionId);
        this.lastActivity.set(session.sessionId, now);
      } else {
        const why = lease ? "The sandbox ended while Dockyard was restarting." : undefined;
        if ((await this.remove(session.sessionId, why ?? "The sandbox was not known after a restart.")).ok) {
          removed.push(session.sessionId);
        }
      }
    }
    for (const lease of leases.values()) {
      await deleteLease(this.options.db, lease.sessionId);
      await transitionLabSession(
        this.options.db,
        lease.sessionId,
        ["running", "starting"],
        "stopped",
        "The sandbox was gone after a restart.",
      );
      closed.push(lease.sessionId);
    }
    // Lab sessions the web app still thinks alive, with neither lease nor containers, end too.
    const live = new Set(adopted);
    const stale = await this.options.db.labSession.findMany({
      where: { status: { in: ["running", "starting"] } },
      select: { id: true },
    });
    for (const { id } of stale) {
      // One another installation leases is its own business.
      if (live.has(id) || this.starting.has(id) || (leasedAnywhere.has(id) && !closed.includes(id))) continue;
      await transitionLabSession(
        this.options.db,
        id,
        ["running", "starting"],
        "stopped",
        "The sandbox was gone after a restart.",
      );
      if (!closed.includes(id)) closed.push(id);
    }
    this.log(`reconciled: ${adopted.length} adopted, ${removed.length} removed, ${closed.length} closed`);
    this.reconciling = false;
    return ok({ adopted, removed, closed });
  }

  startReaper(intervalMs: number): void {
    this.stopReaper();
    this.reaper = setInterval(() => {
      // One round at a time: measuring disk use can take a while.
      if (this.reaping) return;
      this.reaping = true;
      this.reap()
        .catch((error: unknown) => this.log("reaping failed", "error", { error }))
        .finally(() => {
          this.reaping = false;
        });
    }, intervalMs);
    this.reaper.unref();
  }

  stopReaper(): void {
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = undefined;
  }
}

function limit(message: string, retryAfterSeconds: number): DockyardError {
  return { code: "LIMIT_REACHED", message, retryAfterSeconds };
}

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
  type CreateSessionEvent,
  type DockyardError,
  dockyardError,
  err,
  ok,
  type Result,
  type SessionInfo,
  type SessionLease,
  type SessionState,
} from "@dockyard/protocol";
import type { SandboxDriver, SessionSpec } from "@dockyard/sandbox";

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
  log?: (line: string) => void;
}

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
  private reaper: NodeJS.Timeout | undefined;

  constructor(private readonly options: SessionManagerOptions) {}

  private log(line: string) {
    (this.options.log ?? ((l: string) => console.log(l)))(`[gateway] ${line}`);
  }

  /**
   * Decides, one request at a time, whether a session may start; a refusal is LIMIT_REACHED with the reason and when
   * to try again, and nothing is made.
   */
  admit(spec: SessionSpec): Promise<Result<Admission>> {
    const decision = this.admitting.then(async (): Promise<Result<Admission>> => {
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
      const owners = new Map(listed.value.map((s) => [s.sessionId, s.userId]));
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

  /** Creates an admitted session and gives it a lease; a failed start leaves nothing behind (the driver's rule). */
  async create(admission: Admission, onEvent: (event: CreateSessionEvent) => void): Promise<Result<SessionState>> {
    const { spec } = admission;
    try {
      const made = await this.options.driver.createSession(spec, onEvent);
      if (made.ok) {
        await createLease(this.options.db, { sessionId: spec.sessionId, userId: spec.userId }, this.options.lifetime);
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
    return ok({ ...state.value, ...(lease ? { lease: leaseOf(lease) } : {}) });
  }

  async extend(sessionId: string): Promise<Result<SessionLease>> {
    const lease = await extendLease(this.options.db, sessionId, this.options.lifetime.ttlSeconds);
    if (!lease) return err(dockyardError("NOT_FOUND", `No sandbox for session ${sessionId}.`));
    this.touch(sessionId);
    return ok(leaseOf(lease));
  }

  /** Something happened in the session (a keystroke, a script): it is not idle. */
  touch(sessionId: string): void {
    this.lastActivity.set(sessionId, Date.now());
  }

  async remove(sessionId: string, why?: string): Promise<Result<{ containers: number; networks: number }>> {
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
    const listed = await this.options.driver.listSessions();
    if (!listed.ok) return listed;
    const leases = new Map((await listLeases(this.options.db)).map((l) => [l.sessionId, l]));
    const now = Date.now();
    const adopted: string[] = [];
    const removed: string[] = [];
    const closed: string[] = [];
    for (const session of listed.value) {
      const lease = leases.get(session.sessionId);
      leases.delete(session.sessionId);
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
      if (live.has(id) || this.starting.has(id)) continue;
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
    return ok({ adopted, removed, closed });
  }

  startReaper(intervalMs: number): void {
    this.stopReaper();
    this.reaper = setInterval(() => {
      this.reap().catch((error: unknown) => this.log(`reaping failed: ${(error as Error).message}`));
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

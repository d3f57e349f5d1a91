import { randomBytes } from "node:crypto";
import {
  createLease,
  type Db,
  deleteLease,
  type EngineRecord,
  expiredLeases,
  extendLease,
  getLease,
  type LeaseTerms,
  leasesOnEngine,
  listEngines,
  listLeases,
  liveGateways,
  releaseLease,
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
import type { SandboxDriver, SessionSpec, SessionSummary } from "@dockyard/sandbox";
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

/**
 * Several Docker engines (`EngineFleet`): each engine's driver, and which engine a session's calls go to. The
 * engines' capacity, labels and state are in the database.
 */
export interface EngineRoutes {
  names(): string[];
  on(engine: string): SandboxDriver | undefined;
  /** Sends a session's creation, and every later call about it, to `engine`. */
  pin(sessionId: string, engine: string): void;
  unpin(sessionId: string): void;
  /** False while the health loop hears no answer from it (before it is marked down): nothing is placed there. */
  isReachable?(engine: string): boolean;
}

export interface SessionManagerOptions {
  /** Where sandboxes are made; with `fleet`, the driver that routes each session to its engine (the fleet itself). */
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
  /**
   * Without `fleet`: the name of the one engine (`driver`), which leases carry; another installation's leases, on the
   * same database, are not ours to judge.
   */
  engine?: string;
  /** Several engines, registered in the database: sessions are placed on them by room and labels. */
  fleet?: EngineRoutes;
  /**
   * Drivers beside the Docker engines (an ssh pool, reached through a RoutingDriver as `driver`): a session one of
   * them serves goes to it, under its name in the lease, and it limits its own; nothing else is placed there.
   */
  beside?: { name: string; driver: SandboxDriver & { serves(spec: SessionSpec): boolean } }[];
  /**
   * This gateway process (its `dockyard.gateway` label) and how long another's heartbeat may be silent before its
   * warm and starting sandboxes count as left behind.
   */
  gateway?: { id: string; staleMs: number };
  /** Set when the host firewall is not in place: no sandbox starts until it is (or the admin turns it off). */
  isolationProblem?: string;
  /** A session was removed (so caches of its addresses go, and its terminals are told why). */
  onRemoved?: (sessionId: string, why: string) => void;
  /** A session's lease was extended. */
  onLease?: (sessionId: string, expiresAt: string) => void;
  /** Warm pool: sandboxes made ahead, per engine and kind of session, so a Start only has to hand one over. */
  pool?: {
    /** Kept ready per kind on each engine. */
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

/** What the user of a sandbox on an engine that stopped answering is told. */
export const ENGINE_LOST = "The machine running your sandbox stopped answering; start again to get a new one.";

/** A sandbox another live gateway is making has no lease yet; this long after its creation it counts as left over. */
const START_GRACE_MS = 10 * 60_000;

const defaultLog = gatewayLog;

/** Sessions that could share a pooled sandbox: the same hosts (names, images, workdirs, docker), internet, labels. */
const poolKey = (hosts: SessionSpec["hosts"], internet: boolean, labels: string[] = []) =>
  JSON.stringify({
    hosts: hosts.map((h) => [h.name, h.image, h.workdir ?? null, Boolean(h.docker), h.limits ?? null]),
    internet,
    ...(labels.length > 0 ? { labels } : {}),
  });

/** The labels an engine needs for a session: the environment's, and `docker` for hosts with their own engine. */
export const labelsNeeded = (spec: Pick<SessionSpec, "hosts" | "engineLabels">): string[] =>
  [...new Set([...(spec.engineLabels ?? []), ...(spec.hosts.some((h) => h.docker) ? ["docker"] : [])])].sort();

const newSessionId = () => `s-${randomBytes(8).toString("hex")}`;

/** An engine as placement sees it; `labels` null (the one engine without a fleet) offers everything. */
export interface EngineView {
  name: string;
  capacity: number;
  labels: string[] | null;
  enabled: boolean;
  up: boolean;
}

const viewOf = (e: EngineRecord): EngineView => ({
  name: e.name,
  capacity: e.capacity,
  labels: e.labels,
  enabled: e.enabled,
  up: e.state === "up",
});

const offers = (engine: EngineView, needs: string[]) =>
  engine.labels === null || needs.every((l) => engine.labels?.includes(l));

/** A place reserved for a session that is about to be created, on the engine chosen for it. */
export interface Admission {
  spec: SessionSpec;
  engine: string;
}

/** A kind of warm sandbox: kept ready on every engine that can run it. */
interface PoolKind {
  hosts: SessionSpec["hosts"];
  internet: boolean;
  labels: string[];
}

const leaseOf = (lease: { expiresAt: Date; maxExpiresAt: Date }): SessionLease => ({
  expiresAt: lease.expiresAt.toISOString(),
  maxExpiresAt: lease.maxExpiresAt.toISOString(),
});

const slot = (engine: string, key: string) => `${engine}\n${key}`;

/**
 * The gateway's control plane for sandboxes: who may start one (admission limits) and on which engine (placement),
 * how long each lives (a lease in the database, extensible to a maximum; idle ones go), what a restart finds
 * (containers and leases reconciled), and what happens when an engine stops answering (its sessions are lost) and
 * comes back (reconciled again).
 */
export class SessionManager {
  /** Sessions admitted and being created, with their user and engine: counted before Docker lists them. */
  private readonly starting = new Map<string, { userId: string; engine: string }>();
  private readonly lastActivity = new Map<string, number>();
  private admitting: Promise<unknown> = Promise.resolve();
  /** Kinds of warm sandbox kept ready, by pool key; the ready ones by engine and key; those being refilled. */
  private readonly kinds = new Map<string, PoolKind>();
  private readonly ready = new Map<string, string[]>();
  private readonly refilling = new Map<string, Promise<void>>();
  /** When making a warm sandbox last failed, by engine and kind: tried again a minute later, not every round. */
  private readonly fillFailed = new Map<string, number>();
  /** Warm sandboxes being made (not yet in a ready list), and being handed over (out of it, not yet leased). */
  private readonly making = new Set<string>();
  private readonly handing = new Set<string>();
  /** Extra warm sandboxes events asked for, by pool key: their total (over all engines), and who asked. */
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
  /** Engines not reconciled since this gateway started (they did not answer then). */
  private readonly unreconciled = new Set<string>();

  /** The one engine's name, without a fleet. */
  private readonly engine: string;
  private readonly routes: EngineRoutes;
  /** The engines as last read (with a fleet, from the database by the health loop). */
  private view: EngineView[];

  constructor(private readonly options: SessionManagerOptions) {
    this.engine = options.engine ?? "local";
    const driver = options.driver;
    const name = this.engine;
    const engines: EngineRoutes = options.fleet ?? {
      names: () => [name],
      on: (engine) => (engine === name ? driver : undefined),
      pin: () => undefined,
      unpin: () => undefined,
    };
    const beside = options.beside ?? [];
    this.routes =
      beside.length === 0
        ? engines
        : {
            names: () => [...engines.names(), ...beside.map((b) => b.name)],
            on: (engine) => beside.find((b) => b.name === engine)?.driver ?? engines.on(engine),
            pin: (id, engine) => {
              if (!this.isBeside(engine)) engines.pin(id, engine);
            },
            unpin: (id) => engines.unpin(id),
            isReachable: (engine) => this.isBeside(engine) || (engines.isReachable?.(engine) ?? true),
          };
    this.besideViews = beside.map((b) => ({
      name: b.name,
      capacity: Number.POSITIVE_INFINITY,
      labels: null,
      enabled: true,
      up: true,
    }));
    this.view = options.fleet
      ? [...this.besideViews]
      : [{ name, capacity: Number.POSITIVE_INFINITY, labels: null, enabled: true, up: true }, ...this.besideViews];
  }

  /** The drivers beside the engines, as placement sees them: always up, unlimited (they limit their own). */
  private readonly besideViews: EngineView[];

  /** Whether the engine answered the health loop's last check. */
  private reachable(engine: string): boolean {
    return this.routes.isReachable?.(engine) ?? true;
  }

  private isBeside(engine: string): boolean {
    return this.options.beside?.some((b) => b.name === engine) ?? false;
  }

  /** The driver beside the engines that serves a kind of session, if one does. */
  private besideServing(spec: Pick<SessionSpec, "hosts" | "internet" | "engineLabels">) {
    const full: SessionSpec = { sessionId: "", userId: "", scenario: "", ...spec };
    return this.options.beside?.find((b) => b.driver.serves(full));
  }

  private log(line: string, level: LogLevel = "info", fields?: Record<string, unknown>) {
    (this.options.log ?? defaultLog)(level, line, fields);
  }

  /** The engines as the database has them now (without a fleet, the one engine). */
  private async engines(): Promise<EngineView[]> {
    if (!this.options.fleet) return this.view;
    const known = new Set(this.routes.names());
    const registered = (await listEngines(this.options.db)).filter((e) => known.has(e.name) && !this.isBeside(e.name));
    return [...registered.map(viewOf), ...this.besideViews];
  }

  /** Whether leases naming `engine` are this gateway's to keep (one of its engines). */
  ownsEngine(engine: string): boolean {
    return this.routes.names().includes(engine);
  }

  /**
   * Decides, one request at a time, whether a session may start and on which engine; a refusal is LIMIT_REACHED
   * with the reason and when to try again (or why no engine can take it), and nothing is made.
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
      const [listed, leases, engines] = await Promise.all([
        this.options.driver.listSessions(),
        this.leases(),
        this.engines(),
      ]);
      if (!listed.ok) return err(listed.error);
      // Pooled sandboxes waiting for someone count for nobody; a claimed one counts for its lease's owner.
      const leased = new Map(leases.map((l) => [l.sessionId, l]));
      const owners = new Map<string, { user: string; engine: string }>();
      for (const s of listed.value) {
        const lease = leased.get(s.sessionId);
        const user = lease?.userId ?? s.userId;
        if (user !== POOL_OWNER) owners.set(s.sessionId, { user, engine: lease?.engine ?? s.engine ?? this.engine });
      }
      // Sandboxes on an engine that does not answer right now are not listed: their leases still count.
      for (const l of leases) {
        if (!owners.has(l.sessionId) && !this.reachable(l.engine)) {
          owners.set(l.sessionId, { user: l.userId, engine: l.engine });
        }
      }
      for (const [id, s] of this.starting) owners.set(id, { user: s.userId, engine: s.engine });
      if (owners.has(spec.sessionId))
        return err(dockyardError("CONFLICT", `Session ${spec.sessionId} exists already.`));
      if (owners.size >= maxSessions) {
        return err(limit(`All ${maxSessions} sandboxes are in use; one frees up when someone stops or leaves.`, 60));
      }
      const mine = [...owners.values()].filter((o) => o.user === spec.userId).length;
      if (mine >= maxPerUser) {
        return err(
          limit(
            `You have ${mine} sandbox${mine === 1 ? "" : "es"} running already (at most ${maxPerUser}); stop one to start another.`,
            30,
          ),
        );
      }
      const internet = this.options.internet && spec.internet !== false;
      const placed = this.place(spec, internet, engines, owners);
      if (!placed.ok) return placed;
      this.starting.set(spec.sessionId, { userId: spec.userId, engine: placed.value });
      return ok({ spec: { ...spec, internet }, engine: placed.value });
    });
    this.admitting = decision.catch(() => undefined);
    return decision;
  }

  /**
   * Placement: among the enabled engines that answer and offer the labels the session needs, the one with the most
   * room (capacity less its users' sandboxes, starting ones included); one with a warm sandbox of the kind first.
   */
  private place(
    spec: SessionSpec,
    internet: boolean,
    engines: EngineView[],
    owners: Map<string, { engine: string }>,
  ): Result<string> {
    const served = this.besideServing(spec);
    if (served) return ok(served.name);
    const needs = labelsNeeded(spec);
    const live = engines.filter((e) => e.enabled && e.up && !this.isBeside(e.name) && this.reachable(e.name));
    if (live.length === 0) {
      return err({
        ...dockyardError(
          "DOCKER_UNAVAILABLE",
          "No Docker engine is available for sandboxes right now; try again soon.",
        ),
        retryAfterSeconds: 30,
      });
    }
    const able = live.filter((e) => offers(e, needs));
    if (able.length === 0) {
      return err(
        dockyardError(
          "SANDBOX_FAILED",
          `No engine can run this sandbox: it needs an engine labelled ${needs.join(", ")}, and none that is up has ${needs.length === 1 ? "that label" : "those labels"}.`,
        ),
      );
    }
    const used = new Map<string, number>();
    for (const o of owners.values()) used.set(o.engine, (used.get(o.engine) ?? 0) + 1);
    const key = poolKey(spec.hosts, internet, spec.engineLabels ?? []);
    const ranked = able
      .map((e) => ({
        name: e.name,
        room: e.capacity - (used.get(e.name) ?? 0),
        warm: (this.ready.get(slot(e.name, key))?.length ?? 0) > 0,
      }))
      .filter((e) => e.room > 0)
      .sort((a, b) => Number(b.warm) - Number(a.warm) || b.room - a.room || a.name.localeCompare(b.name));
    const best = ranked[0];
    if (!best) {
      return err(
        limit(
          `No engine has room for another sandbox (${able.length === 1 ? "the one that can run it is" : `all ${able.length} that can run it are`} full); one frees up when someone stops or leaves.`,
          60,
        ),
      );
    }
    return ok(best.name);
  }

  /**
   * Creates an admitted session on its engine, or hands over a warm one there (which keeps its own id), and gives it
   * a lease; a failed start leaves nothing behind (the driver's rule).
   */
  async create(admission: Admission, onEvent: (event: CreateSessionEvent) => void): Promise<Result<SessionState>> {
    const { spec, engine } = admission;
    // The lab session (the web app's, under the id it asked for) records where its sandbox lives.
    const recordEngine = () =>
      this.options.db.labSession
        .updateMany({ where: { id: spec.sessionId }, data: { engine } })
        .catch((error: unknown) => this.log("the lab session's engine was not recorded", "warn", { error }));
    try {
      const warm = await this.claimWarm(spec, engine, onEvent);
      if (warm) {
        await recordEngine();
        return ok(warm);
      }
      this.routes.pin(spec.sessionId, engine);
      const made = await this.options.driver.createSession(spec, onEvent);
      if (made.ok) {
        await createLease(this.options.db, this.leaseFor(spec.sessionId, spec.userId, engine), this.options.lifetime);
        this.lastActivity.set(spec.sessionId, Date.now());
        await recordEngine();
      } else this.routes.unpin(spec.sessionId);
      return made;
    } catch (error) {
      await this.options.driver.removeSession(spec.sessionId);
      this.routes.unpin(spec.sessionId);
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

  /** A warm sandbox of the right kind on `engine`, now the user's; undefined when its pool there has none. */
  private async claimWarm(
    spec: SessionSpec,
    engine: string,
    onEvent: (event: CreateSessionEvent) => void,
  ): Promise<SessionState | undefined> {
    const internet = spec.internet !== false;
    const key = poolKey(spec.hosts, internet, spec.engineLabels ?? []);
    const ready = this.ready.get(slot(engine, key));
    while (ready && ready.length > 0) {
      const id = ready.shift() ?? "";
      this.handing.add(id);
      try {
        const state = await this.options.driver.inspectSession(id);
        if (!state.ok || !state.value.hosts.every((h) => h.running)) {
          await this.options.driver.removeSession(id);
          continue;
        }
        try {
          await createLease(this.options.db, this.leaseFor(id, spec.userId, engine), this.options.lifetime);
        } catch (error) {
          // Nobody's, then: it goes, rather than linger uncounted.
          await this.options.driver.removeSession(id);
          throw error;
        }
        this.lastActivity.set(id, Date.now());
        onEvent({ type: "progress", phase: "starting", message: "A warm sandbox is yours" });
        void this.refill(engine, key);
        return { ...state.value, userId: spec.userId };
      } finally {
        this.handing.delete(id);
      }
    }
    // Asked for once, kept warm from now on.
    if (!this.kinds.has(key)) {
      this.kinds.set(key, { hosts: spec.hosts, internet, labels: spec.engineLabels ?? [] });
      if (this.targetTotal(key) > 0) this.fillPools();
      else this.kinds.delete(key);
    }
    return undefined;
  }

  /**
   * The engines a kind of warm sandbox is kept on: enabled, up, with the labels it needs, and a driver here; and,
   * unless `evenUnreachable` (what trimming goes by), answering this gateway's checks.
   */
  private poolEngines(kind: PoolKind, evenUnreachable = false): string[] {
    const served = this.besideServing({ hosts: kind.hosts, internet: kind.internet, engineLabels: kind.labels });
    if (served) return [served.name];
    const needs = labelsNeeded({ hosts: kind.hosts, engineLabels: kind.labels });
    return this.view
      .filter(
        (e) =>
          e.enabled &&
          e.up &&
          !this.isBeside(e.name) &&
          (evenUnreachable || this.reachable(e.name)) &&
          offers(e, needs) &&
          this.routes.on(e.name),
      )
      .map((e) => e.name)
      .sort();
  }

  /** How many sandboxes of a kind are kept in all: the default per engine, plus what events reserved. */
  private targetTotal(key: string): number {
    return (this.options.pool?.size ?? 0) + (this.reservations.get(key)?.size ?? 0);
  }

  /** How many of a kind one engine keeps ready: the default size, and its share of the reservations. */
  private target(engine: string, key: string, evenUnreachable = false): number {
    const kind = this.kinds.get(key);
    if (!kind) return 0;
    const engines = this.poolEngines(kind, evenUnreachable);
    const index = engines.indexOf(engine);
    if (index < 0) return 0;
    const reserved = this.reservations.get(key)?.size ?? 0;
    const share = Math.floor(reserved / engines.length) + (index < reserved % engines.length ? 1 : 0);
    return (this.options.pool?.size ?? 0) + share;
  }

  private readyOn(engine: string, key: string): string[] {
    const id = slot(engine, key);
    let list = this.ready.get(id);
    if (!list) {
      list = [];
      this.ready.set(id, list);
    }
    return list;
  }

  /** Makes pooled sandboxes of one kind on one engine, one at a time, until that pool is full. */
  private refill(engine: string, key: string): Promise<void> {
    const id = slot(engine, key);
    const running = this.refilling.get(id);
    if (running) return running;
    const work = this.fill(engine, key).finally(() => this.refilling.delete(id));
    this.refilling.set(id, work);
    return work;
  }

  private async fill(engine: string, key: string): Promise<void> {
    const kind = this.kinds.get(key);
    if (!kind) return;
    while (!this.closed && this.readyOn(engine, key).length < this.target(engine, key)) {
      const sessionId = newSessionId();
      this.making.add(sessionId);
      this.routes.pin(sessionId, engine);
      const made = await this.options.driver
        .createSession(
          {
            sessionId,
            userId: POOL_OWNER,
            scenario: "pool",
            hosts: kind.hosts,
            internet: kind.internet,
            ...(kind.labels.length > 0 ? { engineLabels: kind.labels } : {}),
          },
          () => undefined,
        )
        .finally(() => this.making.delete(sessionId));
      if (!made.ok) {
        this.routes.unpin(sessionId);
        this.fillFailed.set(slot(engine, key), Date.now());
        this.log("the warm pool could not make a sandbox", "warn", { engine, error: made.error.message });
        break;
      }
      this.fillFailed.delete(slot(engine, key));
      // Closed meanwhile, or the pool shrank (an event's reservation ended, the engine went) while it was being made.
      const ready = this.readyOn(engine, key);
      if (this.closed || ready.length >= this.target(engine, key)) {
        await this.options.driver.removeSession(sessionId);
        break;
      }
      ready.push(sessionId);
    }
  }

  /** Starts refilling every pool below its target, on every engine. */
  private fillPools(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const fills: Promise<void>[] = [];
    for (const [key, kind] of this.kinds) {
      for (const engine of this.poolEngines(kind)) {
        if (Date.now() - (this.fillFailed.get(slot(engine, key)) ?? 0) < 60_000) continue;
        if (this.readyOn(engine, key).length < this.target(engine, key)) fills.push(this.refill(engine, key));
      }
    }
    return Promise.all(fills).then(() => undefined);
  }

  /**
   * Removes warm sandboxes past their pool's target (a reservation ended, an engine was disabled, removed or marked
   * down). An engine that only missed a check keeps its pool: it may answer at the next one. The removals are not
   * waited for (an engine that does not answer would hold up the health round).
   */
  private trimPools(): void {
    const extra: string[] = [];
    for (const [id, list] of this.ready) {
      const [engine = "", key = ""] = id.split("\n");
      const over = list.length - Math.max(this.target(engine, key), this.target(engine, key, true));
      if (over > 0) extra.push(...list.splice(list.length - over));
    }
    for (const sessionId of extra) this.discard(sessionId);
  }

  /** Removes a warm sandbox nobody waits for: within a minute, or logged (the sweep finds it later). */
  private discard(sessionId: string): void {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Result<never>>((resolve) => {
      timer = setTimeout(() => resolve(err(dockyardError("TIMEOUT", "no answer within 60 s"))), 60_000);
      timer.unref();
    });
    void Promise.race([this.options.driver.removeSession(sessionId), late])
      .catch((error: unknown) => err(dockyardError("SANDBOX_FAILED", String(error))))
      .then((removed) => {
        if (!removed.ok) {
          this.log("a warm sandbox past its pool's target was not removed", "warn", {
            sessionId,
            error: removed.error.message,
          });
        }
      })
      .finally(() => clearTimeout(timer));
  }

  /** Fills the pools the admin asked to keep warm from the start; resolves when they are full (or cannot be). */
  async warmPools(): Promise<void> {
    this.warming = true;
    for (const hosts of this.options.pool?.warm ?? []) {
      const key = poolKey(hosts, this.options.internet);
      if (!this.kinds.has(key)) this.kinds.set(key, { hosts, internet: this.options.internet, labels: [] });
    }
    await this.fillPools().finally(() => {
      this.warming = false;
    });
  }

  /**
   * Sets the events' reservations (the whole set): each kind they name keeps that many more sandboxes ready, shared
   * out over the engines that can run it; a kind that needs fewer than it holds lets the extra ones go.
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
      if (!this.kinds.has(key)) this.kinds.set(key, { hosts: r.hosts, internet, labels: [] });
    }
    this.reservations = next;
    this.trimPools();
    void this.fillPools();
    return this.poolStatus();
  }

  /** Each kind's pool, summed over the engines. */
  poolStatus(): PoolStatus {
    return {
      pools: [...this.kinds].map(([key, kind]) => {
        const engines = this.poolEngines(kind);
        return {
          hosts: kind.hosts.map((h) => ({ name: h.name, image: h.image })),
          internet: kind.internet,
          target: engines.reduce((n, e) => n + this.target(e, key), 0),
          reserved: this.reservations.get(key)?.size ?? 0,
          ready: engines.reduce((n, e) => n + (this.ready.get(slot(e, key))?.length ?? 0), 0),
          reservations: this.reservations.get(key)?.names ?? [],
        };
      }),
    };
  }

  /** Removes the warm sandboxes (shutdown): a restart makes fresh ones. */
  async drainPools(): Promise<void> {
    this.closed = true;
    // A sandbox being made for the pool finishes first, then goes with the rest.
    await Promise.all(this.refilling.values());
    const ids = [...this.ready.values()].flatMap((list) => list.splice(0));
    await Promise.all(ids.map((id) => this.options.driver.removeSession(id)));
  }

  /** False while the gateway takes stock of its sandboxes (at boot, and while Docker does not answer then). */
  isReady(): boolean {
    return !this.reconciling && !this.warming;
  }

  /** How many warm sandboxes wait, in all, or on one engine. */
  warmCount(engine?: string): number {
    let n = 0;
    for (const [id, list] of this.ready) if (engine === undefined || id.startsWith(`${engine}\n`)) n += list.length;
    return n;
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

  private leaseFor(sessionId: string, userId: string, engine: string) {
    return { sessionId, userId, engine };
  }

  /** How many sandboxes have a live lease on this gateway's engines (for metrics). */
  async sessionCount(): Promise<number> {
    return (await this.leases()).length;
  }

  /** The leases of this gateway's engines. */
  private async leases() {
    const names = new Set(this.routes.names());
    return (await listLeases(this.options.db)).filter((l) => names.has(l.engine));
  }

  /**
   * Every user's live sandbox for the admin: owner, scenario, engine and lease, and each host's live figures.
   * Warm-pool sandboxes nobody has claimed are left out.
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
        engine: lease?.engine ?? summary.engine ?? this.engine,
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
      this.routes.unpin(sessionId);
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
    const names = new Set(this.routes.names());
    for (const lease of await expiredLeases(this.options.db, new Date(now))) {
      if (!names.has(lease.engine)) continue;
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
   * At boot: on every engine that answers, sessions with containers and a live lease are adopted; containers of
   * sessions without a lease (or with an expired one) and networks left by broken starts are removed; leases and lab
   * sessions whose containers are gone are closed. An engine that does not answer is reconciled when it does.
   */
  async reconcile(): Promise<Result<{ adopted: string[]; removed: string[]; closed: string[] }>> {
    this.reconciling = true;
    if (this.options.fleet) this.view = await this.engines();
    const adopted: string[] = [];
    const removed: string[] = [];
    const closed: string[] = [];
    let answered = 0;
    let failure: DockyardError | undefined;
    for (const engine of this.routes.names()) {
      // An engine known to be down, or that does not answer now, is reconciled once it does (the health loop).
      // One this gateway does not use (another daemon answers at its endpoint here) is not this gateway's to judge.
      const known = this.view.find((e) => e.name === engine);
      const answers =
        known?.up === false || !this.reachable(engine) ? undefined : await answersWithin(this.routes.on(engine), 5000);
      const done = answers?.ok ? await this.reconcileEngine(engine) : answers;
      if (!done) {
        this.unreconciled.add(engine);
        continue;
      }
      if (!done.ok) {
        failure ??= done.error;
        this.unreconciled.add(engine);
        continue;
      }
      answered += 1;
      this.unreconciled.delete(engine);
      adopted.push(...done.value.adopted);
      removed.push(...done.value.removed);
      closed.push(...done.value.closed);
    }
    if (answered === 0 && failure) return err(failure);
    // Lab sessions the web app still thinks alive, with neither lease nor containers, end too.
    const live = new Set(adopted);
    const leasedAnywhere = new Set((await listLeases(this.options.db)).map((l) => l.sessionId));
    const stale = await this.options.db.labSession.findMany({
      where: { status: { in: ["running", "starting"] } },
      select: { id: true, status: true, createdAt: true },
    });
    for (const { id, status, createdAt } of stale) {
      // One another installation leases is its own business; one another gateway is starting has no lease yet.
      if (live.has(id) || this.starting.has(id) || leasedAnywhere.has(id)) continue;
      if (status === "starting" && Date.now() - createdAt.getTime() < START_GRACE_MS) continue;
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

  /**
   * One engine's containers against its leases. Leases are read before containers are listed: a sandbox is made
   * before its lease, so one leased meanwhile is listed, and one still starting is protected below.
   */
  async reconcileEngine(
    engine: string,
    { closeGone = true }: { closeGone?: boolean } = {},
  ): Promise<Result<{ adopted: string[]; removed: string[]; closed: string[] }>> {
    const driver = this.routes.on(engine);
    if (!driver) return err(dockyardError("NOT_FOUND", `No engine ${engine}.`));
    const leases = new Map((await leasesOnEngine(this.options.db, engine)).map((l) => [l.sessionId, l]));
    const listed = await driver.listSessions();
    if (!listed.ok) return listed;
    const gateways = this.options.gateway
      ? await liveGateways(this.options.db, this.options.gateway.staleMs)
      : new Set<string>();
    const now = Date.now();
    const adopted: string[] = [];
    const removed: string[] = [];
    const closed: string[] = [];
    for (const session of listed.value) {
      const lease = leases.get(session.sessionId);
      leases.delete(session.sessionId);
      if (lease) {
        if (lease.expiresAt.getTime() > now && session.containers > 0) {
          adopted.push(session.sessionId);
          this.routes.pin(session.sessionId, engine);
          // A sweep only looks for leftovers; reconciling takes charge of the session (idle removal included).
          if (closeGone && !this.lastActivity.has(session.sessionId)) this.lastActivity.set(session.sessionId, now);
        } else if (
          (await this.removeOn(engine, session.sessionId, "The sandbox ended while Dockyard was restarting.")).ok
        ) {
          removed.push(session.sessionId);
        }
        continue;
      }
      if (this.inHand(session.sessionId)) continue;
      if (this.othersInProgress(session, gateways, now)) continue;
      // Leased since the leases were read (its start ended between the two reads): not a leftover.
      if (await getLease(this.options.db, session.sessionId)) continue;
      if (session.userId === POOL_OWNER) {
        // A warm sandbox of a gateway that is gone (or of this one, from before): the pools make fresh ones.
        await driver.removeSession(session.sessionId);
        continue;
      }
      if ((await this.removeOn(engine, session.sessionId, "The sandbox was not known after a restart.")).ok) {
        removed.push(session.sessionId);
      }
    }
    for (const lease of closeGone ? leases.values() : []) {
      if (!(await releaseLease(this.options.db, lease.sessionId, engine))) continue;
      this.lastActivity.delete(lease.sessionId);
      await transitionLabSession(
        this.options.db,
        lease.sessionId,
        ["running", "starting"],
        "stopped",
        "The sandbox was gone after a restart.",
      );
      closed.push(lease.sessionId);
    }
    return ok({ adopted, removed, closed });
  }

  /** Being started, made for the pool, waiting in it or handed over from it, by this gateway. */
  private inHand(sessionId: string): boolean {
    if (this.starting.has(sessionId) || this.making.has(sessionId) || this.handing.has(sessionId)) return true;
    for (const list of this.ready.values()) if (list.includes(sessionId)) return true;
    return false;
  }

  /**
   * Removes what was left on an engine (a crashed gateway's warm or half-made sandboxes, once its heartbeat is
   * stale), without closing leases: the health loop does it now and then.
   */
  async sweepEngine(engine: string): Promise<Result<{ removed: string[] }>> {
    const done = await this.reconcileEngine(engine, { closeGone: false });
    return done.ok ? ok({ removed: done.value.removed }) : done;
  }

  /** A warm sandbox, or one being started, of another gateway that is alive: not this gateway's to remove. */
  private othersInProgress(session: SessionSummary, gateways: Set<string>, now: number): boolean {
    const { gateway } = session;
    if (!gateway || gateway === this.options.gateway?.id || !gateways.has(gateway)) return false;
    if (session.userId === POOL_OWNER) return true;
    const created = Date.parse(session.created);
    return Number.isFinite(created) && now - created < START_GRACE_MS;
  }

  /** Removes a session from one engine (not wherever its lease says), its lease there and its lab session. */
  private async removeOn(engine: string, sessionId: string, why: string) {
    const driver = this.routes.on(engine);
    if (!driver) return err(dockyardError("NOT_FOUND", `No engine ${engine}.`));
    this.options.onRemoved?.(sessionId, why);
    const removed = await driver.removeSession(sessionId);
    if (removed.ok) {
      await releaseLease(this.options.db, sessionId, engine);
      this.lastActivity.delete(sessionId);
      this.routes.unpin(sessionId);
      await transitionLabSession(this.options.db, sessionId, ["running", "starting"], "stopped", why);
    }
    return removed;
  }

  /**
   * The engines as the database has them now (the health loop reads them): warm sandboxes on engines that were
   * disabled or removed go. `fillPools` afterwards fills pools on engines that can take them.
   */
  async setEngines(engines: EngineRecord[]): Promise<void> {
    this.view = [...engines.filter((e) => !this.isBeside(e.name)).map(viewOf), ...this.besideViews];
    this.trimPools();
  }

  /** Refills the warm pools wherever they are below their target. */
  refillPools(): void {
    void this.fillPools();
  }

  /**
   * An engine stopped answering: its warm pool is forgotten (nothing there can be reached), and each of its leases
   * is ended, its lab session stopped and its user told. Idempotent and safe on several gateways at once: a lease is
   * ended by one of them (compare-and-set), which tells its user. Answers the sessions this gateway ended.
   */
  async engineLost(engine: string, why = ENGINE_LOST): Promise<string[]> {
    for (const id of [...this.ready.keys()]) if (id.startsWith(`${engine}\n`)) this.ready.delete(id);
    this.view = this.view.map((e) => (e.name === engine ? { ...e, up: false } : e));
    const lost: string[] = [];
    for (const lease of await leasesOnEngine(this.options.db, engine)) {
      if (!(await releaseLease(this.options.db, lease.sessionId, engine))) continue;
      this.lastActivity.delete(lease.sessionId);
      this.routes.unpin(lease.sessionId);
      await transitionLabSession(this.options.db, lease.sessionId, ["running", "starting"], "stopped", why);
      this.options.onRemoved?.(lease.sessionId, why);
      lost.push(lease.sessionId);
    }
    if (lost.length > 0) this.log(`engine ${engine} stopped answering: ${lost.length} sandbox(es) lost`, "warn");
    return lost;
  }

  /**
   * An engine answers again (or for the first time since this gateway started): what is on it is reconciled (every
   * Dockyard container and network without a lease goes, but another live gateway's warm and starting ones), then
   * its pools are filled.
   */
  async engineBack(engine: string): Promise<Result<{ adopted: string[]; removed: string[]; closed: string[] }>> {
    this.view = this.view.map((e) => (e.name === engine ? { ...e, up: true } : e));
    for (const id of this.fillFailed.keys()) if (id.startsWith(`${engine}\n`)) this.fillFailed.delete(id);
    const done = await this.reconcileEngine(engine);
    if (done.ok) {
      this.unreconciled.delete(engine);
      const { adopted, removed, closed } = done.value;
      this.log(
        `engine ${engine} reconciled: ${adopted.length} adopted, ${removed.length} removed, ${closed.length} closed`,
      );
      void this.fillPools();
    }
    return done;
  }

  /** Whether an engine still waits for its first reconciling by this gateway. */
  needsReconcile(engine: string): boolean {
    return this.unreconciled.has(engine);
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

/** Whether a driver answers within `ms` (an engine across a network may not answer at all). */
async function answersWithin(driver: SandboxDriver | undefined, ms: number): Promise<Result<unknown>> {
  if (!driver) return err(dockyardError("NOT_FOUND", "No such engine."));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Result<never>>((resolve) => {
    timer = setTimeout(
      () => resolve(err(dockyardError("DOCKER_UNAVAILABLE", `The Docker engine gave no answer within ${ms} ms.`))),
      ms,
    );
  });
  return Promise.race([driver.ping(), late]).finally(() => clearTimeout(timer));
}

function limit(message: string, retryAfterSeconds: number): DockyardError {
  return { code: "LIMIT_REACHED", message, retryAfterSeconds };
}

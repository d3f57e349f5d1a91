import {
  createEngine,
  type Db,
  deleteEngine,
  type EngineRecord,
  engineFailed,
  engineSeen,
  findEngine,
  findEngineByDaemon,
  forgetGateways,
  gatewayHeartbeat,
  leaseCounts,
  listEngines,
  markEngineDown,
  markEngineUp,
  recordEngineDaemon,
  updateEngine,
} from "@dockyard/db";
import {
  dockyardError,
  type EngineList,
  type EngineRegistration,
  type EngineRow,
  type EngineUpdate,
  err,
  type Log,
  ok,
  type Result,
} from "@dockyard/protocol";
import { DockerDriver, dockerClient, type EngineEndpoint, type EngineFleet } from "@dockyard/sandbox";
import { log as gatewayLog } from "./log.ts";
import type { SessionManager } from "./session-manager.ts";

export interface EngineRegistryOptions {
  db: Db;
  fleet: EngineFleet;
  manager: SessionManager;
  /** This gateway process: its heartbeat row, and the `dockyard.gateway` label of what it makes. */
  gatewayId: string;
  /** How often every engine is asked whether it answers (and the engines read again from the database). */
  intervalMs: number;
  /** Failed checks in a row that mark an engine down. */
  downAfter: number;
  /** How long one check may take. */
  pingTimeoutMs: number;
  /** Leftovers of gone gateways are looked for on every engine this often. */
  sweepMs?: number;
  /** The subnet range of engines registered without one (SANDBOX_SUBNETS). */
  defaultSubnets?: string;
  log?: Log;
}

export const endpointOf = (e: EngineRecord): EngineEndpoint => ({
  name: e.name,
  endpoint: e.endpoint,
  tls: e.tlsCa && e.tlsCert && e.tlsKey ? { ca: e.tlsCa, cert: e.tlsCert, key: e.tlsKey } : null,
  subnets: e.subnets,
  daemonId: e.daemonId,
});

/** How long a gateway's heartbeat may be silent before its warm and starting sandboxes count as left behind. */
export const staleAfterMs = (intervalMs: number) => Math.max(15_000, intervalMs * 6);

/**
 * The engines this gateway works with: reads them from the database (every gateway of one database shares them),
 * checks each answers, and drains one that stops (its sessions lost, their users told) and reconciles it when it
 * answers again. Also the admin's registering, changing and removing of engines. State changes are compare-and-set
 * in the database, so several gateways may run this at once.
 */
export class EngineRegistry {
  private readonly failures = new Map<string, number>();
  /** Engines this gateway treats as down (until it has seen them answer and reconciled them). */
  private readonly down = new Set<string>();
  /** Engines this gateway does not use, and why (already logged): another daemon answers, or one registered twice. */
  private readonly refused = new Map<string, string>();
  /** Engines that do not answer this gateway while others see them (already logged). */
  private readonly unreachableHere = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private beat: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private lastSweep = Date.now();

  constructor(private readonly options: EngineRegistryOptions) {}

  private log(level: "info" | "warn" | "error", line: string, fields?: Record<string, unknown>) {
    (this.options.log ?? gatewayLog)(level, line, fields);
  }

  /** Reads the engines again: the session manager's view first (warm sandboxes on engines gone still reachable). */
  async refresh(): Promise<EngineRecord[]> {
    const records = await listEngines(this.options.db);
    await this.options.manager.setEngines(records);
    const { failed } = this.options.fleet.configure(records.map(endpointOf));
    for (const f of failed) this.log("error", `engine ${f.name} cannot be used`, { error: f.error.message });
    return records;
  }

  /**
   * This gateway's heartbeat: one now, then every `intervalMs` on a timer of its own (a slow round of checks must not
   * make the other gateways think this one gone and sweep its warm and starting sandboxes). Before reconciling at boot.
   */
  async startHeartbeat(): Promise<void> {
    if (this.beat) return;
    this.beat = setInterval(() => void this.heartbeat(), this.options.intervalMs);
    this.beat.unref();
    await this.heartbeat();
  }

  private heartbeat(): Promise<void> {
    return gatewayHeartbeat(this.options.db, this.options.gatewayId).catch((error: unknown) =>
      this.log("error", "writing the gateway's heartbeat failed", { error }),
    );
  }

  /** Checks every `intervalMs`, one round at a time (and beats, if it was not already). */
  start(): void {
    this.stop();
    void this.startHeartbeat();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.beat) clearInterval(this.beat);
    this.timer = undefined;
    this.beat = undefined;
  }

  /**
   * Before the first reconciling: the engines read, and each asked which daemon it is. One that turns out to be
   * another daemon than the one registered (or a daemon registered under another name) is not used by this gateway,
   * so reconciling it cannot take another machine's sandboxes for nobody's.
   */
  async identify(): Promise<void> {
    const records = await this.refresh();
    await Promise.all(
      records.map(async (record) => {
        const driver = this.options.fleet.on(record.name);
        if (!driver) return;
        const answer = await driver.ping(this.options.pingTimeoutMs);
        if (answer.ok) await this.usable(record, answer.value.daemonId);
        else if (driver.mismatch) this.refuse(record.name, driver.mismatch);
      }),
    );
  }

  /** One round: engines read again, each asked whether it answers, and what follows from that. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.round()
      .catch((error: unknown) => this.log("error", "checking the engines failed", { error }))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async round(): Promise<void> {
    const { db, manager } = this.options;
    const records = await this.refresh();
    await Promise.all(records.map((r) => this.check(r)));
    if (Date.now() - this.lastSweep >= (this.options.sweepMs ?? 60_000)) {
      this.lastSweep = Date.now();
      await forgetGateways(db, { silentMs: 24 * 3600_000 });
      for (const r of records) {
        if (this.down.has(r.name) || !this.options.fleet.on(r.name) || !this.options.fleet.isReachable(r.name))
          continue;
        const swept = await manager.sweepEngine(r.name);
        if (swept.ok && swept.value.removed.length > 0) {
          this.log("info", `engine ${r.name}: ${swept.value.removed.length} left-over sandbox(es) removed`);
        }
      }
    }
    manager.refillPools();
  }

  /** This gateway does not use the engine (logged once per reason); nothing about it changes in the database. */
  private refuse(name: string, why: string): void {
    this.options.fleet.setReachable(name, false);
    this.failures.delete(name);
    if (this.refused.get(name) === why) return;
    this.refused.set(name, why);
    this.log("error", `engine ${name} is not used by this gateway: ${why}`);
  }

  /**
   * Whether an engine that answered may be used: its daemon is recorded the first time, unless that daemon is
   * registered under another name already.
   */
  private async usable(record: EngineRecord, daemonId: string | undefined): Promise<boolean> {
    const { name } = record;
    if (record.daemonId === null && daemonId) {
      const recorded = await recordEngineDaemon(this.options.db, name, daemonId);
      if (recorded.outcome === "taken") {
        this.refuse(name, `its Docker daemon (${daemonId}) is registered as engine ${recorded.by} already`);
        return false;
      }
      if (recorded.outcome === "differs") {
        // Another gateway recorded another daemon meanwhile: the next refresh says which this connection reaches.
        this.options.fleet.setReachable(name, false);
        return false;
      }
      this.options.fleet.on(name)?.setEngine({ name, daemonId });
    }
    if (this.refused.delete(name)) this.log("info", `engine ${name} is used by this gateway again`);
    return true;
  }

  /** How long no gateway may have seen an engine answer before it is marked down (the database's clock). */
  private unseenForMs(): number {
    const { downAfter, intervalMs, pingTimeoutMs } = this.options;
    return downAfter * intervalMs + pingTimeoutMs + intervalMs;
  }

  private async check(record: EngineRecord): Promise<void> {
    const { db, fleet, manager, downAfter, pingTimeoutMs } = this.options;
    const { name } = record;
    const driver = fleet.on(name);
    if (!driver) return;
    const answer = await driver.ping(pingTimeoutMs);
    if (!answer.ok && driver.mismatch) {
      // Another daemon answers at this endpoint here (the same socket path on another machine): not this engine.
      this.refuse(name, driver.mismatch);
      return;
    }
    if (answer.ok) {
      if (!(await this.usable(record, answer.value.daemonId))) return;
      this.failures.delete(name);
      this.unreachableHere.delete(name);
      fleet.setReachable(name, true);
      if (record.state === "down" && (await markEngineUp(db, name))) {
        this.log("info", `engine ${name} answers again`, { version: answer.value.version });
      }
      // Every check: an engine is marked down only once no gateway has seen it for a while.
      await engineSeen(db, name);
      if (record.state === "down" || this.down.has(name) || manager.needsReconcile(name)) {
        const back = await manager.engineBack(name);
        if (back.ok) this.down.delete(name);
      }
      return;
    }
    const failures = (this.failures.get(name) ?? 0) + 1;
    this.failures.set(name, failures);
    // Nothing new goes there from the first failure; it is down (its sessions lost) only after `downAfter`.
    fleet.setReachable(name, false);
    if (record.state === "up") {
      if (failures === 1) await engineFailed(db, name, answer.error.message);
      if (failures < downAfter) return;
      if (await markEngineDown(db, name, answer.error.message, { unseenForMs: this.unseenForMs() })) {
        this.log("warn", `engine ${name} marked down after ${failures} failed checks`, { error: answer.error.message });
      } else {
        // A gateway saw it answer lately (another one, if this one keeps failing): its sessions are not lost.
        if (!this.unreachableHere.has(name)) {
          this.unreachableHere.add(name);
          this.log(
            "warn",
            `engine ${name} does not answer this gateway, but was seen answering lately: not used from here`,
            {
              error: answer.error.message,
            },
          );
        }
        return;
      }
    }
    this.down.add(name);
    // Every round while it is down: idempotent, and it finishes a drain a gateway that crashed left half done.
    await manager.engineLost(name);
  }

  /** Every engine with its sandboxes, warm ones here, and state; TLS keys stay on the server. */
  async list(): Promise<EngineList> {
    const [records, counts] = await Promise.all([listEngines(this.options.db), leaseCounts(this.options.db)]);
    return { engines: records.map((r) => this.rowOf(r, counts.get(r.name) ?? 0)) };
  }

  private rowOf(r: EngineRecord, sessions: number): EngineRow {
    return {
      name: r.name,
      endpoint: r.endpoint,
      capacity: r.capacity,
      labels: r.labels,
      subnets: r.subnets,
      enabled: r.enabled,
      state: r.state,
      lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
      lastError: r.lastError,
      createdAt: r.createdAt.toISOString(),
      sessions,
      warm: this.options.manager.warmCount(r.name),
      tls: r.tlsKey !== null,
    };
  }

  /** Registers an engine once it answers; then it is reconciled and gets its warm pools. */
  async register(input: EngineRegistration & { labels: string[] }): Promise<Result<EngineRow>> {
    const docker = dockerClient(input);
    if (!docker.ok) return docker;
    const clash = await this.subnetClash(input);
    if (clash) return err(dockyardError("BAD_REQUEST", clash));
    const answer = await new DockerDriver({ docker: docker.value }).ping(this.options.pingTimeoutMs);
    if (!answer.ok) {
      return err(
        dockyardError(
          "DOCKER_UNAVAILABLE",
          `The engine at ${input.endpoint} does not answer, so it was not registered: ${answer.error.message}`,
        ),
      );
    }
    // Two names for one daemon would each take the other's sandboxes for nobody's, and remove them.
    const same = answer.value.daemonId ? await findEngineByDaemon(this.options.db, answer.value.daemonId) : undefined;
    if (same) {
      return err(
        dockyardError(
          "CONFLICT",
          `The engine at ${input.endpoint} is the Docker daemon registered as engine ${same.name} already (daemon ${answer.value.daemonId}); one daemon is registered once.`,
        ),
      );
    }
    const created = await createEngine(this.options.db, {
      name: input.name,
      endpoint: input.endpoint,
      capacity: input.capacity,
      labels: input.labels,
      subnets: input.subnets ?? null,
      tls: input.tls ?? null,
      daemonId: answer.value.daemonId ?? null,
    });
    if (!created) return err(dockyardError("CONFLICT", `There is an engine named ${input.name} already.`));
    this.log("info", `engine ${input.name} registered`, { endpoint: input.endpoint, version: answer.value.version });
    await this.refresh();
    await this.options.manager.engineBack(input.name);
    return ok(this.rowOf(created, 0));
  }

  /**
   * Engines on this machine (socket endpoints) share its routes: their session networks need ranges of their own. Why
   * not, when the new one's range overlaps another's here.
   */
  private async subnetClash(input: { endpoint: string; subnets?: string | undefined }): Promise<string | undefined> {
    if (!input.endpoint.startsWith("unix://")) return undefined;
    const fallback = this.options.defaultSubnets ?? "10.213.0.0/16";
    const mine = input.subnets ?? fallback;
    for (const other of await listEngines(this.options.db)) {
      if (!other.endpoint.startsWith("unix://")) continue;
      const theirs = other.subnets ?? fallback;
      if (overlaps(mine, theirs)) {
        return `Engines on this machine need subnet ranges of their own: ${mine} overlaps engine ${other.name}'s ${theirs}. Give this one another range (such as 10.214.0.0/16).`;
      }
    }
    return undefined;
  }

  /** Changes an engine's capacity, labels or whether it takes new sandboxes. */
  async update(name: string, patch: EngineUpdate): Promise<Result<EngineRow>> {
    const updated = await updateEngine(this.options.db, name, patch);
    if (!updated) return err(dockyardError("NOT_FOUND", `No engine named ${name}.`));
    await this.refresh();
    this.options.manager.refillPools();
    const counts = await leaseCounts(this.options.db);
    return ok(this.rowOf(updated, counts.get(name) ?? 0));
  }

  /** Removes an engine with no users' sandboxes (disable it first and let them end); its warm ones go first. */
  async remove(name: string): Promise<Result<{ removed: string }>> {
    if (!(await findEngine(this.options.db, name))) return err(dockyardError("NOT_FOUND", `No engine named ${name}.`));
    const deleted = await deleteEngine(this.options.db, name);
    if (deleted.outcome === "busy") {
      return err(
        dockyardError(
          "CONFLICT",
          `Engine ${name} still runs ${deleted.sessions} sandbox${deleted.sessions === 1 ? "" : "es"}: disable it so it gets no new ones, and remove it once they have ended (or stop them).`,
        ),
      );
    }
    if (deleted.outcome === "missing") return err(dockyardError("NOT_FOUND", `No engine named ${name}.`));
    this.failures.delete(name);
    this.down.delete(name);
    this.refused.delete(name);
    this.unreachableHere.delete(name);
    await this.refresh();
    this.log("info", `engine ${name} removed`);
    return ok({ removed: name });
  }
}

/** Whether two CIDR ranges share an address. */
function overlaps(a: string, b: string): boolean {
  const range = (cidr: string) => {
    const [address = "", bits = "32"] = cidr.split("/");
    const start = address.split(".").reduce((n, p) => n * 256 + Number(p), 0);
    const size = 2 ** (32 - Number(bits));
    const first = start - (start % size);
    return [first, first + size] as const;
  };
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 < b1 && b0 < a1;
}

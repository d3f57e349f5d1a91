import { createEngine, createLabSession, createLease, getLabSession, getLease } from "@dockyard/db";
import { dockyardError, err, ok, type Result, type SessionState } from "@dockyard/protocol";
import type { SandboxDriver, SessionSpec, SessionSummary } from "@dockyard/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionManager } from "../src/session-manager.ts";
import { tempDb } from "./temp-db.ts";

// Placement's rules beside the Docker engines, with in-memory drivers: the real engines are engines.test.ts's. A
// driver beside the engines (the ssh pool) takes the sessions it serves under its own name, unlimited by the
// engines' capacity, and a restart keeps them.

/** Sessions in memory: enough of a driver for placement, leases and reconciling. */
class MemoryDriver {
  readonly sessions = new Map<string, SessionSpec>();
  constructor(private readonly image?: string) {}
  serves(spec: SessionSpec): boolean {
    return spec.hosts.some((h) => h.image === this.image);
  }
  async createSession(spec: SessionSpec): Promise<Result<SessionState>> {
    this.sessions.set(spec.sessionId, spec);
    return this.inspectSession(spec.sessionId);
  }
  async inspectSession(sessionId: string): Promise<Result<SessionState>> {
    const spec = this.sessions.get(sessionId);
    if (!spec) return err(dockyardError("NOT_FOUND", `No sandbox for session ${sessionId}.`));
    return ok({ sessionId, userId: spec.userId, hosts: spec.hosts.map((h) => ({ name: h.name, running: true })) });
  }
  async removeSession(sessionId: string) {
    const had = this.sessions.delete(sessionId);
    return ok({ containers: had ? 1 : 0, networks: had ? 1 : 0 });
  }
  async listSessions(): Promise<Result<SessionSummary[]>> {
    return ok(
      [...this.sessions.values()].map((s) => ({
        sessionId: s.sessionId,
        userId: s.userId,
        scenario: s.scenario,
        created: new Date().toISOString(),
        containers: 1,
        running: 1,
      })),
    );
  }
  async ping() {
    return ok({ version: "memory" });
  }
  async sessionStats() {
    return ok(new Map());
  }
  async diskUsage() {
    return ok(new Map<string, number>());
  }
  diskLimit() {
    return { bytes: 1, enforcedByEngine: true };
  }
}

const docker = new MemoryDriver();
const ssh = new MemoryDriver("ssh:vm");
/** What the gateway's RoutingDriver does: new sessions by spec, the rest by who holds them. */
const routing = new Proxy(docker, {
  get(target, key) {
    if (key === "createSession") return (spec: SessionSpec) => (ssh.serves(spec) ? ssh : docker).createSession(spec);
    if (key === "listSessions") {
      return async () => {
        const [a, b] = await Promise.all([docker.listSessions(), ssh.listSessions()]);
        return ok([...(a.ok ? a.value : []), ...(b.ok ? b.value : [])]);
      };
    }
    const value = Reflect.get(target, key);
    if (typeof value !== "function") return value;
    return (id?: string | { sessionId: string }, ...rest: unknown[]) => {
      const sessionId = typeof id === "string" ? id : id?.sessionId;
      const holder = sessionId && ssh.sessions.has(sessionId) ? ssh : docker;
      return (Reflect.get(holder, key) as (...a: unknown[]) => unknown).call(holder, id, ...rest);
    };
  },
}) as unknown as SandboxDriver;

const store = await tempDb();
/** This gateway's ssh machines, as main.ts names them: its own, stable across restarts. */
const SSH = "ssh:gw-a";
const manager = (beside = SSH, machines = ssh) =>
  new SessionManager({
    driver: routing,
    db: store.db,
    limits: { maxSessions: 10, maxPerUser: 5, maxStarting: 5 },
    lifetime: { ttlSeconds: 600, maxTtlSeconds: 600, idleSeconds: 600 },
    internet: true,
    allowDocker: false,
    attachedTerminals: () => 0,
    fleet: {
      names: () => ["e1"],
      on: (e) => (e === "e1" ? (docker as unknown as SandboxDriver) : undefined),
      pin: () => {},
      unpin: () => {},
    },
    beside: [{ name: beside, driver: machines as unknown as SandboxDriver & MemoryDriver }],
    log: () => undefined,
  });

const spec = (sessionId: string, image: string, userId = "ann"): SessionSpec => ({
  sessionId,
  userId,
  scenario: "placement",
  hosts: [{ name: "host01", image }],
});

async function start(m: SessionManager, s: SessionSpec) {
  const admitted = await m.admit(s);
  if (!admitted.ok) return admitted;
  const made = await m.create(admitted.value, () => undefined);
  return made.ok ? ok(admitted.value.engine) : made;
}

beforeAll(async () => {
  await createEngine(store.db, { name: "e1", endpoint: "unix:///memory.sock", capacity: 1, labels: [] });
});
afterAll(() => store.drop());

describe("placement beside the engines", () => {
  it("gives a session the ssh pool serves to it, whatever room the engines have", async () => {
    const m = manager();
    expect((await m.reconcile()).ok).toBe(true);
    expect(await start(m, spec("s-plain-001", "dockyard/sandbox:latest"))).toEqual(ok("e1"));
    // e1 is full (capacity 1): a plain session is refused, one for the ssh pool is not.
    const refused = await m.admit(spec("s-plain-002", "dockyard/sandbox:latest", "bob"));
    expect(refused.ok || refused.error.message).toMatch(/^No engine has room/);
    expect(await start(m, spec("s-vm-00001", "ssh:vm", "bob"))).toEqual(ok(SSH));
    expect(ssh.sessions.has("s-vm-00001")).toBe(true);
    const leases = await store.db.sandboxLease.findMany({ orderBy: { sessionId: "asc" } });
    expect(leases.map((l) => [l.sessionId, l.engine])).toEqual([
      ["s-plain-001", "e1"],
      ["s-vm-00001", SSH],
    ]);
  });

  it("keeps both after a restart, and removes what neither knows", async () => {
    await docker.createSession(spec("s-orphan01", "dockyard/sandbox:latest", "nobody"));
    const m = manager();
    const reconciled = await m.reconcile();
    expect(reconciled.ok && [reconciled.value.adopted.sort(), reconciled.value.removed]).toEqual([
      ["s-plain-001", "s-vm-00001"],
      ["s-orphan01"],
    ]);
    expect(docker.sessions.has("s-orphan01")).toBe(false);
  });

  it("leaves another gateway's ssh machines' leases alone, expired or not", async () => {
    // Gateway b's machines are not this one's: its sessions are not on this gateway's ssh driver.
    const terms = { ttlSeconds: 600, maxTtlSeconds: 600 };
    for (const id of ["s-vm-b-live", "s-vm-b-past"]) {
      await createLabSession(store.db, { id, userId: "carol", scenarioSlug: "placement" });
      await store.db.labSession.update({ where: { id }, data: { status: "running" } });
      await createLease(store.db, { sessionId: id, userId: "carol", engine: "ssh:gw-b" }, terms);
    }
    await store.db.sandboxLease.update({
      where: { sessionId: "s-vm-b-past" },
      data: { expiresAt: new Date(Date.now() - 60_000) },
    });
    const m = manager();
    const reconciled = await m.reconcile();
    expect(reconciled.ok && reconciled.value.closed).toEqual([]);
    const reaped = await m.reap();
    expect(reaped.expired).toEqual([]);
    for (const id of ["s-vm-b-live", "s-vm-b-past"]) {
      expect((await getLease(store.db, id))?.engine).toBe("ssh:gw-b");
      expect((await getLabSession(store.db, id))?.status).toBe("running");
    }
    // Gateway b itself (its machines hold neither any more) does close them: they are its own.
    const b = manager("ssh:gw-b", new MemoryDriver("ssh:vm"));
    const closed = await b.reconcile();
    expect(closed.ok && closed.value.closed.sort()).toEqual(["s-vm-b-live", "s-vm-b-past"]);
  });
});

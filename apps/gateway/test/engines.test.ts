import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createLabSession, getLabSession, getLease } from "@dockyard/db";
import { type AdminSessionList, type CreateSessionEvent, type EngineList, engineList } from "@dockyard/protocol";
import { DockerDriver, dockerClient, EngineFleet } from "@dockyard/sandbox";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ENGINE_LOST } from "../src/session-manager.ts";
import { containersOn, type ExtraEngine, networksOn, startExtraEngines } from "./extra-engines.ts";
import { closeTestGateway, tempDb, testGateway } from "./temp-db.ts";

// Several Docker engines: three real dockerd processes on this machine, sessions placed on them by room, one killed
// (drained: its sessions lost and their owners told, nothing else disturbed) and started again (reconciled: nothing
// orphaned). The gateway is the real one, through its control API.
const SECRET = "engines-test-secret-0123456789";
const IMAGE = "dockyard/sandbox:latest";
const INSTANCE = `engines-${randomBytes(3).toString("hex")}`;
const GATEWAY_ID = `gw-test-${randomBytes(4).toString("hex")}`;
const auth = { authorization: `Bearer ${SECRET}`, "content-type": "application/json" };
const sid = () => `s-${randomBytes(8).toString("hex")}`;

const extra = await startExtraEngines(3);
const [e1, e2, e3] = extra.engines as [ExtraEngine, ExtraEngine, ExtraEngine];
const store = await tempDb();
const fleet = new EngineFleet({
  driverFor: (docker, engine) =>
    new DockerDriver({ docker, instance: INSTANCE, gateway: GATEWAY_ID, subnets: engine.subnets ?? undefined }),
  locate: async (id) => (await getLease(store.db, id))?.engine,
});
const gateway = testGateway(store, {
  driver: fleet,
  secret: SECRET,
  limits: { maxSessions: 50, maxPerUser: 5, maxStarting: 10 },
  fleet: {
    fleet,
    gatewayId: GATEWAY_ID,
    health: { intervalMs: 250, downAfter: 2, pingTimeoutMs: 2000, sweepMs: 3_600_000 },
  },
});
const ended = vi.spyOn(gateway.terminals, "sessionEnded");
let base = "";

const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: auth });

async function engines(): Promise<EngineList> {
  const res = await api("/internal/engines");
  expect(res.status).toBe(200);
  return engineList.parse(await res.json());
}

const engineRow = async (name: string) => (await engines()).engines.find((e) => e.name === name);

/** Starts a one-host session for `userId` (with a running lab session, as the web app records it). */
async function start(userId: string) {
  const sessionId = sid();
  await createLabSession(store.db, { id: sessionId, userId, scenarioSlug: "engines" });
  await store.db.labSession.update({ where: { id: sessionId }, data: { status: "running" } });
  const res = await api("/internal/sessions", {
    method: "POST",
    body: JSON.stringify({ sessionId, userId, scenario: "engines", hosts: [{ name: "host01", image: IMAGE }] }),
  });
  if (res.status !== 200)
    return { sessionId, status: res.status, error: ((await res.json()) as { error: unknown }).error };
  const events = (await res.text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as CreateSessionEvent);
  return { sessionId, status: 200, last: events.at(-1), engine: (await getLease(store.db, sessionId))?.engine };
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ours = `label=dockyard.instance=${INSTANCE}`;

/** Every Dockyard container and network of this test on `engine`, by session. */
async function sessionsOn(engine: ExtraEngine): Promise<Set<string>> {
  const found = await engine.docker.listContainers({
    all: true,
    filters: { label: [`dockyard.instance=${INSTANCE}`] },
  });
  const networks = await engine.docker.listNetworks({ filters: { label: [`dockyard.instance=${INSTANCE}`] } });
  return new Set([...found, ...networks].map((x) => x.Labels?.["dockyard.session"] ?? ""));
}

afterAll(() => extra.stop(), 120_000);

describe("several Docker engines", () => {
  beforeAll(async () => {
    await new Promise<void>((resolve) => gateway.internal.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`;
    const reconciled = await gateway.manager.reconcile();
    expect(reconciled.ok).toBe(true);
    gateway.engines?.start();
  }, 120_000);

  afterAll(async () => {
    gateway.engines?.stop();
    await closeTestGateway(gateway, fleet, store);
  }, 120_000);

  it("registers an engine only once it answers, and under a name of its own", async () => {
    // Over TCP with TLS (the engine's CA, a client certificate and key): registered, and the key never sent back.
    const tcp = { name: "tls1", endpoint: e1.tcp.endpoint, capacity: 1, subnets: "10.244.0.0/16" };
    const wrongCa = await api("/internal/engines", {
      method: "POST",
      body: JSON.stringify({ ...tcp, tls: { ...e1.tcp.tls, ca: e2.tcp.tls.ca } }),
    });
    expect(wrongCa.status).toBe(503);
    expect(((await wrongCa.json()) as { error: { message: string } }).error.message).toMatch(/certificate/);
    const withTls = await api("/internal/engines", {
      method: "POST",
      body: JSON.stringify({ ...tcp, tls: e1.tcp.tls }),
    });
    expect(withTls.status).toBe(200);
    const raw = await (await api("/internal/engines")).text();
    expect(engineList.parse(JSON.parse(raw)).engines.find((e) => e.name === "tls1")).toMatchObject({
      state: "up",
      tls: true,
    });
    expect(raw).not.toMatch(/PRIVATE KEY/);
    // One daemon is one engine: e1's socket is the daemon tls1 is, so it waits until tls1 is removed.
    const sameAsTls1 = await api("/internal/engines", {
      method: "POST",
      body: JSON.stringify({ name: "e1", endpoint: e1.endpoint, capacity: 2, subnets: e1.subnets }),
    });
    expect(sameAsTls1.status).toBe(409);
    expect((await api("/internal/engines/tls1", { method: "DELETE" })).status).toBe(200);

    for (const [engine, capacity] of [
      [e1, 2],
      [e2, 2],
      [e3, 1],
    ] as const) {
      const res = await api("/internal/engines", {
        method: "POST",
        body: JSON.stringify({ name: engine.name, endpoint: engine.endpoint, capacity, subnets: engine.subnets }),
      });
      expect(res.status).toBe(200);
    }
    const dead = await api("/internal/engines", {
      method: "POST",
      body: JSON.stringify({ name: "nowhere", endpoint: "unix:///run/dockyard-no-such-engine.sock", capacity: 5 }),
    });
    expect(dead.status).toBe(503);
    expect(((await dead.json()) as { error: { message: string } }).error.message).toMatch(
      /^The engine at unix:\/\/\/run\/dockyard-no-such-engine\.sock does not answer, so it was not registered/,
    );
    const twice = await api("/internal/engines", {
      method: "POST",
      body: JSON.stringify({ name: "e1", endpoint: e2.endpoint, capacity: 1 }),
    });
    expect(twice.status).toBe(409);
    // Engines on one machine share its routes: their session networks need ranges of their own.
    const overlapping = await api("/internal/engines", {
      method: "POST",
      body: JSON.stringify({ name: "e4", endpoint: e3.endpoint, capacity: 1, subnets: "10.241.128.0/17" }),
    });
    expect(overlapping.status).toBe(400);
    expect(((await overlapping.json()) as { error: { message: string } }).error.message).toMatch(
      /overlaps engine e1's 10\.241\.0\.0\/16/,
    );
    // A TCP engine without TLS would hand root on its machine to whoever reaches the port.
    const bare = await api("/internal/engines", {
      method: "POST",
      body: JSON.stringify({ name: "remote", endpoint: "tcp://192.0.2.10:2376", capacity: 5 }),
    });
    expect(bare.status).toBe(400);
    // A daemon registered already is refused under a second name, by its socket or over TCP: each name would take the
    // other's sandboxes for nobody's.
    for (const again of [
      { name: "e1-again", endpoint: e1.endpoint, capacity: 1, subnets: "10.245.0.0/16" },
      { name: "e1-tcp", endpoint: e1.tcp.endpoint, capacity: 1, tls: e1.tcp.tls },
    ]) {
      const refused = await api("/internal/engines", { method: "POST", body: JSON.stringify(again) });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
        /is the Docker daemon registered as engine e1 already/,
      );
    }

    const listed = await engines();
    expect(listed.engines.map((e) => [e.name, e.state, e.capacity, e.sessions, e.tls])).toEqual([
      ["e1", "up", 2, 0, false],
      ["e2", "up", 2, 0, false],
      ["e3", "up", 1, 0, false],
    ]);
  });

  const placed: { sessionId: string; engine: string; user: string }[] = [];

  it("spreads sessions by free room (2/2/1), and refuses a sixth plainly", async () => {
    for (let i = 1; i <= 5; i++) {
      const made = await start(`user${i}`);
      expect(made.status).toBe(200);
      expect(made.last).toMatchObject({ type: "ready" });
      placed.push({ sessionId: made.sessionId, engine: made.engine ?? "", user: `user${i}` });
    }
    // The most room first (ties by name): e1, e2, e1, e2, e3.
    expect(placed.map((p) => p.engine)).toEqual(["e1", "e2", "e1", "e2", "e3"]);
    const counts = (await engines()).engines.map((e) => [e.name, e.sessions]);
    expect(counts).toEqual([
      ["e1", 2],
      ["e2", 2],
      ["e3", 1],
    ]);
    // What the database says is what each engine runs.
    for (const engine of [e1, e2, e3]) {
      const expected = placed.filter((p) => p.engine === engine.name).map((p) => p.sessionId);
      expect([...(await sessionsOn(engine))].sort()).toEqual(expected.sort());
    }
    const sixth = await start("user6");
    expect(sixth.status).toBe(429);
    expect(sixth.error).toMatchObject({ code: "LIMIT_REACHED" });
    expect(JSON.stringify(sixth.error)).toMatch(/No engine has room for another sandbox/);
    expect(await sessionsOn(e1)).not.toContain(sixth.sessionId);
  }, 120_000);

  it("drains an engine that stops answering: its sessions lost and their owners told, the rest undisturbed", async () => {
    // Room for one more on e1, so that a new session has somewhere to go once e2 is gone.
    const grown = await api("/internal/engines/e1", { method: "PATCH", body: JSON.stringify({ capacity: 3 }) });
    expect(grown.status).toBe(200);
    const lost = placed.filter((p) => p.engine === "e2");
    const kept = placed.filter((p) => p.engine !== "e2");
    expect(lost).toHaveLength(2);

    await e2.kill();
    const down = await until(async () => {
      const row = await engineRow("e2");
      return row?.state === "down" ? row : undefined;
    }, "e2 to be marked down");
    expect(down.lastError).toMatch(/does not answer|no answer/);

    for (const { sessionId } of lost) {
      // Told plainly: the terminals (through onRemoved) and the lab session the page reads.
      await until(async () => ended.mock.calls.some(([id]) => id === sessionId), `the owner of ${sessionId} told`);
      expect(ended).toHaveBeenCalledWith(sessionId, ENGINE_LOST);
      expect(await getLease(store.db, sessionId)).toBeNull();
      expect(await getLabSession(store.db, sessionId)).toMatchObject({ status: "stopped", error: ENGINE_LOST });
    }
    for (const { sessionId } of kept) {
      expect(await getLease(store.db, sessionId)).not.toBeNull();
      expect((await getLabSession(store.db, sessionId))?.status).toBe("running");
      expect(ended.mock.calls.some(([id]) => id === sessionId)).toBe(false);
    }
    expect((await engineRow("e2"))?.sessions).toBe(0);

    // The others keep working: a script runs in a session on e1, and one on e3.
    for (const { sessionId } of kept.filter((k) => k.engine !== "e1" || k === kept[0])) {
      const res = await api(`/internal/sessions/${sessionId}/scripts`, {
        method: "POST",
        body: JSON.stringify({ script: "echo alive-$(hostname | wc -c)" }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^alive-\d+\n$/) });
    }
    // The admin's list still answers, without the lost ones.
    const list = await api("/internal/sessions");
    expect(list.status).toBe(200);
    const rows = ((await list.json()) as AdminSessionList).sessions;
    expect(rows.map((r) => r.sessionId).sort()).toEqual(kept.map((k) => k.sessionId).sort());
    expect(new Set(rows.map((r) => r.engine))).toEqual(new Set(["e1", "e3"]));

    // A new session goes elsewhere (e2 is down, and empty, so it would have had the most room).
    const next = await start("user6");
    expect(next.status).toBe(200);
    expect(next.engine).toBe("e1");
    placed.push({ sessionId: next.sessionId, engine: "e1", user: "user6" });
    // And with every engine that answers full, the refusal says so.
    const full = await start("user7");
    expect(full.status).toBe(429);
  }, 120_000);

  it("reconciles an engine that comes back: the lost sessions' containers go, nothing is orphaned", async () => {
    const lost = placed.filter((p) => p.engine === "e2").map((p) => p.sessionId);
    // It comes back on the same data root: the lost sandboxes' containers are still there (stopped).
    await e2.start();
    await until(async () => (await engineRow("e2"))?.state === "up", "e2 to be marked up");
    await until(
      async () =>
        (await containersOn(e2, ours, "label=dockyard.session")).length === 0 &&
        (await networksOn(e2, ours, "label=dockyard.session")).length === 0,
      "e2's left-over containers and networks to be removed",
    );
    expect(await containersOn(e2, "label=dockyard.session")).toEqual([]);
    for (const id of lost) expect(await getLease(store.db, id)).toBeNull();

    // No orphan anywhere: every container and network of this test belongs to a session leased on its engine.
    for (const engine of [e1, e2, e3]) {
      for (const sessionId of await sessionsOn(engine)) {
        expect((await getLease(store.db, sessionId))?.engine).toBe(engine.name);
      }
    }
    // And it takes sessions again: e1 and e3 are full, so the next one lands on e2, and works.
    const back = await start("user7");
    expect(back.status).toBe(200);
    expect(back.engine).toBe("e2");
    const res = await api(`/internal/sessions/${back.sessionId}/scripts`, {
      method: "POST",
      body: JSON.stringify({ script: "echo back" }),
    });
    expect(await res.json()).toMatchObject({ exitCode: 0, stdout: "back\n" });
  }, 120_000);

  it("removes an engine only once it runs no users' sandboxes", async () => {
    const busy = await api("/internal/engines/e3", { method: "DELETE" });
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { error: { message: string } }).error.message).toMatch(/still runs 1 sandbox/);
    const disabled = await api("/internal/engines/e3", { method: "PATCH", body: JSON.stringify({ enabled: false }) });
    expect(disabled.status).toBe(200);
    const onE3 = placed.find((p) => p.engine === "e3")?.sessionId ?? "";
    expect((await api(`/internal/sessions/${onE3}`, { method: "DELETE" })).status).toBe(200);
    const removed = await api("/internal/engines/e3", { method: "DELETE" });
    expect(removed.status).toBe(200);
    expect((await engines()).engines.map((e) => e.name)).toEqual(["e1", "e2"]);
    expect(await containersOn(e3, ours)).toEqual([]);
  }, 60_000);
});

// Warm pools per engine, and two gateways on one database: either serves any session; neither removes the other's
// warm sandboxes; leftovers of a gateway that is gone are swept.
const INSTANCE2 = `pools-${randomBytes(3).toString("hex")}`;
const shared = await tempDb();

describe("warm pools per engine, with two gateways on one database", () => {
  const fleetOf = (gatewayId: string) =>
    new EngineFleet({
      driverFor: (docker, engine) =>
        new DockerDriver({ docker, instance: INSTANCE2, gateway: gatewayId, subnets: engine.subnets ?? undefined }),
      locate: async (id) => (await getLease(shared.db, id))?.engine,
    });
  const health = { intervalMs: 250, downAfter: 2, pingTimeoutMs: 2000, sweepMs: 3_600_000 };
  const idA = `gw-a-${randomBytes(3).toString("hex")}`;
  const idB = `gw-b-${randomBytes(3).toString("hex")}`;
  const fleetA = fleetOf(idA);
  const fleetB = fleetOf(idB);
  const a = testGateway(shared, {
    driver: fleetA,
    secret: SECRET,
    pool: { size: 1, warm: [[{ name: "host01", image: IMAGE }]] },
    fleet: { fleet: fleetA, gatewayId: idA, health },
  });
  const b = testGateway(shared, { driver: fleetB, secret: SECRET, fleet: { fleet: fleetB, gatewayId: idB, health } });
  const bases = { a: "", b: "" };
  const call = (which: "a" | "b", path: string, init: RequestInit = {}) =>
    fetch(`${bases[which]}${path}`, { ...init, headers: auth });
  const mine = `label=dockyard.instance=${INSTANCE2}`;
  const warmOn = (engine: ExtraEngine) => containersOn(engine, mine, "label=dockyard.user=dockyard-pool");

  beforeAll(async () => {
    for (const [g, which] of [
      [a, "a"],
      [b, "b"],
    ] as const) {
      await new Promise<void>((resolve) => g.internal.listen(0, "127.0.0.1", resolve));
      bases[which] = `http://127.0.0.1:${(g.internal.address() as AddressInfo).port}`;
    }
    expect((await a.manager.reconcile()).ok).toBe(true);
    a.engines?.start();
    await a.manager.warmPools();
  }, 120_000);

  afterAll(async () => {
    a.engines?.stop();
    b.engines?.stop();
    for (const g of [a, b]) {
      g.terminals.closeAll();
      g.server.close();
      g.internal.close();
    }
    await a.manager.drainPools();
    const listed = await fleetA.listSessions();
    if (listed.ok) await Promise.all(listed.value.map((s) => fleetA.removeSession(s.sessionId)));
    await shared.drop();
  }, 120_000);

  it("keeps one warm sandbox of the kind on each engine", async () => {
    for (const engine of [e1, e2, e3]) {
      const res = await call("a", "/internal/engines", {
        method: "POST",
        body: JSON.stringify({ name: engine.name, endpoint: engine.endpoint, capacity: 5, subnets: engine.subnets }),
      });
      expect(res.status).toBe(200);
    }
    await until(async () => a.manager.warmCount() === 3, "a warm sandbox on each engine");
    for (const engine of [e1, e2, e3]) expect(await warmOn(engine)).toHaveLength(1);
    const rows = ((await (await call("a", "/internal/engines")).json()) as EngineList).engines;
    expect(rows.map((r) => [r.name, r.warm])).toEqual([
      ["e1", 1],
      ["e2", 1],
      ["e3", 1],
    ]);
  }, 60_000);

  it("a second gateway starting up leaves the first one's warm sandboxes alone, and serves its sessions", async () => {
    // As the gateway's start does: the engines read from the database, then reconciled.
    await b.engines?.refresh();
    expect((await b.manager.reconcile()).ok).toBe(true);
    b.engines?.start();
    for (const engine of [e1, e2, e3]) expect(await warmOn(engine)).toHaveLength(1);
    expect(a.manager.warmCount()).toBe(3);

    const sessionId = sid();
    const res = await call("a", "/internal/sessions", {
      method: "POST",
      body: JSON.stringify({
        sessionId,
        userId: "alice",
        scenario: "pools",
        hosts: [{ name: "host01", image: IMAGE }],
      }),
    });
    const events = (await res.text()).trim().split("\n");
    expect(events.some((l) => l.includes("A warm sandbox is yours"))).toBe(true);
    const ready = JSON.parse(events.at(-1) ?? "{}") as { type: string; sessionId?: string };
    const handed = ready.sessionId ?? sessionId;
    expect((await getLease(shared.db, handed))?.engine).toBe("e1");
    // Gateway b never saw it made: it finds its engine through the lease.
    const script = await call("b", `/internal/sessions/${handed}/scripts`, {
      method: "POST",
      body: JSON.stringify({ script: "echo served-by-b" }),
    });
    expect(await script.json()).toMatchObject({ exitCode: 0, stdout: "served-by-b\n" });
    const listed = (await (await call("b", "/internal/sessions")).json()) as AdminSessionList;
    expect(listed.sessions.map((s) => [s.sessionId, s.userId, s.engine])).toEqual([[handed, "alice", "e1"]]);
    await until(async () => a.manager.warmCount() === 3, "the pool on e1 to fill again");
  }, 60_000);

  it("drops a lost engine's pool, and after it returns removes the old warm sandbox and makes a fresh one", async () => {
    const [before] = await warmOn(e3);
    await e3.kill();
    await until(async () => a.manager.warmCount() === 2, "e3's pool to be dropped");
    const pools = (await (await call("a", "/internal/pools")).json()) as { pools: { ready: number; target: number }[] };
    expect(pools.pools).toEqual([expect.objectContaining({ ready: 2, target: 2 })]);

    await e3.start();
    await until(async () => a.manager.warmCount() === 3, "e3's pool to be filled again");
    const after = await warmOn(e3);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    // Nothing stopped is left: the old warm sandbox (stopped when its engine restarted) was removed.
    expect(await containersOn(e3, mine, "status=exited")).toEqual([]);
    expect(await containersOn(e3, mine)).toHaveLength(1);
  }, 60_000);

  it("sweeps what a gone gateway left, but not what a live one keeps", async () => {
    const now = new Date();
    await shared.db.gatewayInstance.create({ data: { id: "gw-live", startedAt: now, lastSeenAt: now } });
    const old = new Date(Date.now() - 3600_000);
    await shared.db.gatewayInstance.create({ data: { id: "gw-gone", startedAt: old, lastSeenAt: old } });
    const made: Record<string, string> = {};
    for (const gatewayId of ["gw-live", "gw-gone"]) {
      const driver = new DockerDriver({
        docker: e2.docker,
        instance: INSTANCE2,
        gateway: gatewayId,
        subnets: e2.subnets,
      });
      for (const userId of ["dockyard-pool", "bob"]) {
        const sessionId = sid();
        const result = await driver.createSession(
          { sessionId, userId, scenario: "left", hosts: [{ name: "host01", image: IMAGE }] },
          () => undefined,
        );
        expect(result.ok).toBe(true);
        made[`${gatewayId}/${userId}`] = sessionId;
      }
    }
    const swept = await a.manager.sweepEngine("e2");
    expect(swept.ok && swept.value.removed).toEqual([made["gw-gone/bob"]]);
    const left = await sessionsWith(e2, INSTANCE2);
    // The live gateway's warm and starting sandboxes stay; the gone one's are removed (its warm one silently).
    expect(left.has(made["gw-live/dockyard-pool"] ?? "")).toBe(true);
    expect(left.has(made["gw-live/bob"] ?? "")).toBe(true);
    expect(left.has(made["gw-gone/dockyard-pool"] ?? "")).toBe(false);
    expect(left.has(made["gw-gone/bob"] ?? "")).toBe(false);
    // Once the live one stops beating too, its leftovers go as well.
    await shared.db.gatewayInstance.update({ where: { id: "gw-live" }, data: { lastSeenAt: old } });
    await a.manager.sweepEngine("e2");
    const after = await sessionsWith(e2, INSTANCE2);
    expect(after.has(made["gw-live/dockyard-pool"] ?? "")).toBe(false);
    expect(after.has(made["gw-live/bob"] ?? "")).toBe(false);
    // a's own warm sandbox on e2 is still there.
    expect(await warmOn(e2)).toHaveLength(1);
  }, 60_000);
});

async function sessionsWith(engine: ExtraEngine, instance: string): Promise<Set<string>> {
  const found = await engine.docker.listContainers({
    all: true,
    filters: { label: [`dockyard.instance=${instance}`] },
  });
  return new Set(found.map((c) => c.Labels["dockyard.session"] ?? ""));
}

// Gateways that see an engine differently: one whose `local` socket path is another daemon (a gateway on another
// machine), one that cannot reach an engine the other reaches. Neither takes the other's sandboxes from it.
const INSTANCE3 = `views-${randomBytes(3).toString("hex")}`;
const views = await tempDb();

describe("gateways that see an engine differently", () => {
  const health = { intervalMs: 250, downAfter: 2, pingTimeoutMs: 2000, sweepMs: 500 };
  const idA = `gw-a-${randomBytes(3).toString("hex")}`;
  const idB = `gw-b-${randomBytes(3).toString("hex")}`;
  const dead = dockerClient({ endpoint: "unix:///run/dockyard-no-such-engine.sock" });
  /** `reaches`: what this gateway's connection to an engine reaches (by default, its registered endpoint). */
  const fleetOf = (gatewayId: string, reaches: (name: string) => ReturnType<typeof dockerClient> | undefined) =>
    new EngineFleet({
      driverFor: (docker, engine) => {
        const here = reaches(engine.name);
        return new DockerDriver({
          docker: here?.ok ? here.value : docker,
          instance: INSTANCE3,
          gateway: gatewayId,
          subnets: engine.subnets ?? undefined,
        });
      },
      locate: async (id) => (await getLease(views.db, id))?.engine,
    });
  const fleetA = fleetOf(idA, () => undefined);
  // Gateway b: its `local` (unix:///…, as on every machine) is another daemon, e2; and it cannot reach e3 at all.
  const fleetB = fleetOf(idB, (name) =>
    name === "local" ? { ok: true, value: e2.docker } : name === "e3" ? dead : undefined,
  );
  const a = testGateway(views, { driver: fleetA, secret: SECRET, fleet: { fleet: fleetA, gatewayId: idA, health } });
  const b = testGateway(views, { driver: fleetB, secret: SECRET, fleet: { fleet: fleetB, gatewayId: idB, health } });
  const sessions: Record<string, string> = {};
  const view = `label=dockyard.instance=${INSTANCE3}`;
  const row = async (name: string) => (await views.db.engine.findUnique({ where: { name } })) ?? undefined;

  async function startOn(expected: string, userId: string): Promise<string> {
    const sessionId = sid();
    await createLabSession(views.db, { id: sessionId, userId, scenarioSlug: "views" });
    await views.db.labSession.update({ where: { id: sessionId }, data: { status: "running" } });
    const admitted = await a.manager.admit({
      sessionId,
      userId,
      scenario: "views",
      hosts: [{ name: "host01", image: IMAGE }],
    });
    if (!admitted.ok) throw new Error(admitted.error.message);
    expect(admitted.value.engine).toBe(expected);
    const made = await a.manager.create(admitted.value, () => undefined);
    expect(made.ok).toBe(true);
    return sessionId;
  }

  beforeAll(async () => {
    for (const [engine, name] of [
      [e1, "local"],
      [e3, "e3"],
    ] as const) {
      const registered = await a.engines?.register({
        name,
        endpoint: engine.endpoint,
        capacity: 1,
        labels: [],
        subnets: engine.subnets,
      });
      expect(registered?.ok).toBe(true);
    }
    await a.engines?.startHeartbeat();
    await a.engines?.identify();
    expect((await a.manager.reconcile()).ok).toBe(true);
    a.engines?.start();
    // Room 1 each, ties by name: e3 first.
    sessions.e3 = await startOn("e3", "bob");
    sessions.local = await startOn("local", "ann");
  }, 120_000);

  afterAll(async () => {
    a.engines?.stop();
    b.engines?.stop();
    for (const g of [a, b]) {
      g.terminals.closeAll();
      g.server.close();
      g.internal.close();
    }
    for (const engine of [e1, e2, e3]) {
      const driver = new DockerDriver({ docker: engine.docker, instance: INSTANCE3 });
      const listed = await driver.listSessions();
      if (listed.ok) await Promise.all(listed.value.map((s) => driver.removeSession(s.sessionId)));
    }
    await views.drop();
  }, 120_000);

  it("a gateway whose `local` is another daemon, or that cannot reach e3, leaves both engines' sessions alone", async () => {
    const daemonOfLocal = (await row("local"))?.daemonId;
    expect(daemonOfLocal).toEqual(expect.any(String));
    // As main.ts starts a gateway: heartbeat, daemons checked, reconciled, checked every round.
    await b.engines?.startHeartbeat();
    await b.engines?.identify();
    expect(fleetB.isReachable("local")).toBe(false);
    // Nothing it reaches answers as a registered engine (so it says it is not done, and main.ts tries again).
    const reconciled = await b.manager.reconcile();
    expect(reconciled.ok ? reconciled.value : reconciled.error.code).toBe("DOCKER_UNAVAILABLE");
    b.engines?.start();
    // Many rounds, sweeps among them, and longer than an engine may go unseen before it is marked down.
    await new Promise((r) => setTimeout(r, 5000));

    for (const [engine, sessionId] of [
      [e1, sessions.local ?? ""],
      [e3, sessions.e3 ?? ""],
    ] as const) {
      expect(await getLease(views.db, sessionId)).not.toBeNull();
      expect((await getLabSession(views.db, sessionId))?.status).toBe("running");
      expect(await containersOn(engine, view, `label=dockyard.session=${sessionId}`)).toHaveLength(1);
    }
    // Both stay up, `local` as the daemon it is; gateway b places nothing through either.
    expect(await row("local")).toMatchObject({ state: "up", daemonId: daemonOfLocal });
    expect((await row("e3"))?.state).toBe("up");
    expect(fleetB.isReachable("local")).toBe(false);
    expect(fleetB.isReachable("e3")).toBe(false);
    const refused = await b.manager.admit({
      sessionId: sid(),
      userId: "carol",
      scenario: "views",
      hosts: [{ name: "host01", image: IMAGE }],
    });
    expect(refused.ok).toBe(false);
    // And e2, which b reaches as `local`, got nothing of this installation's from it either.
    expect(await containersOn(e2, view)).toEqual([]);
  }, 60_000);

  it("once no gateway sees e3 answer, it is marked down and its sessions lost, as before", async () => {
    a.engines?.stop();
    await until(async () => (await row("e3"))?.state === "down", "e3 to be marked down by gateway b", 30_000);
    await until(async () => (await getLease(views.db, sessions.e3 ?? "")) === null, "e3's lease to end");
    expect((await getLabSession(views.db, sessions.e3 ?? ""))?.error).toBe(ENGINE_LOST);
    // `local` stays up: gateway b does not use it, so it says nothing about it.
    expect((await row("local"))?.state).toBe("up");
    expect(await getLease(views.db, sessions.local ?? "")).not.toBeNull();
  }, 60_000);
});

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createLabSession, getLabSession } from "@dockyard/db";
import {
  type AdminSessionList,
  type AdminSessionRow,
  adminSessionList,
  type CreateSessionEvent,
  parseTerminalServerMessage,
  type TerminalServerMessage,
} from "@dockyard/protocol";
import { DockerDriver } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { POOL_OWNER } from "../src/session-manager.ts";
import { closeTestGateway, tempDb, testGateway } from "./temp-db.ts";

// The admin's list of every sandbox with live figures, and stopping one with a reason, through the real gateway
// against the real Docker engine.
const SECRET = "admin-list-test-secret-0123456789";
const IMAGE = "dockyard/sandbox:latest";
const INSTANCE = `admin-${randomBytes(3).toString("hex")}`;
const MEMORY_LIMIT = 512 * 1024 * 1024;
const store = await tempDb();
const driver = new DockerDriver({ docker: new Docker(), instance: INSTANCE, limits: { memoryBytes: MEMORY_LIMIT } });
// The pool keeps sandboxes of another kind (workdir /tmp) warm, so the plain starts below do not take them.
const POOL_HOSTS = [{ name: "host01", image: IMAGE, workdir: "/tmp" }];
const gateway = testGateway(store, {
  driver,
  secret: SECRET,
  engine: INSTANCE,
  lifetime: { ttlSeconds: 600, maxTtlSeconds: 1800, idleSeconds: 600 },
  pool: { size: 1, warm: [POOL_HOSTS] },
});
const sid = () => `s-${randomBytes(8).toString("hex")}`;
const busy = sid();
/** Bob's sandbox: maybe one from the warm pool, which keeps its own id. */
let quiet = "";
let base = "";
let publicBase = "";

const auth = { authorization: `Bearer ${SECRET}` };

async function list(headers: Record<string, string> = auth): Promise<AdminSessionList> {
  const res = await fetch(`${base}/internal/sessions`, { headers });
  expect(res.status).toBe(200);
  // Parsed as the web app parses it.
  return adminSessionList.parse(await res.json());
}

const rowOf = (listed: AdminSessionList, sessionId: string): AdminSessionRow | undefined =>
  listed.sessions.find((s) => s.sessionId === sessionId);

function host01(listed: AdminSessionList, sessionId: string) {
  const host = rowOf(listed, sessionId)?.hosts.find((h) => h.name === "host01");
  if (!host) throw new Error(`no host01 of ${sessionId} in ${JSON.stringify(listed)}`);
  return host;
}

const remove = (sessionId: string, init: RequestInit = {}) =>
  fetch(`${base}/internal/sessions/${sessionId}`, { method: "DELETE", ...init, headers: { ...auth, ...init.headers } });

async function background(sessionId: string, name: string, script: string) {
  const res = await fetch(`${base}/internal/sessions/${sessionId}/background`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name, script }),
  });
  expect(res.status).toBe(200);
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts a one-host sandbox as the web app does; resolves with its id (a warm one keeps its own). */
async function start(sessionId: string, userId: string, hosts: object[] = [{ name: "host01", image: IMAGE }]) {
  const res = await fetch(`${base}/internal/sessions`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ sessionId, userId, scenario: "test", hosts }),
  });
  const events = (await res.text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as CreateSessionEvent);
  const ready = events.at(-1);
  if (ready?.type !== "ready") throw new Error(`no sandbox: ${JSON.stringify(events)}`);
  return ready.sessionId ?? sessionId;
}

const containersOf = (sessionId: string) =>
  execFileSync("docker", ["ps", "-q", "--filter", `label=dockyard.session=${sessionId}`], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);

beforeAll(async () => {
  await new Promise<void>((resolve) => gateway.internal.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`;
  publicBase = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  await gateway.manager.warmPools();
  expect(gateway.manager.warmCount()).toBe(1);
  // Alice's is made afresh (nothing of its kind is warm yet, though from now on it is kept warm); Bob's may come from
  // the pool. The web app records each lab session under the sandbox's id: Bob's says which scenario it is for.
  expect(await start(busy, "alice")).toBe(busy);
  quiet = await start(sid(), "bob");
  await createLabSession(store.db, { id: quiet, userId: "bob", scenarioSlug: "quiet-lab" });
  await store.db.labSession.update({ where: { id: quiet }, data: { status: "running" } });
}, 120_000);

afterAll(() => closeTestGateway(gateway, driver, store));

describe("GET /internal/sessions", () => {
  it("lists every user's sandbox with its owner, scenario and lease, and no warm-pool sandbox", async () => {
    const listed = await list();
    expect(Math.abs(Date.parse(listed.sampledAt) - Date.now())).toBeLessThan(10_000);
    const pooled = await driver.listSessions();
    const poolIds = pooled.ok ? pooled.value.filter((s) => s.userId === POOL_OWNER).map((s) => s.sessionId) : [];
    expect(poolIds.length).toBeGreaterThanOrEqual(1);
    expect(listed.sessions.map((s) => s.sessionId).sort()).toEqual([busy, quiet].sort());

    const alice = rowOf(listed, busy);
    expect(alice).toMatchObject({ userId: "alice", scenario: "test", engine: INSTANCE });
    // Alice's from its labels; Bob's from his lab session (a sandbox from the pool is labelled for the pool).
    expect(rowOf(listed, quiet)).toMatchObject({ userId: "bob", scenario: "quiet-lab", engine: INSTANCE });
    const expires = Date.parse(alice?.expiresAt ?? "");
    const max = Date.parse(alice?.maxExpiresAt ?? "");
    expect(expires - Date.now()).toBeGreaterThan(590_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(600_000);
    expect(max - expires).toBe(1_200_000);
    expect(Date.now() - Date.parse(alice?.createdAt ?? "")).toBeLessThan(120_000);
    expect(alice?.hosts.map((h) => h.name)).toEqual(["host01"]);
    // A rate needs two samples: this is the gateway's first.
    expect(listed.sessions.flatMap((s) => s.hosts.map((h) => h.cpuPercent))).toEqual([0, 0]);
  });

  it("gives live figures: a CPU burner's rate, memory in use against the sandbox's limit, processes", async () => {
    // Holds about 50 MB in a shell variable for a minute.
    await background(busy, "memory", "x=$(head -c 50000000 /dev/zero | tr '\\0' a); sleep 60; echo $x | wc -c");
    await until(async () => (host01(await list(), busy).memoryBytes > 45_000_000 ? true : undefined), "memory");

    await background(busy, "burner", "timeout 5 sh -c 'while :; do :; done'");
    await new Promise((r) => setTimeout(r, 300));
    await list();
    await new Promise((r) => setTimeout(r, 1000));
    const second = await list();

    const burning = host01(second, busy);
    const idle = host01(second, quiet);
    expect(burning.state).toBe("running");
    // Its limit is one CPU; averaged over the second between the two lists.
    expect(burning.cpuPercent).toBeGreaterThan(20);
    expect(burning.cpuPercent).toBeLessThan(130);
    expect(idle.cpuPercent).toBeLessThan(20);

    expect(burning.memoryBytes).toBeGreaterThan(45_000_000);
    expect(idle.memoryBytes).toBeGreaterThan(0);
    expect(idle.memoryBytes).toBeLessThan(burning.memoryBytes - 40_000_000);
    for (const h of [burning, idle]) {
      expect(h.memoryLimitBytes).toBe(MEMORY_LIMIT);
      expect(h.pids).toBeGreaterThanOrEqual(1);
      expect(h.netRxBytes).toBeGreaterThanOrEqual(0);
      expect(h.statsError).toBeUndefined();
    }
    expect(burning.pids).toBeGreaterThan(idle.pids);
  });

  it("answers by its deadline, listing hosts whose figures did not come in time without them", async () => {
    const hurried = new DockerDriver({ docker: new Docker(), instance: INSTANCE, statsDeadlineMs: 1 });
    const started = performance.now();
    const stats = await hurried.sessionStats();
    expect(performance.now() - started).toBeLessThan(1000);
    if (!stats.ok) throw new Error(stats.error.message);
    const alices = stats.value.get(busy)?.[0];
    expect(alices).toMatchObject({ host: "host01", state: "running", memoryBytes: 0 });
    expect(alices?.statsError).toMatch(/no figures within 1 ms/);
  });

  it("lists a sandbox handed over from the warm pool under its new owner and the lab session's scenario", async () => {
    // The kind warmed from the start: this one comes from the pool, with its own id.
    const asked = sid();
    const carol = await start(asked, "carol", POOL_HOSTS);
    expect(carol).not.toBe(asked);
    await createLabSession(store.db, { id: carol, userId: "carol", scenarioSlug: "warm-one" });

    const listed = await list();
    expect(rowOf(listed, carol)).toMatchObject({
      userId: "carol",
      scenario: "warm-one",
      expiresAt: expect.any(String),
    });
    // The pool makes fresh ones meanwhile: never listed.
    expect(listed.sessions.map((s) => s.sessionId).sort()).toEqual([busy, quiet, carol].sort());
    expect((await remove(carol)).status).toBe(200);
  });

  it("refuses a caller without the secret", async () => {
    expect((await fetch(`${base}/internal/sessions`)).status).toBe(401);
    expect((await fetch(`${base}/internal/sessions`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  });
});

describe("DELETE /internal/sessions/:id", () => {
  it("refuses a malformed body or no secret, and removes nothing", async () => {
    const bad = [
      { body: JSON.stringify({ reason: "x".repeat(5000) }) },
      { body: JSON.stringify({ reason: "x".repeat(201) }) },
      { body: JSON.stringify({ reason: "   " }) },
      { body: "stop it, please" },
    ];
    for (const init of bad) {
      const res = await remove(busy, { ...init, headers: { "content-type": "application/json" } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
    }
    const anonymous = await fetch(`${base}/internal/sessions/${busy}`, {
      method: "DELETE",
      body: JSON.stringify({ reason: "no secret" }),
    });
    expect(anonymous.status).toBe(401);
    expect(containersOf(busy)).toHaveLength(1);
    expect(rowOf(await list(), busy)).toBeDefined();
  });

  it("with a reason: the user's terminal is told exactly that, the lab session records it, the list drops it", async () => {
    const token = mintTerminalToken({ sub: "bob", sid: quiet, host: "host01", mode: "write" }, SECRET);
    const ws = new WebSocket(`${publicBase.replace("http", "ws")}/terminal?token=${encodeURIComponent(token)}`, {
      headers: { origin: publicBase },
    });
    const messages: TerminalServerMessage[] = [];
    let closeCode = 0;
    ws.on("message", (data, binary) => {
      if (binary) return;
      const parsed = parseTerminalServerMessage((data as Buffer).toString());
      if (parsed.ok) messages.push(parsed.message);
    });
    ws.on("close", (code) => {
      closeCode = code;
    });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    await until(async () => (messages.some((m) => m.type === "ready") ? true : undefined), "the terminal");

    const reason = "An admin stopped this sandbox: the room needs its machines back.";
    const res = await remove(quiet, {
      body: JSON.stringify({ reason }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ containers: 1, networks: 1 });

    await until(async () => (closeCode !== 0 ? true : undefined), "the close");
    expect(messages.filter((m) => m.type === "ended")).toEqual([{ type: "ended", reason }]);
    expect(closeCode).toBe(4404);
    const row = await getLabSession(store.db, quiet);
    expect(row?.status).toBe("stopped");
    expect(row?.error).toBe(reason);
    expect(containersOf(quiet)).toHaveLength(0);
    const listed = await list();
    expect(rowOf(listed, quiet)).toBeUndefined();
    expect(rowOf(listed, busy)).toBeDefined();
  });

  it("without a body, as before: removed, and the list drops it and its figures", async () => {
    const res = await remove(busy);
    expect(res.status).toBe(200);
    expect(containersOf(busy)).toHaveLength(0);
    expect((await list()).sessions).toEqual([]);
  });
});

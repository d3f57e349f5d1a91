import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createLabSession, getLabSession } from "@dockyard/db";
import type { CreateSessionEvent, SessionInfo } from "@dockyard/protocol";
import { DockerDriver } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { tempDb, testGateway } from "./temp-db.ts";

// Admission limits and lifetimes, through the real gateway against the real Docker engine.
const SECRET = "lifecycle-test-secret-0123456789";
const IMAGE = "dockyard/sandbox:latest";
const INSTANCE = `life-${randomBytes(3).toString("hex")}`;
const store = await tempDb();
const driver = new DockerDriver({ docker: new Docker(), instance: INSTANCE });
const gateway = testGateway(store, {
  driver,
  secret: SECRET,
  limits: { maxSessions: 40, maxPerUser: 2, maxStarting: 50 },
  lifetime: { ttlSeconds: 100, maxTtlSeconds: 250, idleSeconds: 60 },
});
let base = "";
let publicBase = "";
const sid = () => `s-${randomBytes(8).toString("hex")}`;

const containersOfThisRun = () =>
  execFileSync("docker", ["ps", "-aq", "--filter", `label=dockyard.instance=${INSTANCE}`], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);

async function create(sessionId: string, userId: string) {
  const res = await fetch(`${base}/internal/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ sessionId, userId, scenario: "life", hosts: [{ name: "host01", image: IMAGE }] }),
  });
  if (res.status !== 200) {
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as unknown };
  }
  const events = (await res.text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as CreateSessionEvent);
  return { status: 200, last: events.at(-1) };
}

/** A terminal held open on the session (so it is not idle), until closed. */
async function attach(sessionId: string, userId: string) {
  const token = mintTerminalToken({ sub: userId, sid: sessionId, host: "host01", mode: "write" }, SECRET);
  const ws = new WebSocket(`${publicBase}/terminal?token=${encodeURIComponent(token)}`, {
    headers: { origin: publicBase.replace("ws", "http") },
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return ws;
}

const api = async (path: string, method = "GET") => {
  const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${SECRET}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  await new Promise<void>((resolve) => gateway.internal.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`;
  publicBase = `ws://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  const listed = await driver.listSessions();
  if (listed.ok) await Promise.all(listed.value.map((s) => driver.removeSession(s.sessionId)));
  gateway.server.close();
  gateway.internal.close();
  await store.drop();
});

describe("admission", () => {
  it("50 starts at once against a limit of 40: 40 ready, 10 told to come back later, nothing half-made", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => create(sid(), `burst-${i}`)));
    const ready = results.filter((r) => r.status === 200 && r.last?.type === "ready");
    const refused = results.filter((r) => r.status === 429);
    expect(ready).toHaveLength(40);
    expect(refused).toHaveLength(10);
    for (const r of refused) {
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(JSON.stringify(r.body)).toMatch(/All 40 sandboxes are in use/);
    }
    expect(containersOfThisRun()).toHaveLength(40);
    const listed = await driver.listSessions();
    expect(listed.ok && listed.value.every((s) => s.containers === 1 && s.running === 1)).toBe(true);
    // Free them all again.
    if (listed.ok) for (const s of listed.value) await api(`/internal/sessions/${s.sessionId}`, "DELETE");
    expect(containersOfThisRun()).toHaveLength(0);
  }, 180_000);

  it("a user past their own limit is told why", async () => {
    expect((await create(sid(), "greedy")).status).toBe(200);
    expect((await create(sid(), "greedy")).status).toBe(200);
    const third = await create(sid(), "greedy");
    expect(third.status).toBe(429);
    expect(JSON.stringify(third.body)).toMatch(/You have 2 sandboxes running already/);
  });
});

describe("the docker environment", () => {
  it("is refused unless the admin allowed it", async () => {
    const before = containersOfThisRun().length;
    const res = await fetch(`${base}/internal/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({
        sessionId: sid(),
        userId: "docker-fan",
        scenario: "life",
        hosts: [{ name: "host01", image: "dockyard/sandbox-docker:latest", docker: true }],
      }),
    });
    expect(res.status).toBe(403);
    expect(JSON.stringify(await res.json())).toMatch(/SANDBOX_ALLOW_DOCKER=on/);
    expect(containersOfThisRun()).toHaveLength(before);
  });
});

describe("without isolation", () => {
  it("no sandbox starts when the firewall should be there but is not", async () => {
    const unsafe = testGateway(store, {
      driver,
      secret: SECRET,
      isolation: { ok: false, required: true, error: "iptables failed (not root)." },
    });
    const refused = await unsafe.manager.admit({
      sessionId: sid(),
      userId: "anyone",
      scenario: "life",
      hosts: [{ name: "host01", image: IMAGE }],
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toMatch(/No sandbox starts without isolation: iptables failed/);
  });
});

describe("lifetime", () => {
  it("a lease runs out, extends to its maximum and no further, and the reaper removes what expired", async () => {
    const id = sid();
    await createLabSession(store.db, { id, userId: "lease-user", scenarioSlug: "life" });
    await store.db.labSession.update({ where: { id }, data: { status: "running" } });
    expect((await create(id, "lease-user")).status).toBe(200);
    // In use all along (a terminal open): only its lease can end it.
    const ws = await attach(id, "lease-user");
    const info = (await api(`/internal/sessions/${id}`)).body as SessionInfo;
    const expires = Date.parse(info.lease?.expiresAt ?? "");
    const max = Date.parse(info.lease?.maxExpiresAt ?? "");
    expect(expires - Date.now()).toBeGreaterThan(90_000);
    expect(max - expires).toBeGreaterThan(140_000);

    const once = (await api(`/internal/sessions/${id}/extend`, "POST")).body as { expiresAt: string };
    expect(Date.parse(once.expiresAt) - expires).toBe(100_000);
    const twice = (await api(`/internal/sessions/${id}/extend`, "POST")).body as { expiresAt: string };
    expect(Date.parse(twice.expiresAt)).toBe(max);
    const thrice = (await api(`/internal/sessions/${id}/extend`, "POST")).body as { expiresAt: string };
    expect(Date.parse(thrice.expiresAt)).toBe(max);

    const early = await gateway.manager.reap(max - 1000);
    expect(early.expired).not.toContain(id);
    const late = await gateway.manager.reap(max + 1000);
    expect(late.expired).toContain(id);
    expect((await api(`/internal/sessions/${id}`)).status).toBe(404);
    const row = await getLabSession(store.db, id);
    expect(row?.status).toBe("stopped");
    expect(row?.error).toMatch(/end of its time/);
    ws.close();
  });

  it("an idle sandbox goes; one with a terminal open stays", async () => {
    const idle = sid();
    const watched = sid();
    expect((await create(idle, "idle-user")).status).toBe(200);
    expect((await create(watched, "watched-user")).status).toBe(200);
    const ws = await attach(watched, "watched-user");

    // The unattended one says when it will go; the watched one does not.
    const idleInfo = (await api(`/internal/sessions/${idle}`)).body as SessionInfo;
    expect(Date.parse(idleInfo.lease?.idleRemovalAt ?? "") - Date.now()).toBeGreaterThan(50_000);
    const watchedInfo = (await api(`/internal/sessions/${watched}`)).body as SessionInfo;
    expect(watchedInfo.lease?.idleRemovalAt).toBeUndefined();

    const soon = await gateway.manager.reap(Date.now() + 30_000);
    expect(soon.idle).toEqual([]);
    const later = await gateway.manager.reap(Date.now() + 61_000);
    expect(later.idle).toContain(idle);
    expect(later.idle).not.toContain(watched);
    expect((await api(`/internal/sessions/${idle}`)).status).toBe(404);
    expect((await api(`/internal/sessions/${watched}`)).status).toBe(200);
    ws.close();
  });
});

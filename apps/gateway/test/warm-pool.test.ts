import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { CreateSessionEvent, SessionInfo } from "@dockyard/protocol";
import { DockerDriver } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { POOL_OWNER } from "../src/session-manager.ts";
import { closeTestGateway, tempDb, testGateway } from "./temp-db.ts";

// The warm pool, through the real gateway against the real Docker engine.
const SECRET = "pool-test-secret-0123456789";
const IMAGE = "dockyard/sandbox:latest";
const store = await tempDb();
const driver = new DockerDriver({ docker: new Docker(), instance: `pool-${randomBytes(3).toString("hex")}` });
const gateway = testGateway(store, {
  driver,
  secret: SECRET,
  limits: { maxPerUser: 1 },
  pool: { size: 2, warm: [[{ name: "host01", image: IMAGE }]], reservedMax: 4 },
});
let base = "";
let publicBase = "";
const sid = () => `s-${randomBytes(8).toString("hex")}`;

async function start(userId: string) {
  const asked = sid();
  const res = await fetch(`${base}/internal/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ sessionId: asked, userId, scenario: "pool", hosts: [{ name: "host01", image: IMAGE }] }),
  });
  const events = (await res.text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as CreateSessionEvent);
  return { asked, events, status: res.status };
}

async function until(condition: () => boolean, what: string) {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

const terminalStatus = (sessionId: string, userId: string) =>
  new Promise<number>((resolve) => {
    const token = mintTerminalToken({ sub: userId, sid: sessionId, host: "host01", mode: "write" }, SECRET);
    const ws = new WebSocket(`${publicBase.replace("http", "ws")}/terminal?token=${encodeURIComponent(token)}`, {
      headers: { origin: publicBase },
    });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("open", () => {
      ws.close();
      resolve(101);
    });
    ws.on("error", () => undefined);
  });

beforeAll(async () => {
  await new Promise<void>((resolve) => gateway.internal.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`;
  publicBase = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  await gateway.manager.warmPools();
  expect(gateway.manager.warmCount()).toBe(2);
}, 60_000);

afterAll(() => closeTestGateway(gateway, driver, store));

describe("the warm pool", () => {
  it("hands a warm sandbox over under its own id, owned by the one who asked, and fills up again", async () => {
    const { asked, events } = await start("alice");
    const ready = events.at(-1);
    expect(ready).toMatchObject({ type: "ready", hosts: ["host01"] });
    const handed = ready?.type === "ready" ? (ready.sessionId ?? "") : "";
    expect(handed).toMatch(/^s-[0-9a-f]{16}$/);
    expect(handed).not.toBe(asked);
    expect(events.some((e) => e.type === "progress" && e.message === "A warm sandbox is yours")).toBe(true);

    const info = await fetch(`${base}/internal/sessions/${handed}`, { headers: { authorization: `Bearer ${SECRET}` } });
    const body = (await info.json()) as SessionInfo;
    expect(body.userId).toBe("alice");
    expect(body.lease).toBeDefined();
    expect(await terminalStatus(handed, "alice")).toBe(101);
    expect(await terminalStatus(handed, POOL_OWNER)).toBe(403);
    expect(await terminalStatus(handed, "mallory")).toBe(403);

    await until(() => gateway.manager.warmCount() === 2, "the pool to fill again");
  });

  it("counts a handed-over sandbox for its new owner, and waiting ones for nobody", async () => {
    // alice has one (limit 1); bob has none though two wait in the pool.
    expect((await start("alice")).status).toBe(429);
    expect((await start("bob")).status).toBe(200);
  });

  it("keeps more ready while an event reserves them, and lets the extra go when it no longer does", async () => {
    await until(() => gateway.manager.warmCount() === 2, "the pool to refill");
    const count = async () => {
      const listed = await driver.listSessions();
      return listed.ok ? listed.value.length : -1;
    };
    const before = await count();
    const pools = (method: string, body?: unknown) =>
      fetch(`${base}/internal/pools`, {
        method,
        headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const hosts = [{ name: "host01", image: IMAGE }];
    const reserved = await pools("PUT", { reservations: [{ name: "event:ABC123:intro", hosts, size: 3 }] });
    expect(reserved.status).toBe(200);
    const status = (await reserved.json()) as { pools: { target: number; reserved: number; reservations: string[] }[] };
    expect(status.pools).toEqual([
      expect.objectContaining({ target: 5, reserved: 3, reservations: ["event:ABC123:intro"] }),
    ]);
    await until(() => gateway.manager.warmCount() === 5, "the reservation to be made");
    expect(await count()).toBe(before + 3);
    // However much events ask, the gateway keeps at most its cap for them (4 in this test).
    const greedy = await pools("PUT", {
      reservations: [
        { name: "event:A:intro", hosts, size: 3 },
        { name: "event:B:intro", hosts, size: 50 },
      ],
    });
    expect(((await greedy.json()) as { pools: { reserved: number }[] }).pools[0]?.reserved).toBe(4);
    // The event is over: back to the default, the extra sandboxes removed.
    await pools("PUT", { reservations: [] });
    // One being made for the reservation as it ended goes as soon as it is made.
    await until(() => gateway.manager.warmCount() === 2, "the pool to shrink");
    for (let i = 0; i < 100 && (await count()) !== before; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await count()).toBe(before);
    // A malformed reservation is refused, and nothing changes.
    const bad = await pools("PUT", { reservations: [{ name: "x", hosts: [], size: -1 }] });
    expect(bad.status).toBe(400);
    expect(((await (await pools("GET")).json()) as { pools: { target: number }[] }).pools[0]?.target).toBe(2);
  }, 120_000);

  it("goes with the gateway: draining removes the waiting sandboxes only", async () => {
    await until(() => gateway.manager.warmCount() === 2, "the pool to fill again");
    const before = await driver.listSessions();
    await gateway.manager.drainPools();
    const after = await driver.listSessions();
    expect(before.ok && after.ok && before.value.length - after.value.length).toBe(2);
    // alice's and bob's stay (they came from the pool, so their labels still say so: the lease says whose they are).
    expect(after.ok && after.value.length).toBe(2);
  });
});

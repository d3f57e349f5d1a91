import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client.ts";
import {
  createEngine,
  deleteEngine,
  engineSeen,
  ensureFirstEngine,
  findEngineByDaemon,
  listEngines,
  markEngineDown,
  markEngineUp,
  recordEngineDaemon,
  updateEngine,
} from "./engines.ts";
import { forgetGateways, gatewayHeartbeat, liveGateways } from "./gateway-instances.ts";
import { createLease, leaseCounts, moveLeases, releaseLease } from "./leases.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

let store: TestDatabase;
let db: Db;
const terms = { ttlSeconds: 600, maxTtlSeconds: 600 };

beforeAll(async () => {
  store = await createTestDatabase();
  db = store.db;
});
afterAll(() => store.drop());

describe("engines", () => {
  it("registers this machine's engine only when none is registered, and names are unique", async () => {
    const local = { name: "local", endpoint: "unix:///var/run/docker.sock", capacity: 100, labels: ["docker"] };
    expect(await ensureFirstEngine(db, local)).toBe(true);
    expect(await ensureFirstEngine(db, { ...local, name: "other" })).toBe(false);
    expect(await createEngine(db, { ...local, endpoint: "unix:///elsewhere.sock" })).toBeUndefined();
    const second = await createEngine(db, {
      name: "b",
      endpoint: "tcp://10.0.0.2:2376",
      capacity: 5,
      labels: ["ssd", "docker", "ssd"],
      tls: { ca: "CA", cert: "CERT", key: "KEY" },
    });
    expect(second).toMatchObject({ labels: ["docker", "ssd"], state: "up", tlsKey: "KEY" });
    expect((await listEngines(db)).map((e) => e.name)).toEqual(["b", "local"]);
  });

  it("records each engine's daemon once, and refuses a daemon registered under another name", async () => {
    expect(await recordEngineDaemon(db, "local", "DAEMON-A")).toEqual({ outcome: "recorded" });
    expect(await recordEngineDaemon(db, "local", "DAEMON-A")).toEqual({ outcome: "recorded" });
    expect(await recordEngineDaemon(db, "b", "DAEMON-A")).toEqual({ outcome: "taken", by: "local" });
    expect(await recordEngineDaemon(db, "local", "DAEMON-B")).toEqual({ outcome: "differs" });
    expect((await findEngineByDaemon(db, "DAEMON-A"))?.name).toBe("local");
    expect(await findEngineByDaemon(db, "DAEMON-B")).toBeUndefined();
    expect((await listEngines(db)).map((e) => [e.name, e.daemonId])).toEqual([
      ["b", null],
      ["local", "DAEMON-A"],
    ]);
  });

  it("marks an engine down only when no gateway saw it answer lately", async () => {
    await engineSeen(db, "b");
    // Another gateway saw it a moment ago: one that cannot reach it does not take it down.
    expect(await markEngineDown(db, "b", "no answer", { unseenForMs: 60_000 })).toBe(false);
    expect((await listEngines(db)).find((e) => e.name === "b")?.state).toBe("up");
    await engineSeen(db, "b", new Date(Date.now() - 120_000));
    expect(await markEngineDown(db, "b", "no answer", { unseenForMs: 60_000 })).toBe(true);
    expect(await markEngineUp(db, "b")).toBe(true);
  });

  it("marks an engine down and up once however many gateways try (compare-and-set)", async () => {
    await engineSeen(db, "b", new Date(Date.now() - 120_000));
    const downs = await Promise.all([1, 2, 3].map(() => markEngineDown(db, "b", "no answer", { unseenForMs: 1000 })));
    expect(downs.filter(Boolean)).toHaveLength(1);
    expect((await listEngines(db)).find((e) => e.name === "b")).toMatchObject({
      state: "down",
      lastError: "no answer",
    });
    const ups = await Promise.all([1, 2, 3].map(() => markEngineUp(db, "b")));
    expect(ups.filter(Boolean)).toHaveLength(1);
    expect((await listEngines(db)).find((e) => e.name === "b")).toMatchObject({ state: "up", lastError: null });
  });

  it("ends a lost engine's lease once, moves old leases to the local engine, and refuses to remove a busy one", async () => {
    await createLease(db, { sessionId: "s-lost01", userId: "u", engine: "b" }, terms);
    await createLease(db, { sessionId: "s-old001", userId: "u", engine: "default" }, terms);
    expect(await leaseCounts(db)).toEqual(
      new Map([
        ["b", 1],
        ["default", 1],
      ]),
    );
    const released = await Promise.all([1, 2].map(() => releaseLease(db, "s-lost01", "b")));
    expect(released.filter(Boolean)).toHaveLength(1);
    expect(await moveLeases(db, "default", "local")).toBe(1);
    expect(await deleteEngine(db, "local")).toEqual({ outcome: "busy", sessions: 1 });
    expect(await updateEngine(db, "local", { enabled: false, capacity: 3 })).toMatchObject({
      enabled: false,
      capacity: 3,
    });
    expect(await deleteEngine(db, "b")).toEqual({ outcome: "removed" });
    expect(await deleteEngine(db, "b")).toEqual({ outcome: "missing" });
  });

  it("tells live gateways from gone ones by their heartbeat", async () => {
    await gatewayHeartbeat(db, "gw-1");
    await gatewayHeartbeat(db, "gw-2", new Date(Date.now() - 60_000));
    expect(await liveGateways(db, 30_000)).toEqual(new Set(["gw-1"]));
    await forgetGateways(db, { id: "gw-1", silentMs: 30_000 });
    expect(await liveGateways(db, Date.now())).toEqual(new Set());
  });
});

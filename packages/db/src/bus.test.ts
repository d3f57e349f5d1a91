import { createServer, type Socket, connect as tcpConnect } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { BUS_CHANNEL, type Bus, type BusLog, createBus } from "./bus.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./throwaway-postgres.ts";

const testEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ended"), sessionId: z.string(), reason: z.string() }),
  z.object({ type: z.literal("lease"), sessionId: z.string(), expiresAt: z.string() }),
]);
type TestEvent = z.infer<typeof testEvent>;

/** Every event a bus hears, with its sender. */
function record(bus: Bus<TestEvent>) {
  const heard: { event: TestEvent; from: string }[] = [];
  bus.subscribe((event, from) => heard.push({ event, from }));
  return heard;
}

async function until(predicate: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP relay to PostgreSQL whose open connections can be frozen: they stay open and carry nothing (half-open). */
async function relayTo(url: string) {
  const target = new URL(url);
  const pairs: [Socket, Socket][] = [];
  const server = createServer((inbound) => {
    const outbound = tcpConnect(Number(target.port || 5432), target.hostname);
    for (const socket of [inbound, outbound]) socket.on("error", () => undefined);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    pairs.push([inbound, outbound]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const relayed = new URL(url);
  relayed.hostname = "127.0.0.1";
  relayed.port = String((server.address() as { port: number }).port);
  return {
    url: relayed.toString(),
    freeze() {
      for (const [inbound, outbound] of pairs) {
        inbound.unpipe(outbound);
        outbound.unpipe(inbound);
        inbound.pause();
        outbound.pause();
      }
    },
    close() {
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      server.close();
    },
  };
}

describe("the bus on SQLite (one process)", () => {
  it("delivers to every bus of the same database in this process, tagged with the sender, and not to others", async () => {
    const a = createBus("file:/tmp/bus-a.db", { schema: testEvent, instance: "a" });
    const b = createBus("file:/tmp/bus-a.db", { schema: testEvent, instance: "b" });
    const other = createBus("file:/tmp/bus-other.db", { schema: testEvent, instance: "c" });
    const [heardA, heardB, heardOther] = [record(a), record(b), record(other)];
    expect(await a.publish({ type: "ended", sessionId: "s-1", reason: "stopped" })).toBe(true);
    await until(() => heardB.length === 1 && heardA.length === 1, "both buses to hear it");
    expect(heardB[0]).toEqual({ event: { type: "ended", sessionId: "s-1", reason: "stopped" }, from: "a" });
    expect(heardA[0]?.from).toBe("a");
    await new Promise((r) => setTimeout(r, 50));
    expect(heardOther).toEqual([]);
    await Promise.all([a.close(), b.close(), other.close()]);
  });
});

describe("the bus on PostgreSQL (LISTEN/NOTIFY)", () => {
  let server: ThrowawayPostgres | undefined;
  let database: TestDatabase;
  const buses: Bus<TestEvent>[] = [];
  const open = (instance: string) => {
    const bus = createBus(database.url, { schema: testEvent, instance, retry: { minMs: 50, maxMs: 500 } });
    buses.push(bus);
    return bus;
  };

  beforeAll(async () => {
    // PostgreSQL whatever the run: the one it gives, or one of our own.
    const given = process.env.DOCKYARD_TEST_POSTGRES_URL;
    if (!given) server = await startThrowawayPostgres();
    database = await createTestDatabase({ postgresUrl: given ?? server?.url ?? "", migrated: false });
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await database?.drop();
    server?.stop();
  });

  it("two buses on one database hear each other's events, in order, each tagged with its sender", async () => {
    const gateway1 = open("gateway-1");
    const gateway2 = open("gateway-2");
    await Promise.all([gateway1.ready(), gateway2.ready()]);
    const [heard1, heard2] = [record(gateway1), record(gateway2)];
    await gateway1.publish({ type: "lease", sessionId: "s-1", expiresAt: "2030-01-01T00:00:00.000Z" });
    await gateway1.publish({ type: "ended", sessionId: "s-1", reason: "The sandbox was stopped." });
    await gateway2.publish({ type: "ended", sessionId: "s-2", reason: "idle" });
    await until(() => heard1.length === 3 && heard2.length === 3, "three events on each bus");
    expect(heard2.map((h) => [h.from, h.event.type, h.event.sessionId])).toEqual([
      ["gateway-1", "lease", "s-1"],
      ["gateway-1", "ended", "s-1"],
      ["gateway-2", "ended", "s-2"],
    ]);
    expect(heard1.map((h) => h.from)).toEqual(["gateway-1", "gateway-1", "gateway-2"]);
  });

  it("ignores malformed messages and goes on delivering", async () => {
    const bus = open("strict");
    await bus.ready();
    const heard = record(bus);
    const raw = new pg.Client({ connectionString: database.url });
    await raw.connect();
    for (const payload of [
      "not json",
      JSON.stringify({ from: "x", event: { type: "ended", sessionId: 7 } }),
      JSON.stringify({ event: { type: "ended", sessionId: "s-3", reason: "no sender" } }),
      JSON.stringify({ from: "x", event: { type: "unknown" } }),
      JSON.stringify({ from: "x", event: { type: "ended", sessionId: "s-3", reason: "ok" } }),
    ]) {
      await raw.query("SELECT pg_notify($1, $2)", [BUS_CHANNEL, payload]);
    }
    await raw.end();
    await until(() => heard.length === 1, "the one well-formed event");
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([{ event: { type: "ended", sessionId: "s-3", reason: "ok" }, from: "x" }]);
  });

  it("refuses an event PostgreSQL would refuse (8000 bytes or more) without sending it", async () => {
    const bus = open("big");
    await bus.ready();
    expect(await bus.publish({ type: "ended", sessionId: "s-4", reason: "x".repeat(8000) })).toBe(false);
  });

  it("reconnects after its connection is killed, listens again, and hears later events", async () => {
    const victim = open("victim");
    const sender = open("sender");
    await Promise.all([victim.ready(), sender.ready()]);
    const heard = record(victim);
    let reconnects = 0;
    victim.onReconnect(() => reconnects++);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dockyard-bus victim'",
    );
    expect(killed.rowCount).toBe(1);
    await until(() => reconnects === 1, "the bus to listen again");
    const listening = await admin.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'dockyard-bus victim'",
    );
    expect(listening.rows[0].n).toBe(1);
    await admin.end();

    await sender.publish({ type: "ended", sessionId: "s-5", reason: "after the drop" });
    await until(() => heard.length === 1, "the event sent after the reconnect");
    expect(heard[0]).toEqual({ event: { type: "ended", sessionId: "s-5", reason: "after the drop" }, from: "sender" });
    // Its own publishing was never interrupted either.
    expect(await victim.publish({ type: "ended", sessionId: "s-6", reason: "mine" })).toBe(true);
    await until(() => heard.length === 2, "its own event");
  });

  it("a closed bus hears nothing and leaves no connection behind", async () => {
    const bus = open("closing");
    await bus.ready();
    const heard = record(bus);
    await bus.close();
    const other = open("still-open");
    await other.ready();
    await other.publish({ type: "ended", sessionId: "s-7", reason: "after close" });
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual([]);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const left = await admin.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'dockyard-bus% closing'",
    );
    await admin.end();
    expect(left.rows[0].n).toBe(0);
  });

  it("a publishing connection gone silent fails publishes after the timeout, drops those past the bound, then recovers", async () => {
    const relay = await relayTo(database.url);
    const logged: string[] = [];
    const log: BusLog = (_level, msg) => logged.push(msg);
    const bus = createBus(relay.url, {
      schema: testEvent,
      instance: "silent",
      log,
      publishing: { timeoutMs: 500, maxQueued: 3 },
    });
    try {
      await bus.ready();
      const event: TestEvent = { type: "ended", sessionId: "s-8", reason: "r" };
      expect(await bus.publish(event)).toBe(true);
      relay.freeze();
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => bus.publish(event).then((sent) => ({ i, sent, ms: Date.now() - started }))),
      );
      // The first waits out its timeout on the silent connection; the two queued behind it go on a new one.
      expect(results.map((r) => r.sent)).toEqual([false, true, true, false, false]);
      expect(results[0]?.ms).toBeGreaterThanOrEqual(450);
      expect(Math.max(results[3]?.ms ?? Infinity, results[4]?.ms ?? Infinity)).toBeLessThan(200);
      expect(logged).toContain("the bus is not publishing fast enough: events are dropped");
      expect(await bus.publish(event)).toBe(true);
      expect(logged).toContain("the bus publishes again");
    } finally {
      relay.close();
      await bus.close();
    }
  });
});

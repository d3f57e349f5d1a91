import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { type Bus, createBus } from "@dockyard/db/bus";
import { createTestDatabase, type TestDatabase } from "@dockyard/db/test-database";
import { startThrowawayPostgres, type ThrowawayPostgres } from "@dockyard/db/throwaway-postgres";
import {
  type InstanceEvent,
  instanceEvent,
  parseTerminalServerMessage,
  type TerminalServerMessage,
} from "@dockyard/protocol";
import { DockerDriver } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startSession, testGateway } from "./temp-db.ts";

// Two gateways on one database and one Docker engine, told about each other's sessions over PostgreSQL's
// LISTEN/NOTIFY: a session started through one is served through the other, terminals included.
const SECRET = "multi-instance-secret-0123456789";
const docker = new Docker();
const instance = `mi-${randomBytes(3).toString("hex")}`;
const drivers = [new DockerDriver({ docker, instance }), new DockerDriver({ docker, instance })];
const sessionId = `s-${randomBytes(8).toString("hex")}`;

let postgres: ThrowawayPostgres | undefined;
let store: TestDatabase | undefined;
let gateways: ReturnType<typeof testGateway>[] = [];
let buses: Bus<InstanceEvent>[] = [];
const publicBase: string[] = [];
const internalBase: string[] = [];

async function until(predicate: () => boolean, what: string | (() => string), ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const control = (gateway: number, path: string, init: RequestInit = {}) =>
  fetch(`${internalBase[gateway]}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
  });

/** A terminal through gateway `gateway` (0 or 1) that collects output, control messages and how it closed. */
function terminal(gateway: number, claims: { sub: string; as?: "instructor"; who?: string }, token?: string) {
  const minted = token ?? mintTerminalToken({ sid: sessionId, host: "host01", mode: "write", ...claims }, SECRET);
  const ws = new WebSocket(
    `${publicBase[gateway]?.replace("http", "ws")}/terminal?token=${minted}&name=t1-1&client=c-${randomBytes(6).toString("hex")}`,
    { headers: { origin: publicBase[gateway] ?? "" } },
  );
  let output = "";
  let seq = 0;
  let closed: number | undefined;
  let refused: number | undefined;
  const messages: TerminalServerMessage[] = [];
  ws.on("message", (data, binary) => {
    if (binary) output += data.toString();
    else {
      const parsed = parseTerminalServerMessage(data.toString());
      if (parsed.ok) messages.push(parsed.message);
    }
  });
  ws.on("close", (code) => {
    closed = code;
  });
  ws.on("unexpected-response", (_req, res) => {
    refused = res.statusCode;
  });
  ws.on("error", () => undefined);
  return {
    ws,
    messages,
    output: () => output,
    closed: () => closed,
    refused: () => refused,
    type: (text: string) => ws.send(JSON.stringify({ type: "input", seq: ++seq, data: text })),
    ready: () => until(() => messages.some((m) => m.type === "ready"), "ready"),
    lastViewers: () => messages.filter((m) => m.type === "viewers").at(-1),
  };
}

beforeAll(async () => {
  // Several gateways need PostgreSQL (the bus is LISTEN/NOTIFY): the one the run gives, or one of our own.
  const given = process.env.DOCKYARD_TEST_POSTGRES_URL;
  if (!given) postgres = await startThrowawayPostgres();
  const database = await createTestDatabase({ postgresUrl: given ?? postgres?.url ?? "" });
  store = database;
  buses = [0, 1].map((i) => createBus(database.url, { schema: instanceEvent, instance: `gateway-${i + 1}` }));
  await Promise.all(buses.map((b) => b.ready()));
  gateways = buses.map((bus, i) => testGateway(database, { driver: drivers[i] as DockerDriver, secret: SECRET, bus }));
  for (const gateway of gateways) {
    await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => gateway.internal.listen(0, "127.0.0.1", resolve));
    publicBase.push(`http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`);
    internalBase.push(`http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`);
  }
});

afterAll(async () => {
  for (const gateway of gateways) {
    gateway.sync.close();
    gateway.terminals.closeAll();
    gateway.server.close();
    gateway.internal.close();
  }
  await drivers[0]?.removeSession(sessionId);
  await Promise.all(buses.map((b) => b.close()));
  await store?.drop();
  postgres?.stop();
});

describe("two gateways on one database", () => {
  it("a session started through gateway 1 is used through gateway 2; its events reach terminals on either", async () => {
    const started = await startSession(internalBase[0] ?? "", SECRET, sessionId, "attendee");
    expect(started).toContain('"type":"ready"');

    // The owner's terminal through gateway 2, which did not create the sandbox.
    const owner = terminal(1, { sub: "attendee" });
    await owner.ready();
    owner.type("echo through-$((1+1))\r");
    await until(
      () => owner.output().includes("through-2"),
      () => `output on gateway 2: ${owner.output()}`,
    );

    // Gateway 1 knows a terminal is attached elsewhere: the session is not counted as idle there.
    const info = (await (await control(0, `/internal/sessions/${sessionId}`)).json()) as {
      lease: { expiresAt: string; idleRemovalAt?: string };
    };
    expect(info.lease.expiresAt).toBeTruthy();
    expect(info.lease.idleRemovalAt).toBeUndefined();

    // A watcher through gateway 1 on the owner's terminal: each side sees the other in its viewer list.
    const watcher = terminal(0, { sub: "teacher", as: "instructor", who: "Ada" });
    await watcher.ready();
    await until(
      () => JSON.stringify(owner.lastViewers()).includes("Ada"),
      () => `Ada among the owner's viewers: ${JSON.stringify(owner.lastViewers())}`,
    );
    await until(
      () => JSON.stringify(watcher.lastViewers()).includes('"role":"owner"'),
      () => `the owner among the watcher's viewers: ${JSON.stringify(watcher.lastViewers())}`,
    );
    // Refused at gateway 1 until the owner (on gateway 2) allows it; then allowed there.
    watcher.type("echo sneaky-$((2+2))\r");
    await until(() => watcher.messages.some((m) => m.type === "error"), "the watcher's input refused");
    owner.ws.send(JSON.stringify({ type: "share", allowControl: true }));
    await until(
      () => watcher.messages.some((m) => m.type === "mode" && m.mode === "write"),
      "the watcher told it may type",
    );
    watcher.type("echo helped-$((3*3))\r");
    await until(
      () => owner.output().includes("helped-9"),
      () => `helped-9 on the owner's screen: ${owner.output()}`,
    );
    expect(owner.output()).not.toContain("sneaky-4");

    // The watcher leaves gateway 1: control ends, and the owner's list (on gateway 2) empties of watchers.
    watcher.ws.close();
    await until(
      () => !JSON.stringify(owner.lastViewers()).includes("Ada"),
      () => `Ada gone from the owner's viewers: ${JSON.stringify(owner.lastViewers())}`,
    );
    expect(owner.lastViewers()).toMatchObject({ allowControl: false });

    // Extended through gateway 1: the terminal on gateway 2 shows the new end.
    const leasesBefore = owner.messages.filter((m) => m.type === "lease").length;
    const extended = (await (
      await control(0, `/internal/sessions/${sessionId}/extend`, { method: "POST" })
    ).json()) as {
      expiresAt: string;
    };
    await until(
      () => owner.messages.filter((m) => m.type === "lease").length > leasesBefore,
      "the new lease on gateway 2",
    );
    expect(owner.messages.filter((m) => m.type === "lease").at(-1)).toEqual({
      type: "lease",
      expiresAt: extended.expiresAt,
    });

    // A token spent at gateway 2 opens nothing at gateway 1.
    const token = mintTerminalToken({ sid: sessionId, host: "host01", mode: "write", sub: "attendee" }, SECRET);
    const first = terminal(1, { sub: "attendee" }, token);
    await first.ready();
    await new Promise((r) => setTimeout(r, 200));
    const replay = terminal(0, { sub: "attendee" }, token);
    await until(() => replay.refused() !== undefined, "the replay refused");
    expect(replay.refused()).toBe(401);
    first.ws.close();

    // Stopped through gateway 1, with a reason: the terminal on gateway 2 hears it and closes with 4404.
    const removed = await control(0, `/internal/sessions/${sessionId}`, {
      method: "DELETE",
      body: JSON.stringify({ reason: "An admin stopped this sandbox." }),
    });
    expect(removed.status).toBe(200);
    await until(() => owner.closed() !== undefined, "the terminal on gateway 2 to close");
    expect(owner.messages.find((m) => m.type === "ended")).toEqual({
      type: "ended",
      reason: "An admin stopped this sandbox.",
    });
    expect(owner.closed()).toBe(4404);
  });
});

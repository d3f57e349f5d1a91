import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { createLabSession, createLease, getLabSession, getLease } from "@dockyard/db";
import { DockerDriver } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { tempDb } from "./temp-db.ts";

// `kill -9` of the real gateway process with live sessions, then a restart: nothing lost, nothing orphaned.
const SECRET = "restart-test-secret-0123456789";
const IMAGE = "dockyard/sandbox:latest";
const INSTANCE = `restart-${randomBytes(3).toString("hex")}`;
const store = await tempDb();
const driver = new DockerDriver({ docker: new Docker(), instance: INSTANCE });
const sid = () => `s-${randomBytes(8).toString("hex")}`;
let child: ChildProcess | undefined;

const freePort = () =>
  new Promise<number>((done) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });

async function startGateway(publicPort: number, internalPort: number) {
  const started = spawn("node", ["--import", "tsx", "src/main.ts"], {
    cwd: resolve(import.meta.dirname, ".."),
    env: {
      ...process.env,
      GATEWAY_PORT: String(publicPort),
      GATEWAY_HOST: "127.0.0.1",
      GATEWAY_INTERNAL_PORT: String(internalPort),
      DOCKYARD_SECRET: SECRET,
      DOCKYARD_INSTANCE: INSTANCE,
      DATABASE_URL: store.url,
      WEB_PUBLIC_URL: "http://localhost:3000",
      // No warm pool: a killed gateway could leave one being made behind this test's back.
      SANDBOX_POOL_SIZE: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  started.stdout?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  started.stderr?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  for (let i = 0; i < 100; i++) {
    if (log.includes("reconciled:")) return { process: started, log: () => log };
    if (started.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the gateway did not start: ${log}`);
}

afterAll(async () => {
  child?.kill("SIGKILL");
  const listed = await driver.listSessions();
  if (listed.ok) await Promise.all(listed.value.map((s) => driver.removeSession(s.sessionId)));
  await store.drop();
});

describe("a gateway killed with live sessions", () => {
  it("adopts them all after a restart, removes what it does not know, closes what is gone", async () => {
    const [publicPort, internalPort] = [await freePort(), await freePort()];
    const base = `http://127.0.0.1:${internalPort}`;
    const auth = { authorization: `Bearer ${SECRET}`, "content-type": "application/json" };
    const first = await startGateway(publicPort, internalPort);
    child = first.process;

    const sessions = [
      { id: sid(), user: "alice" },
      { id: sid(), user: "bob" },
    ];
    for (const s of sessions) {
      await createLabSession(store.db, { id: s.id, userId: s.user, scenarioSlug: "restart" });
      await store.db.labSession.update({ where: { id: s.id }, data: { status: "running" } });
      const res = await fetch(`${base}/internal/sessions`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          sessionId: s.id,
          userId: s.user,
          scenario: "restart",
          hosts: [{ name: "host01", image: IMAGE }],
        }),
      });
      expect(await res.text()).toMatch(/"type":"ready"/);
    }
    const marked = await fetch(`${base}/internal/sessions/${sessions[0]?.id}/scripts`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ script: "echo still-here > /root/mark" }),
    });
    expect(marked.status).toBe(200);

    // Left behind by something else: containers with no lease, and a lease (and lab session) with no containers.
    const orphan = sid();
    const made = await driver.createSession(
      { sessionId: orphan, userId: "nobody", scenario: "restart", hosts: [{ name: "host01", image: IMAGE }] },
      () => undefined,
    );
    expect(made.ok).toBe(true);
    const ghost = sid();
    await createLabSession(store.db, { id: ghost, userId: "carol", scenarioSlug: "restart" });
    await store.db.labSession.update({ where: { id: ghost }, data: { status: "running" } });
    await createLease(
      store.db,
      { sessionId: ghost, userId: "carol", engine: INSTANCE },
      { ttlSeconds: 600, maxTtlSeconds: 600 },
    );

    child.kill("SIGKILL");
    await new Promise((r) => child?.once("exit", r));
    const second = await startGateway(publicPort, internalPort);
    child = second.process;
    expect(second.log()).toMatch(/reconciled: 2 adopted, 1 removed, 1 closed/);

    for (const s of sessions) {
      const info = await fetch(`${base}/internal/sessions/${s.id}`, { headers: auth });
      expect(info.status).toBe(200);
      expect(((await info.json()) as { lease?: unknown }).lease).toBeDefined();
      expect((await getLabSession(store.db, s.id))?.status).toBe("running");
    }
    // The first session's shell works, with what was in it before.
    const token = mintTerminalToken(
      { sub: "alice", sid: sessions[0]?.id ?? "", host: "host01", mode: "write" },
      SECRET,
    );
    const ws = new WebSocket(`ws://127.0.0.1:${publicPort}/terminal?token=${encodeURIComponent(token)}`, {
      headers: { origin: `http://127.0.0.1:${publicPort}` },
    });
    let output = "";
    ws.on("message", (data, binary) => {
      if (binary) output += data.toString();
    });
    await new Promise((r, j) => {
      ws.once("open", r);
      ws.once("error", j);
    });
    ws.send(Buffer.from("cat /root/mark\r"), { binary: true });
    for (let i = 0; i < 100 && !/still-here\r?\n/.test(output); i++) await new Promise((r) => setTimeout(r, 50));
    expect(output).toMatch(/still-here\r?\n/);
    ws.close();

    const orphanState = await driver.inspectSession(orphan);
    expect(orphanState.ok).toBe(false);
    expect(await getLease(store.db, ghost)).toBeNull();
    expect((await getLabSession(store.db, ghost))?.status).toBe("stopped");
  }, 120_000);
});

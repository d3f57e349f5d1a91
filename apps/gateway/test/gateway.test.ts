import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { type CreateSessionEvent, parseTerminalServerMessage, type TerminalServerMessage } from "@dockyard/protocol";
import { DockerDriver, LABEL } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { tempDb, testGateway } from "./temp-db.ts";

// Integration tests: the real gateway against the real Docker engine and the real sandbox image.
const SECRET = "integration-test-secret-0123456789";
const IMAGE = "dockyard/sandbox:latest";
const docker = new Docker();
const store = await tempDb();
const driver = new DockerDriver({ docker });
const { server, internal } = testGateway(store, {
  driver,
  secret: SECRET,
});
/** The control API (web app only). */
let base = "";
/** What browsers reach: /healthz and terminals. */
let publicBase = "";
const run = Date.now().toString(36);
const sessionA = `it-${run}-a`;
const sessionB = `it-${run}-b`;

async function createSession(sessionId: string, userId: string) {
  const res = await fetch(`${base}/internal/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ sessionId, userId, scenario: "it-scenario", hosts: [{ name: "host01", image: IMAGE }] }),
  });
  const text = await res.text();
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as CreateSessionEvent);
}

async function runScript(sessionId: string, script: string, timeoutMs?: number) {
  const res = await fetch(`${base}/internal/sessions/${sessionId}/scripts`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ script, timeoutMs }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A terminal client that collects output and control messages. */
function openTerminal(token: string, origin = publicBase) {
  const ws = new WebSocket(
    `${publicBase.replace("http", "ws")}/terminal?token=${encodeURIComponent(token)}&cols=80&rows=24`,
    {
      headers: { origin },
    },
  );
  let output = "";
  const messages: TerminalServerMessage[] = [];
  ws.on("message", (data, isBinary) => {
    if (isBinary) output += data.toString();
    else {
      const parsed = parseTerminalServerMessage(data.toString());
      if (parsed.ok) messages.push(parsed.message);
    }
  });
  const waitFor = async (predicate: () => boolean, what: string, ms = 10_000) => {
    const until = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > until)
        throw new Error(`timed out waiting for ${what}; output so far: ${JSON.stringify(output)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    ws,
    messages,
    output: () => output,
    waitFor,
    waitForOutput: (needle: string | RegExp) =>
      waitFor(() => (typeof needle === "string" ? output.includes(needle) : needle.test(output)), String(needle)),
    type: (text: string) => ws.send(Buffer.from(text), { binary: true }),
  };
}

function upgradeStatus(url: string, origin: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { origin } });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("open", () => {
      ws.close();
      resolve(101);
    });
    ws.on("error", () => undefined);
  });
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", resolve));
  publicBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await store.drop();
  await driver.removeSession(sessionA);
  await driver.removeSession(sessionB);
  server.close();
  internal.close();
});

describe("gateway against the real Docker engine", () => {
  it("answers /healthz with the Docker version, and keeps the control API off the public listener", async () => {
    for (const url of [publicBase, base]) {
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, docker: { ok: true } });
    }
    const res = await fetch(`${publicBase}/internal/sessions/${sessionA}`, {
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(res.status).toBe(404);
  });

  it("refuses the internal API without the shared secret, and bad bodies", async () => {
    const noAuth = await fetch(`${base}/internal/sessions/${sessionA}`);
    expect(noAuth.status).toBe(401);
    const bad = await fetch(`${base}/internal/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}` },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    const wrongShape = await fetch(`${base}/internal/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ sessionId: "../../etc", userId: "u", scenario: "x", hosts: [] }),
    });
    expect(wrongShape.status).toBe(400);
    expect(JSON.stringify(await wrongShape.json())).toMatch(/sessionId/);
  });

  it("creates a labelled, locked-down sandbox and reports progress", async () => {
    const events = await createSession(sessionA, "user-a");
    expect(events.map((e) => (e.type === "progress" ? e.phase : e.type))).toEqual([
      "network",
      "container",
      "starting",
      "ready",
      "ready",
    ]);
    const [info] = await docker.listContainers({ filters: { label: [`${LABEL.session}=${sessionA}`] } });
    expect(info?.Labels).toMatchObject({
      [LABEL.session]: sessionA,
      [LABEL.user]: "user-a",
      [LABEL.scenario]: "it-scenario",
      [LABEL.host]: "host01",
      [LABEL.instance]: "default",
    });
    expect(Date.parse(info?.Labels[LABEL.created] ?? "")).toBeGreaterThan(0);
    const inspect = await docker.getContainer(info?.Id ?? "").inspect();
    expect(inspect.HostConfig.Privileged).toBe(false);
    expect(inspect.HostConfig.CapDrop).toContain("ALL");
    expect(inspect.HostConfig.SecurityOpt).toContain("no-new-privileges");
    expect(inspect.HostConfig.PidsLimit).toBeGreaterThan(0);
    expect(inspect.HostConfig.Memory).toBeGreaterThan(0);
    expect(inspect.HostConfig.PidMode || "").not.toBe("host");
    expect(inspect.HostConfig.NetworkMode).toBe(`dockyard-${sessionA}`);
    expect(inspect.Mounts.map((m) => m.Source)).not.toContain("/var/run/docker.sock");
    const networks = await docker.listNetworks({ filters: { label: [`${LABEL.session}=${sessionA}`] } });
    expect(networks).toHaveLength(1);
  });

  it("runs a shell with a TTY: typing, colours and resize", async () => {
    const token = mintTerminalToken({ sub: "user-a", sid: sessionA, host: "host01", mode: "write" }, SECRET);
    const t = openTerminal(token);
    await t.waitFor(() => t.messages.some((m) => m.type === "ready"), "ready");
    t.type("echo sum-$((40+2))\r");
    await t.waitForOutput("sum-42");
    t.type("ls --color=always -d /root\r");
    await t.waitForOutput("\x1b[");
    t.ws.send(JSON.stringify({ type: "resize", cols: 132, rows: 43 }));
    await new Promise((r) => setTimeout(r, 200));
    t.type("stty size\r");
    await t.waitForOutput("43 132");
    t.type("hostname\r");
    await t.waitForOutput(/host01/);
    t.ws.close();
  });

  it("answers garbage frames with an error and keeps the terminal working", async () => {
    const token = mintTerminalToken({ sub: "user-a", sid: sessionA, host: "host01", mode: "write" }, SECRET);
    const t = openTerminal(token);
    await t.waitFor(() => t.messages.some((m) => m.type === "ready"), "ready");
    t.ws.send("{this is not json");
    t.ws.send(JSON.stringify({ type: "resize", cols: -1, rows: "x" }));
    t.ws.send(JSON.stringify({ type: "launch-missiles" }));
    await t.waitFor(() => t.messages.filter((m) => m.type === "error").length === 3, "three errors");
    t.ws.send(JSON.stringify({ type: "ping", id: 7 }));
    await t.waitFor(() => t.messages.some((m) => m.type === "pong" && m.id === 7), "pong");
    t.type("echo still-$((1+1))\r");
    await t.waitForOutput("still-2");
    t.ws.close();
  });

  it("ends the shell when its socket closes, leaving no process behind", async () => {
    const shells = async () => {
      const res = await runScript(sessionA, "ps -eo args= | grep -c '^bash -l$' || true");
      return Number(String(res.body.stdout).trim());
    };
    const token = mintTerminalToken({ sub: "user-a", sid: sessionA, host: "host01", mode: "write" }, SECRET);
    const t = openTerminal(token);
    await t.waitFor(() => t.messages.some((m) => m.type === "ready"), "ready");
    t.type("sleep 600 &\r");
    await new Promise((r) => setTimeout(r, 300));
    expect(await shells()).toBeGreaterThanOrEqual(1);
    t.ws.close();
    const until = Date.now() + 10_000;
    while ((await shells()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(await shells()).toBe(0);
  });

  it("checks origin, token and owner before the upgrade", async () => {
    await createSession(sessionB, "user-b");
    const wsBase = publicBase.replace("http", "ws");
    const base = publicBase;
    const token = () => mintTerminalToken({ sub: "user-a", sid: sessionA, host: "host01", mode: "write" }, SECRET);
    const good = token();
    expect(await upgradeStatus(`${wsBase}/terminal?token=${good}`, base)).toBe(101);
    // A token opens one socket only.
    expect(await upgradeStatus(`${wsBase}/terminal?token=${good}`, base)).toBe(401);
    expect(await upgradeStatus(`${wsBase}/terminal`, base)).toBe(401);
    expect(await upgradeStatus(`${wsBase}/terminal?token=${token()}`, "http://evil.example")).toBe(403);
    const forged = mintTerminalToken(
      { sub: "user-a", sid: sessionA, host: "host01", mode: "write" },
      "wrong-secret-0123456789",
    );
    expect(await upgradeStatus(`${wsBase}/terminal?token=${forged}`, base)).toBe(401);
    // A real token with its claims edited (another session, write for read) keeps a signature that no longer fits.
    const [payload, signature] = token().split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
    const edited = Buffer.from(JSON.stringify({ ...claims, sid: sessionB })).toString("base64url");
    expect(await upgradeStatus(`${wsBase}/terminal?token=${edited}.${signature}`, base)).toBe(401);
    const expired = mintTerminalToken({ sub: "user-a", sid: sessionA, host: "host01", mode: "write" }, SECRET, {
      now: Date.now() - 120_000,
    });
    expect(await upgradeStatus(`${wsBase}/terminal?token=${expired}`, base)).toBe(401);
    // Something that is not a proper WebSocket handshake never gets as far as a shell.
    const status = await new Promise<number>((resolve) => {
      const url = new URL(`${publicBase}/terminal?token=${token()}`);
      request(url, { headers: { connection: "Upgrade", upgrade: "websocket", origin: base } })
        .on("response", (res) => resolve(res.statusCode ?? 0))
        .on("error", () => resolve(-1))
        .end();
    });
    expect(status).toBe(400);
    // user-a holds a valid token, but for user-b's sandbox: refused.
    const stolen = mintTerminalToken({ sub: "user-a", sid: sessionB, host: "host01", mode: "write" }, SECRET);
    expect(await upgradeStatus(`${wsBase}/terminal?token=${stolen}`, base)).toBe(403);
  });

  it("runs verify scripts inside the sandbox: pass, fail with reason, timeout", async () => {
    const pass = await runScript(sessionA, 'test "$(hostname)" = host01 && test -f /.dockerenv && echo done');
    expect(pass.body).toMatchObject({ exitCode: 0, timedOut: false });
    expect(pass.body.stdout).toBe("done\n");

    const fail = await runScript(sessionA, 'echo "the file is missing" > "$VERIFICATION_FAILURE_REASON"; exit 3');
    expect(fail.body).toMatchObject({ exitCode: 3, failureReason: "the file is missing" });

    const printed = await runScript(sessionA, 'echo "FAIL: no nginx" >&2; exit 1');
    expect(printed.body).toMatchObject({ exitCode: 1, stderr: "FAIL: no nginx\n" });

    const slow = await runScript(sessionA, "sleep 30", 1000);
    expect(slow.body).toMatchObject({ timedOut: true });
    expect(slow.body.durationMs as number).toBeLessThan(10_000);

    // Root in the sandbox can break `timeout` itself; the gateway's own deadline still ends the check.
    await runScript(
      sessionA,
      "mv /usr/bin/timeout /usr/bin/timeout.real && printf '#!/bin/sh\nshift 3\nexec \"$@\"\n' > /usr/bin/timeout && chmod +x /usr/bin/timeout",
    );
    const stuck = await runScript(sessionA, "sleep 60", 1000);
    expect(stuck.body).toMatchObject({ timedOut: true, exitCode: null });
    expect(stuck.body.durationMs as number).toBeLessThan(15_000);
    await runScript(sessionA, "mv /usr/bin/timeout.real /usr/bin/timeout");

    const missing = await runScript("no-such-session-1", "true");
    expect(missing.status).toBe(404);
  });

  it("writes files into a sandbox with their modes, refusing paths that climb out", async () => {
    const put = (body: unknown) =>
      fetch(`${base}/internal/sessions/${sessionA}/files`, {
        method: "PUT",
        headers: { authorization: `Bearer ${SECRET}` },
        body: JSON.stringify(body),
      });
    const res = await put({
      files: [
        {
          path: "/root/deep/er/run.sh",
          contentBase64: Buffer.from("#!/bin/sh\necho ran\n").toString("base64"),
          mode: 0o755,
        },
        { path: "/root/notes.txt", contentBase64: Buffer.from("hello").toString("base64") },
        { path: "/tmp/x/y.txt", contentBase64: Buffer.from("y").toString("base64") },
      ],
    });
    expect(await res.json()).toEqual({ files: 3 });
    // Existing folders keep their owner and mode: /tmp its sticky bit, /root its privacy.
    expect((await runScript(sessionA, "stat -c %a /tmp /root")).body.stdout).toBe("1777\n700\n");
    const check = await runScript(
      sessionA,
      "stat -c %a /root/deep/er/run.sh; /root/deep/er/run.sh; cat /root/notes.txt",
    );
    expect(check.body.stdout).toBe("755\nran\nhello");
    expect((await put({ files: [{ path: "/root/../etc/passwd", contentBase64: "" }] })).status).toBe(400);
    expect((await put({ files: [{ path: "relative.txt", contentBase64: "" }] })).status).toBe(400);
  });

  it("runs background scripts detached, with their output logged for the author", async () => {
    const res = await fetch(`${base}/internal/sessions/${sessionA}/background`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ name: "intro", script: "echo from-background; sleep 0.3; touch /tmp/bg-done" }),
    });
    const { pid } = (await res.json()) as { pid: number };
    expect(pid).toBeGreaterThan(1);
    const until = Date.now() + 10_000;
    while ((await runScript(sessionA, "test -f /tmp/bg-done")).body.exitCode !== 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await runScript(sessionA, "cat /var/log/killercoda/intro.log")).body.stdout).toBe("from-background\n");
    const bad = await fetch(`${base}/internal/sessions/${sessionA}/background`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ name: "../../etc/x", script: "true" }),
    });
    expect(bad.status).toBe(400);
  });

  it("stops a session: containers and network are removed", async () => {
    for (const id of [sessionA, sessionB]) {
      const res = await fetch(`${base}/internal/sessions/${id}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${SECRET}` },
      });
      expect(await res.json()).toEqual({ containers: 1, networks: 1 });
    }
    expect(await docker.listContainers({ all: true, filters: { label: [`${LABEL.session}=${sessionA}`] } })).toEqual(
      [],
    );
    expect(await docker.listNetworks({ filters: { label: [`${LABEL.session}=${sessionA}`] } })).toEqual([]);
  });
});

describe("gateway with a dead Docker daemon", () => {
  const dead = new DockerDriver({ docker: new Docker({ socketPath: "/nonexistent/docker.sock" }) });
  const gateway = testGateway(store, {
    driver: dead,
    secret: SECRET,
  });
  let deadBase = "";
  let deadPublic = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => gateway.internal.listen(0, "127.0.0.1", resolve));
    deadBase = `http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
    deadPublic = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    gateway.internal.close();
    gateway.server.close();
  });

  it("says so in /healthz and in session creation", async () => {
    const health = await fetch(`${deadBase}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, docker: { ok: false, error: expect.any(String) } });
    // Browsers are told that it is down, not why.
    const publicHealth = await fetch(`${deadPublic}/healthz`);
    expect(publicHealth.status).toBe(503);
    expect(await publicHealth.json()).toEqual({ ok: false, docker: { ok: false } });
    const res = await fetch(`${deadBase}/internal/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({
        sessionId: `dead-${run}`,
        userId: "u",
        scenario: "s",
        hosts: [{ name: "host01", image: IMAGE }],
      }),
    });
    // Refused before anything starts: a plain error, not a progress stream.
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "DOCKER_UNAVAILABLE" } });
  });
});

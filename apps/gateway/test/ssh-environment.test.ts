import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  type CreateSessionEvent,
  type RunScriptResult,
  type SocketLike,
  TerminalClient,
  type TerminalServerMessage,
} from "@dockyard/protocol";
import { DockerDriver, parseSshPools, RoutingDriver, SshDriver } from "@dockyard/sandbox";
import { type SshdTestHosts, startSshdHosts } from "@dockyard/sandbox/sshd-test-hosts";
import { defaultEnvironmentMap, interpretVerify, parseEnvironmentMap, resolveEnvironment } from "@dockyard/scenario";
import { loadScenario } from "@dockyard/scenario/loader/index";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { POOL_OWNER } from "../src/session-manager.ts";
import { closeTestGateway, tempDb, testGateway } from "./temp-db.ts";

// A lab on the `ssh` environment, end to end through the gateway: the environment map names the pool, the gateway
// routes the session to the ssh driver (two real sshd machines), the learner types in a terminal over the WebSocket
// with the protocol's client, and the step's verify runs through the control API, failing before and passing after.
const SECRET = "ssh-environment-secret-0123456789";
const run = randomBytes(4).toString("hex");
const store = await tempDb();
let sshd: SshdTestHosts;
let ssh: SshDriver;
let driver: RoutingDriver;
let gateway: ReturnType<typeof testGateway>;
let base = "";
let publicBase = "";

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
  });
  return { status: res.status, text: await res.text() };
}

async function until(predicate: () => boolean, what: () => string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A lab whose step asks for a file on host01 that names host02, from a scenario directory like an author's. */
function writeLab(dir: string) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({
      title: "Two machines",
      backend: { imageid: "kubernetes-kubeadm-2nodes" },
      details: { steps: [{ title: "Meet node01", text: "step1.md", verify: "step1-verify.sh" }] },
    }),
  );
  writeFileSync(join(dir, "step1.md"), "Write the address of `node01` into `/root/peer`.\n");
  writeFileSync(
    join(dir, "step1-verify.sh"),
    `#!/bin/bash
test -s /root/peer || { echo "Write the address of node01 into /root/peer." > "$VERIFICATION_FAILURE_REASON"; exit 1; }
grep -qx "$(getent hosts node01 | awk '{print $1}')" /root/peer
`,
  );
}

beforeAll(async () => {
  sshd = await startSshdHosts(run, 2);
  const pools = parseSshPools(sshd.pools("kubeadm", `$DOCKYARD_SSH 'pkill -x tmux; rm -rf /root/* /tmp/*; true'`));
  if (!pools.ok) throw new Error(pools.error);
  ssh = new SshDriver({ pools: pools.pools, stateFile: join(sshd.dir, "machines.json"), warmPoolOwner: POOL_OWNER });
  driver = new RoutingDriver(new DockerDriver({ docker: new Docker(), instance: `ssh-env-${run}` }), [ssh]);
  // A warm pool as in production: it must neither hold machines nor race the learner for them.
  gateway = testGateway(store, { driver, secret: SECRET, pool: { size: 1, warm: [] } });
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => gateway.internal.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`;
  publicBase = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  if (gateway) await closeTestGateway(gateway, driver, store);
  await ssh?.settled();
  await sshd?.stop();
});

describe("a lab on the ssh environment", () => {
  it("runs end to end: start on two machines, a terminal over the WebSocket, the step's verify, stop and reset", async () => {
    // The admin's environments file makes the scenario's image id an ssh environment on pool kubeadm.
    const map = parseEnvironmentMap(
      JSON.stringify({
        environments: {
          "kubernetes-kubeadm-2nodes": {
            type: "ssh",
            pool: "kubeadm",
            hosts: [{ name: "controlplane" }, { name: "node01" }],
          },
        },
      }),
      defaultEnvironmentMap(),
    );
    if (!map.ok) throw new Error(map.error);
    const dir = join(sshd.dir, "lab");
    writeLab(dir);
    const loaded = loadScenario(dir);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    const scenario = loaded.value;
    const environment = resolveEnvironment(scenario.imageId, map.map);
    expect(environment.hosts).toEqual([
      { name: "controlplane", image: "ssh://kubeadm" },
      { name: "node01", image: "ssh://kubeadm" },
    ]);

    // Start, as the web app does.
    const sessionId = `s-${randomBytes(8).toString("hex")}`;
    const started = await api("/internal/sessions", {
      method: "POST",
      body: JSON.stringify({ sessionId, userId: "learner", scenario: scenario.slug, hosts: environment.hosts }),
    });
    const events = started.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as CreateSessionEvent);
    expect(events.at(-1)).toEqual({ type: "ready", hosts: ["controlplane", "node01"] });
    expect(ssh.machines.status().map((s) => s.state)).toEqual(["held", "held"]);
    // The session's info is the machines'; nothing was made on the Docker engine for it.
    const info = JSON.parse((await api(`/internal/sessions/${sessionId}`)).text) as { hosts: { name: string }[] };
    expect(info.hosts.map((h) => h.name)).toEqual(["controlplane", "node01"]);

    const verify = async () => {
      const res = await api(`/internal/sessions/${sessionId}/scripts`, {
        method: "POST",
        body: JSON.stringify({ host: "controlplane", script: scenario.steps[0]?.verify, timeoutMs: 30_000 }),
      });
      expect(res.status).toBe(200);
      const result = JSON.parse(res.text) as RunScriptResult;
      return interpretVerify({ script: scenario.steps[0]?.verify ?? "", ...result });
    };
    expect(await verify()).toMatchObject({ passed: false, message: "Write the address of node01 into /root/peer." });

    // The learner's terminal on controlplane, through the gateway's WebSocket with the protocol's client.
    let output = "";
    const messages: TerminalServerMessage[] = [];
    const client = new TerminalClient({
      dial: async (resume) => {
        const token = mintTerminalToken(
          { sub: "learner", sid: sessionId, host: "controlplane", mode: "write" },
          SECRET,
        );
        const params = new URLSearchParams({
          token,
          cols: "100",
          rows: "30",
          name: "main",
          client: resume.client,
          received: String(resume.received),
        });
        const socket = new WebSocket(`${publicBase.replace("http", "ws")}/terminal?${params}`, {
          headers: { origin: publicBase },
        });
        return { ok: true, socket: socket as unknown as SocketLike };
      },
      write: (bytes, done) => {
        output += Buffer.from(bytes).toString("utf8");
        setImmediate(done);
      },
      onMessage: (message) => messages.push(message),
    });
    client.start();
    try {
      await until(
        () => client.connectionState === "connected",
        () => "the terminal to connect",
      );
      client.input("getent hosts node01 | awk '{print $1}' > /root/peer; echo peer-$((20+22)) $(cat /root/peer)\r");
      await until(
        () => /peer-42 \d+\.\d+\.\d+\.\d+/.test(output),
        () => `the command's output in ${JSON.stringify(output.slice(-300))}`,
      );
    } finally {
      client.dispose();
    }
    expect(await verify()).toMatchObject({ passed: true });

    // The admin's list shows the session with its machines' live figures.
    const listed = JSON.parse((await api("/internal/sessions")).text) as {
      sessions: { sessionId: string; hosts: { name: string; memoryBytes: number }[] }[];
    };
    const row = listed.sessions.find((s) => s.sessionId === sessionId);
    expect(row?.hosts.map((h) => h.name)).toEqual(["controlplane", "node01"]);
    expect(row?.hosts.every((h) => h.memoryBytes > 0)).toBe(true);

    // Stopping gives the machines back, reset: the learner's file is gone from both.
    const stopped = await api(`/internal/sessions/${sessionId}`, { method: "DELETE", body: "{}" });
    expect(stopped.status).toBe(200);
    await ssh.settled();
    expect(ssh.machines.status().map((s) => s.state)).toEqual(["free", "free"]);
    for (const host of sshd.hosts) expect(await sshd.exec(host, "ls /root")).toBe("");
    expect(messages.length).toBeGreaterThan(0);
  });

  it("still makes containers for every other environment, on the Docker engine", async () => {
    const sessionId = `s-${randomBytes(8).toString("hex")}`;
    const started = await api("/internal/sessions", {
      method: "POST",
      body: JSON.stringify({
        sessionId,
        userId: "other",
        scenario: "plain",
        hosts: resolveEnvironment("ubuntu", defaultEnvironmentMap()).hosts,
      }),
    });
    expect(started.text).toContain('"ready"');
    expect(ssh.holds(sessionId)).toBe(false);
    const ran = JSON.parse(
      (
        await api(`/internal/sessions/${sessionId}/scripts`, {
          method: "POST",
          body: JSON.stringify({ script: "cat /proc/1/comm" }),
        })
      ).text,
    ) as RunScriptResult;
    // PID 1 of a sandbox container is its init (tini); the sshd machines run sshd.
    expect(ran.stdout.trim()).toBe("tini");
    expect((await api(`/internal/sessions/${sessionId}`, { method: "DELETE", body: "{}" })).status).toBe(200);
  });

  it("refuses a lab the pool cannot serve with a clear error", async () => {
    const hosts = ["a", "b", "c"].map((name) => ({ name: `host${name}`, image: "ssh://kubeadm" }));
    const started = await api("/internal/sessions", {
      method: "POST",
      body: JSON.stringify({ sessionId: `s-${randomBytes(8).toString("hex")}`, userId: "big", scenario: "big", hosts }),
    });
    const last = JSON.parse(started.text.trim().split("\n").at(-1) ?? "{}") as CreateSessionEvent;
    expect(last).toMatchObject({
      type: "error",
      code: "LIMIT_REACHED",
      message: expect.stringMatching(/^No free machines in pool kubeadm: this lab needs 3, 2 of 2 are free/),
    });
    expect(ssh.machines.status().map((s) => s.state)).toEqual(["free", "free"]);
  });
});

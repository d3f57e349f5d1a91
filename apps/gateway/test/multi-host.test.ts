import { randomBytes } from "node:crypto";
import { DockerDriver } from "@dockyard/sandbox";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";

// Sessions of several hosts, against the real Docker engine.
const driver = new DockerDriver({ docker: new Docker() });
const sessionId = `s-${randomBytes(8).toString("hex")}`;

afterAll(async () => {
  await driver.removeSession(sessionId);
});

describe("a two-host session", () => {
  it("has hosts with addresses of their own that reach each other by name, and goes as a whole", async () => {
    const phases: string[] = [];
    const made = await driver.createSession(
      {
        sessionId,
        userId: "multi-host",
        scenario: "multi-host",
        hosts: [
          { name: "host01", image: "dockyard/sandbox:latest" },
          { name: "host02", image: "dockyard/sandbox:latest", limits: { memoryMb: 300, cpus: 0.5, pids: 100 } },
        ],
      },
      (event) => phases.push(event.type === "progress" ? `${event.phase}:${event.message}` : event.type),
    );
    if (!made.ok) throw new Error(made.error.message);
    expect(made.value.hosts.map((h) => h.name)).toEqual(["host01", "host02"]);
    const [one, two] = made.value.hosts;
    expect(one?.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(two?.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(one?.ip).not.toBe(two?.ip);
    expect(phases).toEqual(expect.arrayContaining(["container:Creating host01", "container:Creating host02"]));
    // host02's environment gave it limits of its own; host01 has the defaults.
    const docker = new Docker();
    const second = await docker.getContainer(`dockyard-${sessionId}-host02`).inspect();
    expect([second.HostConfig.Memory, second.HostConfig.NanoCpus, second.HostConfig.PidsLimit]).toEqual([
      300 * 1024 * 1024,
      0.5e9,
      100,
    ]);
    const first = await docker.getContainer(`dockyard-${sessionId}-host01`).inspect();
    expect(first.HostConfig.Memory).toBe(1024 * 1024 * 1024);

    const listen = await driver.runBackground({
      sessionId,
      host: "host02",
      name: "listen",
      script: "nc -l -p 7000 > /tmp/got",
      env: {},
    });
    expect(listen.ok).toBe(true);
    const send = await driver.runScript({
      sessionId,
      host: "host01",
      script: `getent hosts host02 | grep -q "^${two?.ip} " || exit 3
for i in $(seq 1 50); do echo "hello from $(hostname)" | nc -N -w 2 host02 7000 && exit 0; sleep 0.1; done; exit 4`,
      timeoutMs: 15_000,
      env: {},
    });
    expect(send.ok && send.value.exitCode).toBe(0);
    const got = await driver.runScript({
      sessionId,
      host: "host02",
      script: "sleep 0.2; cat /tmp/got; getent hosts host01",
      timeoutMs: 5_000,
      env: {},
    });
    expect(got.ok && got.value.stdout).toMatch(
      new RegExp(`^hello from host01\\n${one?.ip?.replace(/\./g, "\\.")}\\s+host01`),
    );

    const removed = await driver.removeSession(sessionId);
    expect(removed).toEqual({ ok: true, value: { containers: 2, networks: 1 } });
  });
});

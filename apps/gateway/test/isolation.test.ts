import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { DockerDriver, ensureFirewall } from "@dockyard/sandbox";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Isolation against the real Docker engine and the host's real firewall (the gateway installs it at boot).
const driver = new DockerDriver({ docker: new Docker() });
const IMAGE = "dockyard/sandbox:latest";
const id = () => `s-${randomBytes(8).toString("hex")}`;
const [a, b, offline] = [id(), id(), id()];
let hostService: Server;
let servicePort = 0;

const sh = async (sessionId: string, script: string, host = "host01") => {
  const run = await driver.runScript({ sessionId, host, script, timeoutMs: 20_000, env: {} });
  if (!run.ok) throw new Error(run.error.message);
  return run.value;
};
/** Whether a TCP connection from the sandbox to ip:port succeeds within 3 s. */
const reaches = async (sessionId: string, ip: string, port: number) =>
  (await sh(sessionId, `nc -z -w 3 ${ip} ${port}`)).exitCode === 0;
const hostAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === "IPv4" && !i.internal)
    .map((i) => i?.address ?? "");

beforeAll(async () => {
  const firewall = await ensureFirewall({ blockedNetworks: ["169.254.0.0/16"] });
  if (!firewall.ok) throw new Error(firewall.error.message);
  // Stands in for the web app, the gateway, the database: anything listening on the host.
  hostService = createServer((socket) => socket.end("host service\n"));
  await new Promise<void>((resolve) => hostService.listen(0, "0.0.0.0", resolve));
  servicePort = (hostService.address() as { port: number }).port;
  const make = async (sessionId: string, hosts: string[], internet = true) => {
    const made = await driver.createSession(
      { sessionId, userId: "iso", scenario: "iso", hosts: hosts.map((name) => ({ name, image: IMAGE })), internet },
      () => undefined,
    );
    if (!made.ok) throw new Error(made.error.message);
  };
  await Promise.all([make(a, ["host01", "host02"]), make(b, ["host01"]), make(offline, ["host01"], false)]);
  for (const [sessionId, host] of [
    [a, "host02"],
    [b, "host01"],
  ] as const) {
    await driver.runBackground({ sessionId, host, name: "web", script: "exec python3 -m http.server 8000", env: {} });
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([a, b, offline].map((s) => driver.removeSession(s)));
  hostService.close();
});

describe("sandbox isolation", () => {
  it("a session's hosts reach each other by name", async () => {
    const answer = await sh(
      a,
      "for i in $(seq 1 30); do curl -s -m 2 -o /dev/null -w '%{http_code}' http://host02:8000/ && exit 0; sleep 0.2; done; exit 1",
    );
    expect(answer.stdout).toBe("200");
  });

  it("another session's hosts are unreachable", async () => {
    const other = await driver.inspectSession(b);
    const ip = other.ok ? other.value.hosts[0]?.ip : undefined;
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // B's server answers inside B, so an unreachable port from A is the network, not a missing server.
    expect(
      (await sh(b, "for i in $(seq 1 30); do nc -z -w 1 127.0.0.1 8000 && exit 0; sleep 0.2; done; exit 1")).exitCode,
    ).toBe(0);
    expect(await reaches(a, ip ?? "", 8000)).toBe(false);
  });

  it("the host's own services are unreachable on every address, as is the cloud metadata address", async () => {
    const gateway = (await sh(a, "ip route | awk '/default/ {print $3}'")).stdout.trim();
    for (const ip of [gateway, ...hostAddresses()]) {
      expect(await reaches(a, ip, servicePort), `host service at ${ip}`).toBe(false);
      // A Docker API on TCP, had anyone enabled one.
      expect(await reaches(a, ip, 2375), `Docker API at ${ip}`).toBe(false);
    }
    expect(await reaches(a, "169.254.169.254", 80)).toBe(false);
    // The same service is reachable from a container outside Dockyard's networks: the firewall made the difference.
    // (Its default route's gateway: the engine's own bridge address, which `network inspect` does not always list.)
    const outside = spawnSync("docker", [
      "run",
      "--rm",
      IMAGE,
      "sh",
      "-c",
      `nc -z -w 3 "$(ip route | awk '/default/ {print $3}')" ${servicePort}`,
    ]);
    expect(outside.status).toBe(0);
  });

  it("a sandbox has no IPv6 to go around the firewall with", async () => {
    const v6 = await sh(a, "cat /proc/sys/net/ipv6/conf/all/disable_ipv6; ip -6 addr show | grep -c inet6 || true");
    expect(v6.stdout.trim().split("\n")).toEqual(["1", "0"]);
  });

  it("a session without internet reaches nothing beyond its network; one with it does", async () => {
    const fetchArchive =
      "curl -s -m 8 -o /dev/null -w '%{http_code}' http://deb.debian.org/debian/dists/bookworm/Release";
    expect((await sh(a, fetchArchive)).stdout).toBe("200");
    const cut = await sh(offline, fetchArchive);
    expect(cut.stdout).not.toBe("200");
  });
});

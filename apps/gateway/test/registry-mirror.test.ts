import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { DockerDriver, MIRROR_ALIAS, preloadCourseImages, RegistryMirror, registryPath } from "@dockyard/sandbox";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The registry mirror beside the sandboxes: a course image, built from Debian packages and preloaded, reaches a
// nested Docker engine in a session that has no internet at all.
const docker = new Docker();
const tag = randomBytes(3).toString("hex");
// A mirror of its own (container, network and volume), made from nothing and removed after.
const mirror = new RegistryMirror({
  docker,
  name: `dockyard-registry-t${tag}`,
  upstream: "https://registry-1.docker.io",
});
const driver = new DockerDriver({ docker, instance: `mirror-${tag}`, mirror });
const sessionId = `s-${randomBytes(8).toString("hex")}`;
const lines: string[] = [];

const sh = async (script: string, timeoutMs = 120_000) => {
  const run = await driver.runScript({ sessionId, host: "host01", script, timeoutMs, env: {} });
  if (!run.ok) throw new Error(run.error.message);
  return run.value;
};

beforeAll(async () => {
  await preloadCourseImages({
    mirror,
    root: resolve(import.meta.dirname, "../../../docker/course-images"),
    only: ["busybox:1.35"],
    onLine: (line) => lines.push(line),
  });
  const made = await driver.createSession(
    {
      sessionId,
      userId: "mirror",
      scenario: "mirror",
      hosts: [{ name: "host01", image: "dockyard/sandbox-docker:latest", docker: true }],
      internet: false,
    },
    () => undefined,
  );
  if (!made.ok) throw new Error(made.error.message);
  const ready = await sh(
    "for i in $(seq 1 60); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done; cat /var/log/dockerd.log; exit 1",
  );
  if (ready.exitCode !== 0) throw new Error(`the inner Docker engine did not start: ${ready.stdout}`);
}, 300_000);

afterAll(async () => {
  await driver.removeSession(sessionId);
  await docker
    .getContainer(mirror.name)
    .remove({ force: true })
    .catch(() => undefined);
  await docker
    .getNetwork(mirror.name)
    .remove()
    .catch(() => undefined);
  await docker
    .getVolume(mirror.name)
    .remove()
    .catch(() => undefined);
});

describe("the registry mirror", () => {
  it("names references as a registry does", () => {
    expect(registryPath("redis:7.0")).toEqual({ repository: "library/redis", tag: "7.0" });
    expect(registryPath("redis")).toEqual({ repository: "library/redis", tag: "latest" });
    expect(registryPath("docker.io/dockyard/http-server:v2")).toEqual({
      repository: "dockyard/http-server",
      tag: "v2",
    });
    expect(registryPath("localhost:5000/x")).toEqual({ repository: "localhost:5000/x", tag: "latest" });
  });

  it("holds what was preloaded, said as it went; a second preload pushes nothing", async () => {
    const catalog = await mirror.catalog();
    expect(catalog.ok && catalog.value.get("library/busybox")?.sort()).toEqual(["1.35", "latest"]);
    expect(lines.some((l) => /busybox:1\.35: pushing to the mirror/.test(l))).toBe(true);
    const again: string[] = [];
    const report = await preloadCourseImages({
      mirror,
      root: resolve(import.meta.dirname, "../../../docker/course-images"),
      only: ["busybox:latest"],
      onLine: (line) => again.push(line),
    });
    expect(report).toEqual({ built: [], pushed: [], current: ["busybox:1.35", "busybox:latest"] });
  }, 60_000);

  it("gives a nested engine in a session without internet the preloaded image", async () => {
    const noInternet = await sh("curl -s -m 5 -o /dev/null -w '%{http_code}' http://deb.debian.org/ || true");
    expect(noInternet.stdout).not.toBe("200");
    const run = await sh("docker run --rm busybox:1.35 echo pulled-through-the-mirror 2>&1");
    expect(run.stdout.trim().split("\n").at(-1)).toBe("pulled-through-the-mirror");
    const images = await sh("docker images --format '{{.Repository}}:{{.Tag}}'");
    expect(images.stdout).toContain("busybox:1.35");
  }, 120_000);

  it("serves sandboxes read-only: a push to it is refused", async () => {
    const push = await sh(
      `docker tag busybox:1.35 ${MIRROR_ALIAS}:5000/library/busybox:poisoned && docker push ${MIRROR_ALIAS}:5000/library/busybox:poisoned 2>&1`,
    );
    expect(push.exitCode).not.toBe(0);
    const catalog = await mirror.catalog();
    expect(catalog.ok && catalog.value.get("library/busybox")).not.toContain("poisoned");
  }, 60_000);

  it("does not route between the session networks it sits on", async () => {
    const { execFileSync } = await import("node:child_process");
    const forwarding = execFileSync("docker", ["exec", mirror.name, "cat", "/proc/sys/net/ipv4/ip_forward"], {
      encoding: "utf8",
    });
    expect(forwarding.trim()).toBe("0");
    // A sandbox that routes another network through the mirror gets nowhere.
    const other = await driver.createSession(
      {
        sessionId: `s-${randomBytes(8).toString("hex")}`,
        userId: "other",
        scenario: "mirror",
        hosts: [{ name: "host01", image: "dockyard/sandbox-docker:latest", docker: true }],
      },
      () => undefined,
    );
    if (!other.ok) throw new Error(other.error.message);
    const target = other.value.hosts[0]?.ip ?? "";
    const mirrorIp = (await sh(`getent hosts ${MIRROR_ALIAS} | awk '{print $1}'`)).stdout.trim();
    const probe = await sh(
      `ip route add ${target}/32 via ${mirrorIp} && (ping -c 2 -W 1 ${target} >/dev/null 2>&1 && echo reached || echo blocked); ip route del ${target}/32`,
    );
    await driver.removeSession(other.value.sessionId);
    expect(probe.stdout.trim()).toBe("blocked");
  }, 120_000);

  it("an unknown image is a plain pull error, not a hang", async () => {
    const run = await sh("docker pull nosuchimage:1 2>&1; echo exit=$?", 60_000);
    expect(run.stdout).toMatch(/exit=1/);
  }, 70_000);

  it("leaves the session's network removable: stopping takes the mirror off it", async () => {
    const removed = await driver.removeSession(sessionId);
    expect(removed.ok && removed.value.networks).toBe(1);
    const networks = await docker.listNetworks({ filters: { name: [`dockyard-${sessionId}`] } });
    expect(networks).toHaveLength(0);
    // The mirror itself runs on.
    expect((await mirror.endpoint()).ok).toBe(true);
  }, 30_000);
});

// Online, the mirror is a pull-through cache: what one sandbox pulls from the upstream is fetched once and kept, and
// still served when the upstream goes away. A registry of our own stands in for Docker Hub.
describe("the registry mirror as a pull-through cache", () => {
  const name = `dockyard-registry-c${tag}`;
  const upstreamName = `dockyard-upstream-c${tag}`;
  const cache = new RegistryMirror({ docker, name, upstream: `http://${upstreamName}:5000` });
  const cachedDriver = new DockerDriver({ docker, instance: `mirror-c${tag}`, mirror: cache });
  const sessions: string[] = [];

  const session = async () => {
    const id = `s-${randomBytes(8).toString("hex")}`;
    sessions.push(id);
    const made = await cachedDriver.createSession(
      {
        sessionId: id,
        userId: "mirror",
        scenario: "mirror",
        hosts: [{ name: "host01", image: "dockyard/sandbox-docker:latest", docker: true }],
        internet: false,
      },
      () => undefined,
    );
    if (!made.ok) throw new Error(made.error.message);
    return async (script: string) => {
      const run = await cachedDriver.runScript({ sessionId: id, host: "host01", script, timeoutMs: 120_000, env: {} });
      if (!run.ok) throw new Error(run.error.message);
      return run.value;
    };
  };
  const waitForEngine =
    "for i in $(seq 1 60); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done; cat /var/log/dockerd.log; exit 1";

  beforeAll(async () => {
    // The upstream: a plain registry on the mirror's network, holding an image the mirror has never seen.
    await docker.createNetwork({ Name: name, Driver: "bridge", Labels: { "dockyard.registry": "true" } });
    const upstream = await docker.createContainer({
      name: upstreamName,
      Image: mirror.image,
      Cmd: ["push"],
      HostConfig: { NetworkMode: name, PortBindings: { "5000/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] } },
      ExposedPorts: { "5000/tcp": {} },
    });
    await upstream.start();
    const port = (await upstream.inspect()).NetworkSettings.Ports["5000/tcp"]?.[0]?.HostPort;
    const { execFileSync } = await import("node:child_process");
    for (let i = 0; i < 50; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/v2/`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    execFileSync("docker", ["tag", "busybox:1.35", `127.0.0.1:${port}/library/only-upstream:1`]);
    execFileSync("docker", ["push", `127.0.0.1:${port}/library/only-upstream:1`], { stdio: "ignore" });
    execFileSync("docker", ["rmi", `127.0.0.1:${port}/library/only-upstream:1`], { stdio: "ignore" });
  }, 120_000);

  afterAll(async () => {
    for (const id of sessions) await cachedDriver.removeSession(id);
    for (const c of [name, upstreamName]) {
      await docker
        .getContainer(c)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    }
    await docker
      .getNetwork(name)
      .remove()
      .catch(() => undefined);
    await docker
      .getVolume(name)
      .remove()
      .catch(() => undefined);
  });

  it("fetches from the upstream once, keeps it, and serves it when the upstream is gone", async () => {
    const first = await session();
    expect((await first(waitForEngine)).exitCode).toBe(0);
    const pulled = await first("docker pull -q only-upstream:1 2>&1");
    expect(pulled.exitCode, pulled.stdout).toBe(0);
    const catalog = await cache.catalog();
    expect(catalog.ok && catalog.value.has("library/only-upstream")).toBe(true);

    // The upstream goes away (the conference wifi); another attendee still gets the image, from the cache.
    await docker.getContainer(upstreamName).stop({ t: 0 });
    const second = await session();
    expect((await second(waitForEngine)).exitCode).toBe(0);
    const again = await second("docker run --rm only-upstream:1 echo served-from-the-cache 2>&1");
    expect(again.stdout.trim().split("\n").at(-1)).toBe("served-from-the-cache");
  }, 300_000);
});

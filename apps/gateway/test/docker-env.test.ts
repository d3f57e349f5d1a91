import { randomBytes } from "node:crypto";
import { DockerDriver } from "@dockyard/sandbox";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The `docker` environment: a Docker engine inside a sandbox host, on this machine's kernel.
const driver = new DockerDriver({ docker: new Docker(), instance: `dind-${randomBytes(3).toString("hex")}` });
const sessionId = `s-${randomBytes(8).toString("hex")}`;

const sh = async (script: string, timeoutMs = 120_000) => {
  const run = await driver.runScript({ sessionId, host: "host01", script, timeoutMs, env: {} });
  if (!run.ok) throw new Error(run.error.message);
  return run.value;
};

/** A tiny image built inside the sandbox from the static busybox it carries: no registry needed. */
const BUILD_MINI = `set -e
mkdir -p /tmp/mini && cp /bin/busybox /tmp/mini/
cat > /tmp/mini/Dockerfile <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /www && echo nested-web-page > /www/index.html
CMD ["sh"]
DOCKERFILE
docker build -q -t mini /tmp/mini >/dev/null`;

beforeAll(async () => {
  const made = await driver.createSession(
    {
      sessionId,
      userId: "dind",
      scenario: "dind",
      hosts: [{ name: "host01", image: "dockyard/sandbox-docker:latest", docker: true }],
    },
    () => undefined,
  );
  if (!made.ok) throw new Error(made.error.message);
  // The inner engine takes a moment to come up.
  const ready = await sh(
    "for i in $(seq 1 60); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done; cat /var/log/dockerd.log; exit 1",
  );
  if (ready.exitCode !== 0) throw new Error(`the inner Docker engine did not start: ${ready.stdout}`);
  const built = await sh(BUILD_MINI);
  if (built.exitCode !== 0) throw new Error(`building the test image failed: ${built.stderr}`);
}, 180_000);

afterAll(async () => {
  await driver.removeSession(sessionId);
});

describe("the docker environment", () => {
  it("runs a locally built image", async () => {
    const run = await sh("docker run --rm mini echo hello-from-nested");
    expect(run.stdout.trim()).toBe("hello-from-nested");
  });

  it("runs two containers on a network of their own, reaching each other by name", async () => {
    const run = await sh(`set -e
docker network create pair >/dev/null
docker run -d --name web --network pair mini httpd -f -p 8080 -h /www >/dev/null
for i in $(seq 1 20); do docker run --rm --network pair mini wget -qO- http://web:8080/ && exit 0; sleep 0.5; done
exit 1`);
    expect(run.stdout.trim()).toBe("nested-web-page");
  });

  it("runs docker compose and docker swarm", async () => {
    const compose = await sh(`set -e
mkdir -p /tmp/app && cd /tmp/app
cat > compose.yaml <<'YAML'
services:
  web:
    image: mini
    command: httpd -f -p 80 -h /www
  client:
    image: mini
    command: sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web/ && exit 0; sleep 0.5; done; exit 1"
    depends_on: [web]
YAML
docker compose up --abort-on-container-exit --exit-code-from client 2>/dev/null | grep -o nested-web-page | head -1
docker compose down >/dev/null 2>&1`);
    expect(compose.stdout.trim()).toBe("nested-web-page");
    const swarm = await sh(
      `docker swarm init --advertise-addr 127.0.0.1 >/dev/null && docker node ls --format '{{.Status}} {{.ManagerStatus}}'`,
    );
    expect(swarm.stdout.trim()).toBe("Ready Leader");
  });

  it("gets no Docker socket and no host namespaces from the outer engine", async () => {
    const inspect = await new Docker().getContainer(`dockyard-${sessionId}-host01`).inspect();
    expect(inspect.HostConfig.Privileged).toBe(false);
    expect(inspect.HostConfig.PidMode || "").not.toBe("host");
    expect(inspect.HostConfig.NetworkMode).not.toBe("host");
    expect(inspect.Mounts.map((m) => m.Source)).not.toContain("/var/run/docker.sock");
    expect(inspect.HostConfig.CapDrop).toEqual(expect.arrayContaining(["SYS_RESOURCE", "SYS_MODULE", "SYS_BOOT"]));
    // Docker's masks and read-only parts of /proc stay: no core_pattern, no sysrq, no kernel modules.
    const probe = await sh(
      "echo x > /proc/sys/kernel/core_pattern 2>/dev/null && echo wrote; [ -e /proc/sysrq-trigger ] && echo sysrq; modprobe -n dummy 2>/dev/null && echo modules; true",
    );
    expect(probe.stdout.trim()).toBe("");
  });
});

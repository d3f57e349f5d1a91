import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import Docker from "dockerode";

/** The stand-in machine image (docker/sshd-host), built by docker/build-images.sh. */
export const SSHD_HOST_IMAGE = "dockyard/sshd-host:latest";

export interface SshdTestHost {
  name: string;
  container: string;
  address: string;
  /** Its own host key, to pin (`ssh-ed25519 AAAA…`). */
  hostKey: string;
}

export interface SshdTestHosts {
  /** A directory of the test's own: the private key is in it, and state files may go there. */
  dir: string;
  keyFile: string;
  hosts: SshdTestHost[];
  docker: Docker;
  /** A pools file body with one pool of these hosts. */
  pools(pool: string, reset: string, extra?: Record<string, unknown>): string;
  /** Runs a command in a host's container (outside ssh), answering its output; throws if it fails. */
  exec(host: SshdTestHost, script: string): Promise<string>;
  /** Removes the containers, the network and the key. */
  stop(): Promise<void>;
}

/**
 * For tests: `count` sshd containers (machines of an `ssh` environment) on a network of their own, with a fresh
 * key pair that root logs in with. Everything is named and labelled `dockyard-ssh-test-<run>`.
 */
export async function startSshdHosts(run: string, count: number): Promise<SshdTestHosts> {
  const docker = new Docker();
  await docker
    .getImage(SSHD_HOST_IMAGE)
    .inspect()
    .catch(() => {
      throw new Error(`The image ${SSHD_HOST_IMAGE} is missing: build it with "npm run images".`);
    });
  const prefix = `dockyard-ssh-test-${run}`;
  const labels = { "dockyard-ssh-test": run };
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const keyFile = join(dir, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", prefix, "-f", keyFile]);
  const publicKey = readFileSync(`${keyFile}.pub`, "utf8").trim();
  const network = await docker.createNetwork({ Name: prefix, Driver: "bridge", Labels: labels });
  const containers: Docker.Container[] = [];
  const stop = async () => {
    await Promise.all(containers.map((c) => c.remove({ force: true }).catch(() => undefined)));
    await network.remove().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const exec = async (host: SshdTestHost, script: string) => {
    const e = await docker.getContainer(host.container).exec({
      Cmd: ["sh", "-c", script],
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await e.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on("data", (c: Buffer) => chunks.push(c));
    docker.modem.demuxStream(stream, sink, sink);
    await new Promise((resolve) => stream.on("end", resolve));
    const { ExitCode } = await e.inspect();
    const output = Buffer.concat(chunks).toString("utf8");
    if (ExitCode !== 0) throw new Error(`${script} on ${host.name}: exit ${ExitCode}: ${output}`);
    return output;
  };
  try {
    const hosts: SshdTestHost[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `m${i}`;
      const container = await docker.createContainer({
        name: `${prefix}-${name}`,
        Image: SSHD_HOST_IMAGE,
        Labels: labels,
        Env: [`AUTHORIZED_KEYS=${publicKey}`],
        HostConfig: { NetworkMode: prefix },
      });
      containers.push(container);
      await container.start();
      const info = await container.inspect();
      const address = info.NetworkSettings.Networks[prefix]?.IPAddress ?? "";
      hosts.push({ name, container: `${prefix}-${name}`, address, hostKey: "" });
    }
    for (const host of hosts) {
      await listening(host.address, 22);
      const key = await exec(host, "cat /etc/ssh/ssh_host_ed25519_key.pub");
      host.hostKey = key.trim().split(/\s+/).slice(0, 2).join(" ");
    }
    return {
      dir,
      keyFile,
      hosts,
      docker,
      exec,
      stop,
      pools: (pool, reset, extra = {}) =>
        JSON.stringify({
          pools: {
            [pool]: {
              keyFile,
              connectTimeoutSeconds: 3,
              reset: { command: reset, timeoutSeconds: 60 },
              machines: hosts.map((h) => ({ name: h.name, address: h.address, hostKey: h.hostKey })),
              ...extra,
            },
          },
        }),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves once something accepts connections on the port (sshd is up); gives up after 20 s. */
async function listening(address: string, port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: address, port });
      socket.once("data", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
      socket.setTimeout(2000, () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nothing answers on ${address}:${port}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

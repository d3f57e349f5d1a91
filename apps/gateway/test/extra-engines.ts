import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { promisify } from "node:util";
import Docker from "dockerode";

// Extra Docker engines on this machine for tests: each its own `dockerd` with its own socket, data root, exec root
// (and so its own managed containerd), pid file and subnets, beside the machine's engine. They share the host's
// network namespace and firewall with it, so: a default bridge of its own (`xe-<id>`, made here; `--bridge=none` would
// make dockerd delete the machine engine's docker0 at start, breaking `docker build` there), no iptables rules of their own (the machine's engine owns the DOCKER chains; its rules would be flushed), and
// subnet ranges no other engine here uses. See docs/architecture.md, "Several Docker engines".

const exec = promisify(execFile);
const DATA = "/var/lib/dockyard-test-engines";
const IMAGE_CACHE = "/var/tmp/dockyard-test-engines";
const PREFIX = "dockyard-test-engine-";

export interface ExtraEngine {
  /** e1, e2, …: also the engine's name in the tests. */
  name: string;
  /** `unix:///run/dockyard-test-engine-….sock`. */
  endpoint: string;
  socket: string;
  /** A range of its own for session networks. */
  subnets: string;
  docker: Docker;
  /** Its TCP listener on 127.0.0.1, TLS with client certificates, and this client's PEMs. */
  tcp: { endpoint: string; tls: { ca: string; cert: string; key: string } };
  /** `kill -9` of its dockerd (its containers' processes outlive it, as on a real crash). */
  kill(): Promise<void>;
  /** Starts it again on the same data root; resolves once it answers. */
  start(): Promise<void>;
}

function paths(id: string) {
  return {
    socket: `/run/${PREFIX}${id}.sock`,
    execRoot: `/run/${PREFIX}${id}`,
    pidFile: `/run/${PREFIX}${id}.pid`,
    config: `/run/${PREFIX}${id}.json`,
    tlsDir: `/run/${PREFIX}${id}-tls`,
    dataRoot: `${DATA}/${id}`,
    logFile: `${DATA}/${id}.log`,
    bridge: `xe-${id}`,
  };
}

/** The engine's default bridge, made before it starts (an address of its own in 10.240.0.0/16). */
async function ensureBridge(id: string, index: number): Promise<void> {
  const { bridge } = paths(id);
  if (existsSync(`/sys/class/net/${bridge}`)) return;
  await exec("ip", ["link", "add", bridge, "type", "bridge"]);
  await exec("ip", ["addr", "add", `10.240.${index}.1/24`, "dev", bridge]);
  await exec("ip", ["link", "set", bridge, "up"]);
}

async function answers(docker: Docker, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      await docker.version();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return false;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** dockerd bind-mounts its data root (and overlay mounts under it); they stay after it stops. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await exec("umount", ["-l", m]).catch(() => undefined);
}

async function removeDirs(id: string): Promise<void> {
  const p = paths(id);
  await unmountUnder(p.dataRoot);
  await unmountUnder(p.execRoot);
  // rm, not rmSync: image layers are many files, and engines are removed side by side.
  await exec("rm", ["-rf", p.dataRoot, p.execRoot, p.socket, p.pidFile, p.tlsDir, p.config, p.logFile]);
  if (existsSync(`/sys/class/net/${p.bridge}`)) await exec("ip", ["link", "del", p.bridge]).catch(() => undefined);
}

/** Waits for an engine's managed containerd to exit, killing it after a few seconds. */
async function containerdGone(id: string): Promise<void> {
  const file = `${paths(id).execRoot}/containerd/containerd.pid`;
  const pid = existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : Number.NaN;
  if (!Number.isInteger(pid) || pid <= 0) return;
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, "SIGKILL");
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/** What an earlier run left (its dockerd no longer running): removed before starting new ones. */
async function removeLeftovers(): Promise<void> {
  if (!existsSync("/run")) return;
  for (const entry of readdirSync("/run")) {
    // Each engine's configuration file is written first and removed last.
    const id = new RegExp(`^${PREFIX}(.+)\\.json$`).exec(entry)?.[1];
    if (!id) continue;
    const { pidFile } = paths(id);
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : Number.NaN;
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    await removeDirs(id);
  }
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate (openssl), in `dir`. */
async function certificates(dir: string) {
  mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => exec("openssl", args, { cwd: dir });
  writeFileSync(`${dir}/server.cnf`, "subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n");
  writeFileSync(`${dir}/client.cnf`, "extendedKeyUsage = clientAuth\n");
  await ssl(
    ..."req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=dockyard-test-ca".split(" "),
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
  );
  for (const [name, cn] of [
    ["server", "127.0.0.1"],
    ["client", "dockyard-gateway"],
  ] as const) {
    await ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${cn}`,
      "-keyout",
      `${name}-key.pem`,
      "-out",
      `${name}.csr`,
    );
    await ssl(
      ..."x509 -req -days 1 -CA ca.pem -CAkey ca-key.pem -CAcreateserial".split(" "),
      ...["-in", `${name}.csr`, "-out", `${name}-cert.pem`, "-extfile", `${name}.cnf`],
    );
  }
  const pem = (file: string) => readFileSync(`${dir}/${file}`, "utf8");
  return { ca: pem("ca.pem"), cert: pem("client-cert.pem"), key: pem("client-key.pem") };
}

/** A free TCP port on 127.0.0.1. */
const freePort = () =>
  new Promise<number>((done) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });

/** A tarball of the images (saved from this machine's engine once per set of image ids). */
async function imageTarball(images: string[]): Promise<string> {
  const { stdout } = await exec("docker", ["image", "inspect", "--format", "{{.Id}}", ...images]);
  const ids = stdout
    .trim()
    .split("\n")
    .join("-")
    .replace(/sha256:/g, "")
    .slice(0, 64);
  const file = `${IMAGE_CACHE}/${ids.slice(0, 24)}-${images.length}.tar`;
  if (!existsSync(file)) {
    mkdirSync(IMAGE_CACHE, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await exec("docker", ["save", "-o", partial, ...images], { maxBuffer: 1024 * 1024 });
    rmSync(file, { force: true });
    await exec("mv", [partial, file]);
  }
  return file;
}

/**
 * Starts `count` extra engines (named e1, e2, …, subnets 10.241.0.0/16, 10.242.0.0/16, …) with `images` loaded
 * from this machine's engine. `stop()` removes their containers, stops them and removes their files.
 */
export async function startExtraEngines(
  count: number,
  images: string[] = ["dockyard/sandbox:latest"],
): Promise<{ engines: ExtraEngine[]; stop: () => Promise<void> }> {
  await removeLeftovers();
  const tag = randomBytes(3).toString("hex");
  const tarball = await imageTarball(images);
  const children = new Map<string, ChildProcess>();

  const launch = async (id: string, docker: Docker, port: number, index: number) => {
    const p = paths(id);
    await ensureBridge(id, index);
    mkdirSync(p.dataRoot, { recursive: true });
    // An empty configuration: /etc/docker/daemon.json (the machine engine's) must not apply to these.
    writeFileSync(p.config, "{}\n");
    const log = openSync(p.logFile, "a");
    const child = spawn(
      "dockerd",
      [
        `--config-file=${p.config}`,
        `--host=unix://${p.socket}`,
        // TLS applies to the TCP listener only; the socket stays plain.
        `--host=tcp://127.0.0.1:${port}`,
        "--tlsverify",
        `--tlscacert=${p.tlsDir}/ca.pem`,
        `--tlscert=${p.tlsDir}/server-cert.pem`,
        `--tlskey=${p.tlsDir}/server-key.pem`,
        `--data-root=${p.dataRoot}`,
        `--exec-root=${p.execRoot}`,
        `--pidfile=${p.pidFile}`,
        // Namespaces of its own, in case a containerd listens at the default address (dockerd then uses that one).
        `--containerd-namespace=${PREFIX}${id}`,
        `--containerd-plugins-namespace=${PREFIX}${id}-plugins`,
        `--bridge=${p.bridge}`,
        "--iptables=false",
        "--ip-masq=false",
        "--log-level=warn",
      ],
      { stdio: ["ignore", log, log] },
    );
    closeSync(log);
    children.set(id, child);
    if (!(await answers(docker, 30_000))) {
      throw new Error(`dockerd ${id} did not answer on ${p.socket}; see ${p.logFile}`);
    }
  };

  const started = Date.now();
  const engines = await Promise.all(
    Array.from({ length: count }, async (_, i): Promise<ExtraEngine> => {
      const id = `${tag}-${i + 1}`;
      const { socket } = paths(id);
      const docker = new Docker({ socketPath: socket });
      const tls = await certificates(paths(id).tlsDir);
      const port = await freePort();
      await launch(id, docker, port, i + 1);
      await cli(["-H", `unix://${socket}`, "load", "-q", "-i", tarball]);
      return {
        name: `e${i + 1}`,
        endpoint: `unix://${socket}`,
        socket,
        subnets: `10.${241 + i}.0.0/16`,
        docker,
        tcp: { endpoint: `tcp://127.0.0.1:${port}`, tls },
        kill: async () => {
          const child = children.get(id);
          if (!child || child.exitCode !== null) return;
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGKILL");
          await exited;
          // Its managed containerd dies with it (parent-death signal), but not at once: a dockerd started while
          // the old one still holds containerd's database times out waiting for its own.
          await containerdGone(id);
        },
        start: () => launch(id, docker, port, i + 1),
      };
    }),
  );

  log(`${count} engine(s) started, images loaded, in ${Date.now() - started} ms`);

  const stop = async () => {
    const stopping = Date.now();
    await Promise.all(
      engines.map(async (engine, i) => {
        const id = `${tag}-${i + 1}`;
        const child = children.get(id);
        if (child && child.exitCode === null) {
          // Containers first, while the engine answers: their processes would outlive a stopped dockerd.
          const all = await engine.docker.listContainers({ all: true }).catch(() => []);
          await Promise.all(
            all.map((c) =>
              engine.docker
                .getContainer(c.Id)
                .remove({ force: true, v: true })
                .catch(() => undefined),
            ),
          );
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          const late = setTimeout(() => child.kill("SIGKILL"), 20_000);
          await exited;
          clearTimeout(late);
        }
        await removeDirs(id);
      }),
    );
    log(`stopped and removed in ${Date.now() - stopping} ms`);
  };
  return { engines, stop };
}

const log = (line: string) => console.log(`[extra-engines] ${line}`);

/** The docker CLI (the machine's client) against any engine. */
async function cli(args: string[]): Promise<string> {
  const { stdout } = await exec("docker", args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** `docker -H <engine> ps -a --filter …`: ids of the containers matching every filter. */
export async function containersOn(engine: ExtraEngine, ...filters: string[]): Promise<string[]> {
  const out = await cli(["-H", engine.endpoint, "ps", "-aq", ...filters.flatMap((f) => ["--filter", f])]);
  return out.split("\n").filter(Boolean);
}

/** `docker -H <engine> network ls --filter …`: ids of the networks matching every filter. */
export async function networksOn(engine: ExtraEngine, ...filters: string[]): Promise<string[]> {
  const out = await cli(["-H", engine.endpoint, "network", "ls", "-q", ...filters.flatMap((f) => ["--filter", f])]);
  return out.split("\n").filter(Boolean);
}

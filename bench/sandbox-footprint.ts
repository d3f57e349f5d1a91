// What one sandbox costs the machine, by kind, for sizing a deployment (docs/deploy.md): the time from Start until
// it is usable, and once settled, each host's memory and CPU (`docker stats --no-stream`), and how much memory the
// machine gave up per sandbox in all (MemAvailable before they exist against with them).
//   plain            one host, idle: what a warm pool holds
//   plain + terminal one host with a terminal open (tmux and a login shell): a learner reading a step
//   docker           one host with its own Docker engine, usable once `docker info` answers inside
//   docker + redis   one such host that pulled redis:7.0 through the registry mirror and runs it (a Docker lab's work)
//   docker-swarm     two such hosts
// Run: node --import tsx bench/sandbox-footprint.ts [sessions per kind, default 6]
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { promisify } from "node:util";
import { DockerDriver, RegistryMirror } from "@dockyard/sandbox";
import Docker from "dockerode";

const run = promisify(execFile);
const INSTANCE = "bench-footprint";
const count = Number(process.argv[2] ?? 6);
const docker = new Docker();
const driver = new DockerDriver({ docker, instance: INSTANCE, mirror: new RegistryMirror({ docker }) });
const plain = "dockyard/sandbox:latest";
const withDocker = "dockyard/sandbox-docker:latest";

interface Kind {
  name: string;
  hosts: { name: string; image: string; docker?: boolean }[];
  terminal?: boolean;
  /** Run on each Docker host once its engine answers. */
  work?: string;
}
const kinds: Kind[] = [
  { name: "plain", hosts: [{ name: "host01", image: plain }] },
  { name: "plain + terminal", hosts: [{ name: "host01", image: plain }], terminal: true },
  { name: "docker", hosts: [{ name: "host01", image: withDocker, docker: true }] },
  {
    name: "docker + redis",
    hosts: [{ name: "host01", image: withDocker, docker: true }],
    work: "docker run -d --name redis redis:7.0",
  },
  {
    name: "docker-swarm (2 hosts)",
    hosts: [
      { name: "host01", image: withDocker, docker: true },
      { name: "host02", image: withDocker, docker: true },
    ],
  },
];

let counter = 0;
const sid = () => `s-${(Date.now() * 1000 + counter++).toString(16).padStart(16, "0").slice(-16)}`;
const memAvailableMiB = () =>
  Number(/MemAvailable:\s+(\d+)/.exec(readFileSync("/proc/meminfo", "utf8"))?.[1] ?? Number.NaN) / 1024;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** From Start until the learner can use it: a shell prompt, or for Docker hosts an engine that answers. */
async function start(kind: Kind): Promise<{ sessionId: string; ms: number; close: () => void }> {
  const started = performance.now();
  const sessionId = sid();
  unwrap(await driver.createSession({ sessionId, userId: "bench", scenario: "bench", hosts: kind.hosts }, () => {}));
  for (const host of kind.hosts.filter((h) => h.docker)) {
    for (let i = 0; ; i++) {
      const probe = unwrap(
        await driver.runScript({ sessionId, host: host.name, script: "docker info", timeoutMs: 10_000, env: {} }),
      );
      if (probe.exitCode === 0) break;
      if (i > 120) throw new Error(`the engine in ${host.name} did not answer`);
      await sleep(250);
    }
    if (kind.work) {
      const done = unwrap(
        await driver.runScript({ sessionId, host: host.name, script: kind.work, timeoutMs: 120_000, env: {} }),
      );
      if (done.exitCode !== 0) throw new Error(`${kind.work}: ${done.stderr}`);
    }
  }
  let close = () => {};
  if (kind.terminal) {
    const terminal = unwrap(
      await driver.openTerminal({ sessionId, host: "host01", cols: 120, rows: 40, name: "bench" }),
    );
    await new Promise<void>((done) => terminal.onData(() => done()));
    close = () => terminal.dispose();
  }
  return { sessionId, ms: performance.now() - started, close };
}

/** Each running host of this bench: memory (MiB) and CPU (%), one sample. */
async function stats(): Promise<Map<string, { mib: number; cpu: number }>> {
  const { stdout } = await run("docker", [
    "stats",
    "--no-stream",
    "--format",
    "{{.Name}}\t{{.MemUsage}}\t{{.CPUPerc}}",
    ...(await run("docker", ["ps", "-q", "--filter", `label=dockyard.instance=${INSTANCE}`])).stdout.trim().split("\n"),
  ]);
  const units: Record<string, number> = { B: 1 / 1048576, KiB: 1 / 1024, MiB: 1, GiB: 1024 };
  const out = new Map<string, { mib: number; cpu: number }>();
  for (const line of stdout.trim().split("\n")) {
    const [name = "", mem = "", cpu = ""] = line.split("\t");
    const [, value = "0", unit = "B"] = /^([\d.]+)\s*([A-Za-z]+)/.exec(mem) ?? [];
    out.set(name, { mib: Number(value) * (units[unit] ?? Number.NaN), cpu: Number.parseFloat(cpu) });
  }
  return out;
}

const rows: string[] = [];
for (const kind of kinds) {
  const before = memAvailableMiB();
  const sessions = [];
  for (let i = 0; i < count; i++) sessions.push(await start(kind));
  await sleep(15_000);
  const figures = [...(await stats()).values()];
  const during = memAvailableMiB();
  // The nested engine's store (images, containers) is on a volume of its own, outside the disk cap.
  const stores: number[] = [];
  for (const s of sessions) {
    for (const host of kind.hosts.filter((h) => h.docker)) {
      const du = unwrap(
        await driver.runScript({
          sessionId: s.sessionId,
          host: host.name,
          script: "du -sxm /var/lib/docker",
          timeoutMs: 60_000,
          env: {},
        }),
      );
      stores.push(Number.parseInt(du.stdout, 10));
    }
  }
  for (const s of sessions) {
    s.close();
    unwrap(await driver.removeSession(s.sessionId));
  }
  const perHost = median(figures.map((f) => f.mib));
  rows.push(
    `| ${kind.name} | ${median(sessions.map((s) => s.ms)).toFixed(0)} | ${perHost.toFixed(1)} | ` +
      `${(perHost * kind.hosts.length).toFixed(1)} | ${((before - during) / count).toFixed(1)} | ` +
      `${median(figures.map((f) => f.cpu)).toFixed(2)} | ${stores.length ? median(stores) : "-"} |`,
  );
  console.log(rows.at(-1));
}

console.log(
  `\n${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${count} per kind`,
);
console.log(
  "| sandbox | start to usable, median ms | memory per host, MiB | per sandbox | machine gave up per sandbox, MiB | CPU per host, % | inner Docker store per host, MiB |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);

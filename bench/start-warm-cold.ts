// Start to a usable prompt through the gateway's control plane, warm (from the pool) and cold, beside a plain
// `docker run` of the same image measured in the same run; a burst of 50 simultaneous starts; memory of idle
// sandboxes.
// Run: npm run bench:start   (node --import tsx bench/start-warm-cold.ts [rounds])
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { createDb } from "@dockyard/db";
import { migrate } from "@dockyard/db/migrate";
import { DockerDriver } from "@dockyard/sandbox";
import { SessionManager } from "../apps/gateway/src/session-manager.ts";

const run = promisify(execFile);
const IMAGE = "dockyard/sandbox:latest";
const HOSTS = [{ name: "host01", image: IMAGE }];
const rounds = Number(process.argv[2] ?? 20);
const dir = mkdtempSync(join(tmpdir(), "dockyard-bench-"));
const url = `file:${join(dir, "bench.db")}`;
await migrate(url, resolve(import.meta.dirname, "../prisma"));
const db = createDb(url);
const driver = new DockerDriver({ instance: "bench" });
let counter = 0;
const sid = () => `s-${(Date.now() * 1000 + counter++).toString(16).padStart(16, "0").slice(-16)}`;

const manager = (poolSize: number, maxStarting = 10) =>
  new SessionManager({
    driver,
    db,
    limits: { maxSessions: 500, maxPerUser: 500, maxStarting },
    lifetime: { ttlSeconds: 3600, maxTtlSeconds: 7200, idleSeconds: 3600 },
    internet: true,
    allowDocker: false,
    attachedTerminals: () => 0,
    pool: { size: poolSize, warm: [HOSTS] },
    log: () => undefined,
  });

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** Start (admit and create) until the shell's first byte: what a learner waits for after pressing Start. */
async function startToPrompt(m: SessionManager): Promise<{ ms: number; sessionId: string }> {
  const started = performance.now();
  const admitted = unwrap(await m.admit({ sessionId: sid(), userId: "bench", scenario: "bench", hosts: HOSTS }));
  const state = unwrap(await m.create(admitted, () => undefined));
  const terminal = unwrap(
    await driver.openTerminal({ sessionId: state.sessionId, host: "host01", cols: 80, rows: 24 }),
  );
  await new Promise<void>((done) => terminal.onData(() => done()));
  const ms = performance.now() - started;
  terminal.dispose();
  return { ms, sessionId: state.sessionId };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const row = (name: string, values: number[]) =>
  `| ${name} | ${percentile(values, 50).toFixed(0)} | ${percentile(values, 95).toFixed(0)} | ${Math.min(...values).toFixed(0)} |`;

const baseline: number[] = [];
const cold: number[] = [];
const warm: number[] = [];
const coldManager = manager(0);
const warmManager = manager(1);
void warmManager.warmPools();
const waitWarm = async () => {
  while (warmManager.warmCount() < 1) await new Promise((r) => setTimeout(r, 20));
};
for (let i = 0; i < rounds; i++) {
  const t = performance.now();
  await run("docker", ["run", "--rm", IMAGE, "true"]);
  baseline.push(performance.now() - t);
  const c = await startToPrompt(coldManager);
  cold.push(c.ms);
  await coldManager.remove(c.sessionId);
  await waitWarm();
  // Let the refill of the last round settle, so it does not share the machine with this start.
  await new Promise((r) => setTimeout(r, 300));
  const w = await startToPrompt(warmManager);
  warm.push(w.ms);
  await warmManager.remove(w.sessionId);
}
await warmManager.drainPools();

// A burst: 50 starts at once.
const burstManager = manager(0, 50);
const burstStarted = performance.now();
const burst = await Promise.allSettled(Array.from({ length: 50 }, () => startToPrompt(burstManager)));
const burstMs = performance.now() - burstStarted;
const burstOk = burst.filter((r) => r.status === "fulfilled");
const failures = burst.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));

// Memory of idle sandboxes: what their cgroups hold, and what the host lost, with 50 idle ones running.
const before = await run("sh", ["-c", "grep MemAvailable /proc/meminfo | awk '{print $2}'"]);
await new Promise((r) => setTimeout(r, 3000));
const stats = await run("docker", ["stats", "--no-stream", "--format", "{{.MemUsage}}", "--no-trunc"]);
const perContainerMiB = stats.stdout
  .trim()
  .split("\n")
  .map((line) => line.split("/")[0]?.trim() ?? "")
  .map((v) =>
    v.endsWith("GiB")
      ? Number.parseFloat(v) * 1024
      : v.endsWith("KiB")
        ? Number.parseFloat(v) / 1024
        : Number.parseFloat(v),
  )
  .filter((v) => Number.isFinite(v));
const idleMiB = percentile(perContainerMiB, 50);
for (const r of burstOk)
  await burstManager.remove((r as PromiseFulfilledResult<{ sessionId: string }>).value.sessionId);
const after = await run("sh", ["-c", "grep MemAvailable /proc/meminfo | awk '{print $2}'"]);
const hostMiBPerSandbox = (Number(after.stdout) - Number(before.stdout)) / 1024 / Math.max(1, burstOk.length);

console.log(
  `\nMachine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB; Docker ${unwrap(await driver.ping()).version}; Node ${process.version}; ${rounds} rounds; ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log("| Start to prompt | median ms | p95 ms | min ms |");
console.log("| --- | ---: | ---: | ---: |");
console.log(row("`docker run --rm` (baseline)", baseline));
console.log(row("cold (network + container + start + shell)", cold));
console.log(row("warm (from the pool + shell)", warm));
console.log(
  `\nCold median / baseline median: ${(percentile(cold, 50) / percentile(baseline, 50)).toFixed(2)}. Burst of 50: ${burstOk.length} ready in ${(burstMs / 1000).toFixed(1)} s, ${failures.length} errors${failures.length ? `: ${failures[0]}` : ""}.`,
);
console.log(
  `Idle sandbox memory: median ${idleMiB.toFixed(1)} MiB in its cgroup (docker stats, 50 idle); the host gave up ${hostMiBPerSandbox.toFixed(1)} MiB each (MemAvailable before and after removing them): about ${Math.floor(8192 / Math.max(idleMiB, hostMiBPerSandbox))} idle sandboxes fit in 8 GiB.`,
);
await db.$disconnect();
rmSync(dir, { recursive: true, force: true });

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { startTestPostgres } from "../scripts/test-postgres.mjs";
import { INSTANCE_LABEL, INSTANCES } from "./instances.ts";

const root = join(import.meta.dirname, "..");
const logs = join(root, ".dockyard/e2e-multi");

async function asAdmin(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function ready(url: string, child: ChildProcess, name: string) {
  // `npm start` may first build the web app and the images (minutes on a fresh checkout).
  for (let i = 0; i < 2400; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}); see ${logs}`);
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not answer at ${url}; see ${logs}`);
}

const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

/** Sandboxes a failed journey left are removed (the gateways keep users' sandboxes when they stop). */
function removeSandboxes() {
  const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
  const containers = docker("ps", "-aq", "--filter", `label=dockyard.instance=${INSTANCE_LABEL}`);
  if (containers) docker("rm", "-f", "-v", ...containers.split("\n"));
  for (const network of docker("network", "ls", "-q", "--filter", `label=dockyard.instance=${INSTANCE_LABEL}`)
    .split("\n")
    .filter(Boolean)) {
    try {
      execFileSync("docker", ["network", "disconnect", "-f", network, "dockyard-registry"], { stdio: "ignore" });
    } catch {}
    try {
      execFileSync("docker", ["network", "rm", network], { stdio: "ignore" });
    } catch {}
  }
}

/**
 * One PostgreSQL database (DOCKYARD_TEST_POSTGRES_URL's server, or a throwaway one), then each instance's
 * `npm start` in turn (the first prepares the checkout: migrations, images, the web build). Resolves with the
 * teardown: processes stopped, sandboxes removed, database dropped.
 */
export default async function globalSetup() {
  mkdirSync(logs, { recursive: true });
  const given = process.env.DOCKYARD_TEST_POSTGRES_URL;
  const server = given ? undefined : await startTestPostgres(join(root, ".dockyard/e2e-multi-postgres"));
  const admin = given ?? server?.url ?? "";
  const name = `dockyard_e2e_multi_${Date.now().toString(36)}`;
  await asAdmin(admin, `CREATE DATABASE "${name}"`);
  const database = new URL(admin);
  database.pathname = `/${name}`;

  const children: ChildProcess[] = [];
  const teardown = async () => {
    await Promise.all(children.map(stopped));
    removeSandboxes();
    await asAdmin(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    server?.stop();
  };
  try {
    for (const [i, instance] of INSTANCES.entries()) {
      const log = createWriteStream(join(logs, `instance-${i + 1}.log`));
      const child = spawn(process.execPath, [join(root, "scripts/start.mjs")], {
        cwd: root,
        env: {
          ...process.env,
          PORT: String(instance.webPort),
          GATEWAY_PORT: String(instance.gatewayPort),
          DATABASE_URL: database.toString(),
          DOCKYARD_INSTANCE: INSTANCE_LABEL,
          // No warm pools: every Start makes its sandbox, whichever gateway takes it.
          SANDBOX_POOL_SIZE: "0",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      children.push(child);
      await ready(`${instance.web}/api/health`, child, instance.name);
      await ready(`http://127.0.0.1:${instance.gatewayPort}/healthz`, child, `${instance.name}'s gateway`);
    }
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

// npm run deploy: Dockyard's compose deployment (docker/compose.yaml; docs/deploy.md) in one command.
//   npm run deploy                      build what is missing, write docker/.env if absent, start, wait until healthy
//   npm run deploy -- down              stop the services (sandboxes stay, and are adopted at the next start)
//   npm run deploy -- down --sandboxes  also remove this installation's sandboxes; --volumes also its database (!)
//   npm run deploy -- status | logs [service] | admin --email you@example.com
//   npm run deploy -- compose <arguments>   any compose command on this deployment (restart proxy, exec …)
// DOCKYARD_ENV_FILE names another settings file (default docker/.env).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dockerDir = join(root, "docker");
const envFile = resolve(process.env.DOCKYARD_ENV_FILE ?? join(dockerDir, ".env"));
const say = (message) => console.log(`[deploy] ${message}`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
  return result;
}

const succeeds = (command, args) => spawnSync(command, args, { stdio: "ignore" }).status === 0;

/** `docker compose` (v2), else Debian's `docker-compose` 1.29, installed from Debian when neither is there. */
function composeCommand() {
  if (succeeds("docker", ["compose", "version"])) return ["docker", "compose"];
  if (succeeds("docker-compose", ["version"])) return ["docker-compose"];
  if (process.getuid?.() === 0 && succeeds("apt-get", ["--version"])) {
    say("no compose found: installing Debian's docker-compose");
    run("apt-get", ["install", "-y", "-qq", "docker-compose"], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    return ["docker-compose"];
  }
  throw new Error("Neither `docker compose` nor `docker-compose` is installed: apt-get install -y docker-compose");
}

/** KEY=value lines, as compose reads them (no quotes, # comments). */
function readSettings(file) {
  const settings = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1]) settings[match[1]] = (match[2] ?? "").trim();
  }
  return settings;
}

/** docker/.env from the example, with fresh secrets where they are empty (and DOCKYARD_DOMAIN from the shell). */
function ensureSettings() {
  const existed = existsSync(envFile);
  let text = readFileSync(existed ? envFile : join(dockerDir, ".env.example"), "utf8");
  const fill = (key, value) => {
    const line = new RegExp(`^${key}=\\s*$`, "m");
    if (line.test(text)) text = text.replace(line, `${key}=${value}`);
  };
  fill("DOCKYARD_SECRET", randomBytes(32).toString("hex"));
  fill("POSTGRES_PASSWORD", randomBytes(24).toString("hex"));
  if (!existed && process.env.DOCKYARD_DOMAIN) {
    text = text.replace(/^DOCKYARD_DOMAIN=.*$/m, `DOCKYARD_DOMAIN=${process.env.DOCKYARD_DOMAIN}`);
  }
  mkdirSync(dirname(envFile), { recursive: true });
  writeFileSync(envFile, text, { mode: 0o600 });
  chmodSync(envFile, 0o600);
  if (!existed) say(`wrote ${envFile} (fresh secrets; edit it and run npm run deploy again to change settings)`);
  return readSettings(envFile);
}

function composeArgs(settings) {
  const files = ["compose.yaml", "compose.override.yaml"].filter((f) => existsSync(join(dockerDir, f)));
  return [
    "-p",
    settings.COMPOSE_PROJECT_NAME || "dockyard",
    "--env-file",
    envFile,
    ...files.flatMap((f) => ["-f", join(dockerDir, f)]),
  ];
}

/** GET https://127.0.0.1:port/path as the browser asks for it (SNI and Host of the domain), any certificate. */
function probe(settings, path) {
  return new Promise((done) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: Number(settings.DOCKYARD_HTTPS_PORT || 443),
        path,
        servername: settings.DOCKYARD_DOMAIN,
        headers: { host: settings.DOCKYARD_DOMAIN },
        rejectUnauthorized: false,
        timeout: 5000,
      },
      (res) => {
        res.resume();
        done(res.statusCode === 200);
      },
    );
    req.on("error", () => done(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

async function waitHealthy(settings, compose, args) {
  const started = Date.now();
  while (Date.now() - started < 600_000) {
    const [web, gateway] = await Promise.all([probe(settings, "/api/health"), probe(settings, "/gw/healthz")]);
    if (web && gateway) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
  spawnSync(compose[0], [...compose.slice(1), ...args, "ps"], { stdio: "inherit" });
  spawnSync(compose[0], [...compose.slice(1), ...args, "logs", "--tail", "40"], { stdio: "inherit" });
  throw new Error("Dockyard did not become healthy in 10 minutes (the services' state and logs are above)");
}

/** This installation's sandboxes and their networks (the registry mirror is taken off the networks first). */
function removeSandboxes(instance) {
  const docker = (...args) => spawnSync("docker", args, { encoding: "utf8" }).stdout.trim();
  const containers = docker("ps", "-aq", "--filter", `label=dockyard.instance=${instance}`).split("\n").filter(Boolean);
  if (containers.length) docker("rm", "-f", "-v", ...containers);
  const networks = docker("network", "ls", "-q", "--filter", `label=dockyard.instance=${instance}`)
    .split("\n")
    .filter(Boolean);
  for (const network of networks) {
    docker("network", "disconnect", "-f", network, "dockyard-registry");
    docker("network", "rm", network);
  }
  say(`removed ${containers.length} sandbox container(s) and ${networks.length} network(s) of instance ${instance}`);
}

async function main() {
  const [action = "up", ...rest] = process.argv.slice(2);
  if (!succeeds("docker", ["info"]))
    throw new Error("The Docker engine does not answer (see README.md, Prerequisites)");
  const compose = composeCommand();
  const settings = ensureSettings();
  const args = composeArgs(settings);
  const env = { ...process.env, DOCKYARD_ENV_FILE: envFile };
  const composeRun = (...more) => run(compose[0], [...compose.slice(1), ...args, ...more], { env });

  switch (action) {
    case "up": {
      const started = Date.now();
      run("bash", [join(dockerDir, "build-images.sh"), "deploy"]);
      mkdirSync(resolve(dockerDir, settings.DOCKYARD_TLS_DIR || "./tls"), { recursive: true });
      const up = Date.now();
      composeRun("up", "-d", "--remove-orphans");
      await waitHealthy(settings, compose, args);
      const port = settings.DOCKYARD_HTTPS_PORT || "443";
      const url = `https://${settings.DOCKYARD_DOMAIN}${port === "443" ? "" : `:${port}`}/`;
      say(`images ${Math.round((up - started) / 1000)} s, up to healthy ${Math.round((Date.now() - up) / 1000)} s`);
      say(`ready: ${url}`);
      if (!settings.DOCKYARD_ADMIN_EMAIL) {
        say("first admin: npm run deploy -- admin --email you@example.com   (asks for the password)");
      }
      return;
    }
    case "down":
      composeRun("down", ...(rest.includes("--volumes") ? ["--volumes"] : []));
      if (rest.includes("--sandboxes") || rest.includes("--volumes")) {
        removeSandboxes(settings.DOCKYARD_INSTANCE || "default");
      }
      return;
    case "status":
      composeRun("ps");
      return;
    case "logs":
      composeRun("logs", "--tail", "200", ...rest);
      return;
    case "admin":
      // Through the image's entry, which derives DATABASE_URL as the services do.
      composeRun(
        "exec",
        ...(process.stdin.isTTY ? [] : ["-T"]),
        "web",
        "/app/docker/dockyard/dockyard-start",
        "node",
        "packages/cli/bin/dockyard.mjs",
        "admin",
        "create",
        ...rest,
      );
      return;
    case "compose":
      composeRun(...rest);
      return;
    default:
      throw new Error(`unknown action ${action}: up, down [--sandboxes] [--volumes], status, logs, admin, compose`);
  }
}

main().catch((error) => {
  console.error(`[deploy] ${error.message}`);
  process.exit(1);
});

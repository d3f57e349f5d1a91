// npm run deploy:smoke: the compose deployment from its one command, the Playwright smoke journey against it
// (e2e-deploy/, playwright.deploy.config.ts), then everything of it removed (containers, database volume, sandboxes;
// the images stay). It runs beside other Dockyards on the same engine: its own compose project, ports, sandbox label
// and settings file under .dockyard/deploy-smoke/. Prints each phase's duration.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root, say } from "./prepare.mjs";

const dir = join(root, ".dockyard/deploy-smoke");
const envFile = join(dir, "deploy.env");
const domain = "dockyard.test";
const httpsPort = process.env.DOCKYARD_SMOKE_HTTPS_PORT ?? "8443";
const admin = { email: "admin@deploy.test", password: "deploy smoke admin password" };

rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, "tls"), { recursive: true });
// Secrets are left empty: the deploy command makes them, as it does for an operator.
writeFileSync(
  envFile,
  [
    `DOCKYARD_DOMAIN=${domain}`,
    `DOCKYARD_HTTP_PORT=${process.env.DOCKYARD_SMOKE_HTTP_PORT ?? "8080"}`,
    `DOCKYARD_HTTPS_PORT=${httpsPort}`,
    `DOCKYARD_TLS_DIR=${join(dir, "tls")}`,
    "DOCKYARD_SECRET=",
    "POSTGRES_PASSWORD=",
    `DOCKYARD_ADMIN_EMAIL=${admin.email}`,
    `DOCKYARD_ADMIN_PASSWORD=${admin.password}`,
    "COMPOSE_PROJECT_NAME=dockyard-deploy-test",
    "DOCKYARD_INSTANCE=deploy-test",
    "DOCKYARD_WEB_PORT=3400",
    "DOCKYARD_GATEWAY_PORT=3401",
    "DOCKYARD_GATEWAY_INTERNAL_PORT=3402",
    "DOCKYARD_POSTGRES_PORT=55432",
    "SANDBOX_SUBNETS=10.215.0.0/16",
    "SANDBOX_POOL_SIZE=1",
    "",
  ].join("\n"),
);

const env = { ...process.env, DOCKYARD_ENV_FILE: envFile };
// npm test asks for the journey's JSON report, to count its tests in the summary.
const report = process.env.DOCKYARD_SMOKE_REPORT;
const times = [];
function phase(name, command, args, extra = {}) {
  say(`— ${name}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...env, ...extra } });
  times.push(`${name} ${Math.round((Date.now() - started) / 1000)} s`);
  return result.status === 0;
}

const deploy = join(root, "scripts/deploy.mjs");
let ok = phase("deploy (images, up, healthy)", process.execPath, [deploy, "up"]);
if (ok) {
  ok = phase(
    "smoke journey",
    join(root, "node_modules/.bin/playwright"),
    ["test", "-c", "playwright.deploy.config.ts", ...(report ? ["--reporter=list,json"] : [])],
    {
      ...(report ? { PLAYWRIGHT_JSON_OUTPUT_NAME: report } : {}),
      DOCKYARD_SMOKE_URL: `https://${domain}:${httpsPort}`,
      DOCKYARD_SMOKE_ADMIN_EMAIL: admin.email,
      DOCKYARD_SMOKE_ADMIN_PASSWORD: admin.password,
    },
  );
}
if (!ok) phase("logs", process.execPath, [deploy, "logs"]);
ok = phase("down (services, volumes, sandboxes)", process.execPath, [deploy, "down", "--volumes"]) && ok;
for (const made of ["tls", "deploy.env"]) rmSync(join(dir, made), { recursive: true, force: true });
say(`${times.join(", ")}: ${ok ? "passed" : "FAILED"}`);
process.exit(ok ? 0 : 1);

// Everything `npm start` and `npm test` need before they run, each step skipped when already done:
// dependencies, the shared secret, the database, the Docker engine check, the sandbox image and the web build.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const dataDir = join(root, ".dockyard");

export const say = (message) => console.log(`[dockyard] ${message}`);

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
    throw new Error(`${command} ${args.join(" ")} failed (${why})`);
  }
}

function checkNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new Error(`Dockyard needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
  }
}

function ensureDependencies() {
  const marker = join(root, "node_modules/.package-lock.json");
  const lock = join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say("installing dependencies (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

/** The secret shared by web and gateway; made once per checkout unless DOCKYARD_SECRET is set. */
export function ensureSecret() {
  if (process.env.DOCKYARD_SECRET) return process.env.DOCKYARD_SECRET;
  const file = join(dataDir, "secret");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

function migrate(databaseUrl) {
  run("node", ["--import", "tsx", "packages/db/scripts/migrate.ts"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}

function ensureDocker() {
  const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8" });
  if (info.status === 0) return;
  throw new Error(
    [
      "The Docker engine does not answer, and Dockyard's sandboxes are Docker containers.",
      "On Debian: apt-get install -y docker.io && (dockerd >/var/log/dockerd.log 2>&1 &) — see README.md.",
      (info.stderr || info.error?.message || "").trim(),
    ].join("\n"),
  );
}

const notSource = [
  "node_modules",
  ".next",
  ".turbo",
  "generated",
  "generated-postgresql",
  "test-results",
  "next-env.d.ts",
];

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (notSource.includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (!entry.name.endsWith(".test.ts")) yield path;
  }
}

function webSourceDigest() {
  const hash = createHash("sha256");
  for (const dir of ["apps/web", "packages/protocol", "packages/scenario/src", "packages/db/src", "packages/token"]) {
    for (const file of [...sourceFiles(join(root, dir))].sort()) {
      hash.update(relative(root, file)).update(readFileSync(file));
    }
  }
  hash.update(readFileSync(join(root, "package-lock.json")));
  return hash.digest("hex");
}

/** `next build` when the web app or a package it uses changed since the last build. */
function ensureWebBuild() {
  const stamp = join(root, "apps/web/.next/dockyard-source-hash");
  const built = existsSync(join(root, "apps/web/.next/BUILD_ID")) && existsSync(stamp);
  if (built && readFileSync(stamp, "utf8") === webSourceDigest()) return;
  say("building the web app (next build; about a minute)");
  run(join(root, "node_modules/.bin/next"), ["build"], {
    cwd: join(root, "apps/web"),
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  writeFileSync(stamp, webSourceDigest());
}

/** Makes the checkout ready to run; returns the environment web and gateway share. */
export function prepare({ databaseUrl }) {
  checkNode();
  ensureDependencies();
  const secret = ensureSecret();
  migrate(databaseUrl);
  ensureDocker();
  run("bash", ["docker/build-images.sh"]);
  ensureWebBuild();
  return { DOCKYARD_SECRET: secret, DATABASE_URL: databaseUrl };
}

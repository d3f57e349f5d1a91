// npm test's PostgreSQL: which test files touch the database, and a throwaway server to run them on (a fresh
// cluster in .dockyard, trust authentication, its own port and socket folder), stopped and removed at the end.
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative } from "node:path";

/** Test files (as vitest finds them) that make a test database: they import the helper or the gateway's tempDb. */
export function databaseTestFiles(root) {
  const uses = /from\s+["'][^"']*\b(test-database|temp-db)(\.ts)?["']/;
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (["node_modules", ".next", ".turbo", "generated", "generated-postgresql"].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".test.ts") && uses.test(readFileSync(path, "utf8")))
        found.push(relative(root, path));
    }
  };
  for (const dir of ["packages", "apps"]) walk(join(root, dir));
  return found.sort();
}

/** PostgreSQL's server programs (initdb, pg_ctl): where pg_config says, else the newest of Debian's. */
export function postgresBinDir() {
  const candidates = [];
  const configured = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  if (configured.status === 0) candidates.push(configured.stdout.trim());
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(debian, version, "bin")));
  }
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")));
}

const isFree = (port) =>
  new Promise((resolve) => {
    const probe = createServer()
      .once("error", () => resolve(false))
      .listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });

async function freePort(from) {
  for (let port = from; port < from + 100; port++) if (await isFree(port)) return port;
  throw new Error(`no free port for PostgreSQL in ${from}-${from + 99}`);
}

/**
 * Starts a new PostgreSQL cluster in `dir` (whatever was there is removed) on a free port from 5433; resolves with
 * its admin URL and `stop()`, which stops it and removes `dir`.
 */
export async function startTestPostgres(dir, { port: firstPort = 5433 } = {}) {
  const bin = postgresBinDir();
  if (!bin) {
    throw new Error(
      "PostgreSQL is not installed, and the database tests run on it as well as on SQLite.\n" +
        "On Debian: apt-get install -y postgresql (or set DOCKYARD_TEST_POSTGRES_URL to a server's admin URL).",
    );
  }
  // Root cannot run PostgreSQL's programs: as root, they run as `postgres`, which owns `dir`.
  let owner;
  if (process.getuid?.() === 0) {
    const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (uid.status !== 0 || gid.status !== 0) {
      throw new Error(
        "Running as root, and there is no postgres user to run PostgreSQL as (Debian's package makes one).",
      );
    }
    owner = { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  const spawnAsOwner = (program, args) =>
    owner
      ? spawnSync("runuser", ["-u", "postgres", "--", program, ...args], { encoding: "utf8" })
      : spawnSync(program, args, { encoding: "utf8" });
  const run = (program, args) => {
    const result = spawnAsOwner(program, args);
    if (result.status !== 0) {
      const output = (result.stderr || result.stdout || result.error?.message || "").trim();
      throw new Error(`${program} ${args.join(" ")} failed: ${output}`);
    }
  };
  const data = join(dir, "data");
  const log = join(dir, "postgres.log");
  const pgCtl = join(bin, "pg_ctl");
  // A server an earlier run could not stop (it was killed) goes first.
  if (existsSync(join(data, "postmaster.pid"))) spawnAsOwner(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (owner) chownSync(dir, owner.uid, owner.gid);
  run(join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  const port = await freePort(firstPort);
  // Throwaway data: no fsync; the socket sits in `dir`, not in /var/run/postgresql.
  const options = `-p ${port} -k "${dir}" -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  try {
    run(pgCtl, ["-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"]);
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-20).join("\n") : "";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${error.message}\n${tail}`);
  }
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      if (stopped) return;
      stopped = true;
      spawnAsOwner(pgCtl, ["-D", data, "-m", "fast", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { dirname, isAbsolute, join, resolve } from "node:path";
import { loadSshPools, RoutingDriver, type SandboxDriver, SshDriver } from "@dockyard/sandbox";
import type { GatewayEnv } from "./env.ts";
import { log } from "./log.ts";
import { POOL_OWNER } from "./session-manager.ts";

/**
 * With an ssh pools file (SANDBOX_SSH_POOLS_FILE): the ssh driver beside `driver`, sessions of `ssh` environments
 * routed to it and the rest to `driver`. Without one: `driver` alone. Throws, naming the file, when the pools file
 * or the machine state is wrong (the gateway does not start).
 */
export function withSshPools(
  driver: SandboxDriver,
  env: Pick<GatewayEnv, "SANDBOX_SSH_POOLS_FILE" | "SANDBOX_SSH_STATE_FILE" | "DATABASE_URL">,
): { driver: SandboxDriver; ssh?: SshDriver } {
  if (!env.SANDBOX_SSH_POOLS_FILE) return { driver };
  const ssh = new SshDriver({
    pools: loadSshPools(env.SANDBOX_SSH_POOLS_FILE),
    stateFile: stateFileOf(env),
    warmPoolOwner: POOL_OWNER,
    log,
  });
  return { driver: new RoutingDriver(driver, [ssh]), ssh };
}

/** Where the machines' state lives: as configured, else beside the SQLite database (the gateway's data). */
function stateFileOf(env: Pick<GatewayEnv, "SANDBOX_SSH_STATE_FILE" | "DATABASE_URL">): string {
  if (env.SANDBOX_SSH_STATE_FILE) return resolve(env.SANDBOX_SSH_STATE_FILE);
  if (!env.DATABASE_URL.startsWith("file:")) {
    throw new Error("SANDBOX_SSH_STATE_FILE is needed with ssh pools when the database is not a SQLite file.");
  }
  const db = env.DATABASE_URL.slice("file:".length).replace(/\?.*$/, "");
  return join(dirname(isAbsolute(db) ? db : resolve(db)), "ssh-machines.json");
}

import { type Db, ensureFirstEngine, findEngine, getLease, listEngines, moveLeases } from "@dockyard/db";
import { DockerDriver, EngineFleet, RegistryMirror } from "@dockyard/sandbox";
import { endpointOf } from "./engine-registry.ts";
import type { GatewayEnv } from "./env.ts";
import { log } from "./log.ts";

/** The engine a one-machine install runs on: this machine's own, registered at the first start. */
export const LOCAL_ENGINE = "local";

/**
 * The gateway's engines, as the database lists them. With none registered yet, this machine's engine (DOCKER_SOCKET)
 * becomes `local`, so a one-machine install needs no setup; and leases from before engines were registered (which
 * carry the installation's name, DOCKYARD_INSTANCE) move to it.
 */
export async function createLocalFleet(
  env: GatewayEnv,
  db: Db,
  gatewayId: string,
): Promise<{ fleet: EngineFleet; mirror: RegistryMirror | undefined }> {
  const registered = await ensureFirstEngine(db, {
    name: LOCAL_ENGINE,
    endpoint: `unix://${env.DOCKER_SOCKET}`,
    capacity: env.SANDBOX_MAX_SESSIONS,
    // The local engine may run hosts with their own Docker engine (when SANDBOX_ALLOW_DOCKER lets them at all).
    labels: ["docker"],
    subnets: null,
  });
  if (registered) log("info", `registered this machine's Docker engine as "${LOCAL_ENGINE}"`);
  if (
    env.DOCKYARD_INSTANCE !== LOCAL_ENGINE &&
    (await findEngine(db, LOCAL_ENGINE)) &&
    !(await findEngine(db, env.DOCKYARD_INSTANCE))
  ) {
    const moved = await moveLeases(db, env.DOCKYARD_INSTANCE, LOCAL_ENGINE);
    if (moved > 0) log("info", `${moved} sandbox lease(s) from before engines moved to "${LOCAL_ENGINE}"`);
  }
  const fleet = new EngineFleet({
    driverFor: (docker, engine) =>
      new DockerDriver({
        docker,
        // Nested engines (the `docker` environment) pull through the registry mirror beside them, one per engine.
        mirror: new RegistryMirror({ docker, upstream: env.SANDBOX_REGISTRY_UPSTREAM }),
        instance: env.DOCKYARD_INSTANCE,
        gateway: gatewayId,
        limits: { diskBytes: env.SANDBOX_DISK_MB * 1024 * 1024 },
        subnets: engine.subnets ?? env.SANDBOX_SUBNETS,
      }),
    locate: async (sessionId) => (await getLease(db, sessionId))?.engine,
  });
  const { failed } = fleet.configure((await listEngines(db)).map(endpointOf));
  for (const f of failed) log("error", `engine ${f.name} cannot be used`, { error: f.error.message });
  // The admin's images page and course image preloads use this machine's mirror (or the first engine's).
  const mirror = (fleet.on(LOCAL_ENGINE) ?? fleet.on(fleet.names()[0] ?? ""))?.mirror;
  return { fleet, mirror };
}

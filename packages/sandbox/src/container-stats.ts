import type { HostStats } from "./sandbox-driver.ts";

/**
 * The parts of the engine's stats answer (GET /containers/:id/stats) that Dockyard reads. cgroup v1 and v2 hosts
 * fill different memory fields, so each is optional.
 */
export interface RawContainerStats {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> };
  pids_stats?: { current?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/**
 * Memory in use as `docker stats` shows it: the usage less the inactive file cache, which the kernel can reclaim
 * (`total_inactive_file` on cgroup v1, `inactive_file` on v2).
 */
export function memoryInUse(memory: RawContainerStats["memory_stats"]): number {
  const usage = memory?.usage ?? 0;
  const inactive = memory?.stats?.total_inactive_file ?? memory?.stats?.inactive_file;
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}

/** One host's figures from the engine's stats answer. */
export function hostStatsOf(host: string, state: string, raw: RawContainerStats): HostStats {
  const networks = Object.values(raw.networks ?? {});
  const readAt = Date.parse(raw.read ?? "");
  return {
    host,
    state,
    cpuSeconds: (raw.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9,
    memoryBytes: memoryInUse(raw.memory_stats),
    memoryLimitBytes: raw.memory_stats?.limit ?? 0,
    pids: raw.pids_stats?.current ?? 0,
    netRxBytes: networks.reduce((sum, n) => sum + (n.rx_bytes ?? 0), 0),
    netTxBytes: networks.reduce((sum, n) => sum + (n.tx_bytes ?? 0), 0),
    // A container that stopped meanwhile answers with the zero time (year 1).
    readAt: readAt > 0 ? readAt : Date.now(),
  };
}

/** A host with no figures: one that does not run (zeros are the truth), or one whose figures did not come. */
export function emptyHostStats(host: string, state: string, statsError?: string): HostStats {
  return {
    host,
    state,
    cpuSeconds: 0,
    memoryBytes: 0,
    memoryLimitBytes: 0,
    pids: 0,
    netRxBytes: 0,
    netTxBytes: 0,
    readAt: Date.now(),
    ...(statsError ? { statsError } : {}),
  };
}

import { describe, expect, it } from "vitest";
import { hostStatsOf, memoryInUse } from "./container-stats.ts";

// Trimmed from a real one-shot answer of Docker 20.10 on a cgroup v1 host.
const cgroupV1 = {
  read: "2026-11-28T16:43:52.680420936Z",
  pids_stats: { current: 2, limit: 100 },
  cpu_stats: { cpu_usage: { total_usage: 19797125, usage_in_usermode: 10000000 }, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: 0 } },
  memory_stats: {
    usage: 3448832,
    stats: { cache: 2658304, inactive_file: 2555904, total_cache: 2658304, total_inactive_file: 2555904 },
    limit: 268435456,
  },
  networks: {
    eth0: { rx_bytes: 486, tx_bytes: 0 },
    eth1: { rx_bytes: 14, tx_bytes: 100 },
  },
};

describe("hostStatsOf", () => {
  it("reads CPU time, memory without the inactive file cache, pids and network summed over interfaces", () => {
    expect(hostStatsOf("host01", "running", cgroupV1)).toEqual({
      host: "host01",
      state: "running",
      cpuSeconds: 0.019797125,
      memoryBytes: 3448832 - 2555904,
      memoryLimitBytes: 268435456,
      pids: 2,
      netRxBytes: 500,
      netTxBytes: 100,
      readAt: Date.parse("2026-11-28T16:43:52.680Z"),
    });
  });

  it("takes inactive_file on cgroup v2, and the plain usage when there is nothing to take off", () => {
    expect(memoryInUse({ usage: 5000, stats: { inactive_file: 1200, file: 3000 } })).toBe(3800);
    expect(memoryInUse({ usage: 5000, stats: {} })).toBe(5000);
    expect(memoryInUse({ usage: 100, stats: { inactive_file: 400 } })).toBe(100);
  });

  it("gives zeros, not NaN, for a host without networks or pids figures", () => {
    const stats = hostStatsOf("host02", "running", { read: "2026-11-28T16:43:52Z", memory_stats: {} });
    expect(stats).toMatchObject({ cpuSeconds: 0, memoryBytes: 0, pids: 0, netRxBytes: 0, netTxBytes: 0 });
  });
});

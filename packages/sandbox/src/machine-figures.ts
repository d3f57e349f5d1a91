import type { HostStats } from "./sandbox-driver.ts";

/** Read on a machine for its live figures; `machineStatsOf` reads the answer. */
export const FIGURES_COMMAND =
  'cat /proc/stat /proc/meminfo /proc/net/dev /proc/loadavg; echo "hz $(getconf CLK_TCK 2>/dev/null || echo 100)"';

/**
 * A machine's figures from its /proc, like a container's from the engine: CPU time of all cores, memory in use
 * (total less available), tasks, and bytes over every interface but loopback.
 */
export function machineStatsOf(host: string, text: string, readAt: number): HostStats {
  const lines = text.split("\n");
  const hz = Number(/^hz (\d+)/m.exec(text)?.[1] ?? 100) || 100;
  const cpu = lines
    .find((l) => /^cpu\s/.test(l))
    ?.trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait is work.
  const busy = cpu ? [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (cpu[i] || 0), 0) : 0;
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
  const total = kib("MemTotal");
  let rx = 0;
  let tx = 0;
  for (const line of lines) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === "lo" || !/^\d/.test(m[2] ?? "")) continue;
    const fields = (m[2] ?? "").trim().split(/\s+/).map(Number);
    if (fields.length < 16) continue;
    rx += fields[0] || 0;
    tx += fields[8] || 0;
  }
  // /proc/loadavg: "0.10 0.20 0.30 2/345 6789": 345 tasks.
  const tasks = Number(/^[\d.]+ [\d.]+ [\d.]+ \d+\/(\d+) \d+$/m.exec(text)?.[1] ?? 0);
  return {
    host,
    state: "running",
    cpuSeconds: busy / hz,
    memoryBytes: total > 0 ? total - kib("MemAvailable") : 0,
    memoryLimitBytes: total,
    pids: tasks,
    netRxBytes: rx,
    netTxBytes: tx,
    readAt,
  };
}

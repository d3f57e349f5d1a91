import { describe, expect, it } from "vitest";
import { machineStatsOf } from "./machine-figures.ts";

const PROC = `cpu  1000 50 450 90000 300 20 30 150 0 0
cpu0 500 25 225 45000 150 10 15 75 0 0
intr 12345
MemTotal:        4000000 kB
MemFree:          500000 kB
MemAvailable:    3000000 kB
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  999999     100    0    0    0     0          0         0   999999     100    0    0    0     0       0          0
  eth0:    5000      40    0    0    0     0          0         0     7000      50    0    0    0     0       0          0
  eth1:     100       1    0    0    0     0          0         0      200       2    0    0    0     0       0          0
0.52 0.58 0.59 3/467 12345
hz 100
`;

describe("machineStatsOf", () => {
  it("reads CPU time, memory in use, tasks and traffic (loopback aside) from a machine's /proc", () => {
    expect(machineStatsOf("host01", PROC, 1234)).toEqual({
      host: "host01",
      state: "running",
      // user + nice + system + irq + softirq + steal, in ticks of 1/100 s
      cpuSeconds: 17,
      memoryBytes: 1_000_000 * 1024,
      memoryLimitBytes: 4_000_000 * 1024,
      pids: 467,
      netRxBytes: 5100,
      netTxBytes: 7200,
      readAt: 1234,
    });
  });
});

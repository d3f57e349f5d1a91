/** One reading of a host's CPU counter: CPU seconds used so far, and when (ms) the engine read it. */
export interface CpuReading {
  cpuSeconds: number;
  readAt: number;
}

/**
 * Percent of one core used between two readings of the same counter; 0 when there is no earlier reading, no time
 * between them, or the counter went back (the container was made anew).
 */
export function cpuPercent(previous: CpuReading | undefined, current: CpuReading): number {
  if (!previous) return 0;
  const seconds = (current.readAt - previous.readAt) / 1000;
  const used = current.cpuSeconds - previous.cpuSeconds;
  if (seconds <= 0 || used < 0) return 0;
  return (used / seconds) * 100;
}

/**
 * Turns CPU counters into rates: keeps each host's previous reading, and answers with the average since then.
 * Readings closer together than `minIntervalMs` (two admin pages asking at once) are measured against the older one
 * and do not replace it, so neither sees a rate over a few milliseconds.
 */
export class CpuSampler {
  private readonly previous = new Map<string, CpuReading>();

  constructor(private readonly minIntervalMs = 250) {}

  /** The rate since the previous reading of `key` (0 for the first), remembering this one. */
  sample(key: string, current: CpuReading): number {
    const previous = this.previous.get(key);
    const percent = cpuPercent(previous, current);
    if (
      !previous ||
      current.readAt - previous.readAt >= this.minIntervalMs ||
      current.cpuSeconds < previous.cpuSeconds
    ) {
      this.previous.set(key, current);
    }
    return percent;
  }

  /** Forgets hosts not in `live` (their containers are gone). */
  retain(live: ReadonlySet<string>): void {
    for (const key of this.previous.keys()) if (!live.has(key)) this.previous.delete(key);
  }

  /** How many hosts have a reading kept. */
  get size(): number {
    return this.previous.size;
  }
}

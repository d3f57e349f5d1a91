import { describe, expect, it } from "vitest";
import { CpuSampler, cpuPercent } from "./cpu-sampler.ts";

describe("cpuPercent", () => {
  it("is CPU seconds used per wall second, as a percent of one core", () => {
    expect(cpuPercent({ cpuSeconds: 10, readAt: 0 }, { cpuSeconds: 10.5, readAt: 1000 })).toBe(50);
    // Two busy cores: over 100.
    expect(cpuPercent({ cpuSeconds: 10, readAt: 0 }, { cpuSeconds: 14, readAt: 2000 })).toBe(200);
  });

  it("is 0 without an earlier reading, without time between, or when the counter went back", () => {
    expect(cpuPercent(undefined, { cpuSeconds: 99, readAt: 1000 })).toBe(0);
    expect(cpuPercent({ cpuSeconds: 1, readAt: 1000 }, { cpuSeconds: 2, readAt: 1000 })).toBe(0);
    expect(cpuPercent({ cpuSeconds: 50, readAt: 0 }, { cpuSeconds: 1, readAt: 1000 })).toBe(0);
  });
});

describe("CpuSampler", () => {
  it("averages since the previous sample of the same host, and forgets hosts that are gone", () => {
    const sampler = new CpuSampler();
    expect(sampler.sample("a/host01", { cpuSeconds: 1, readAt: 0 })).toBe(0);
    expect(sampler.sample("b/host01", { cpuSeconds: 5, readAt: 0 })).toBe(0);
    expect(sampler.sample("a/host01", { cpuSeconds: 2, readAt: 1000 })).toBe(100);
    expect(sampler.sample("a/host01", { cpuSeconds: 2.25, readAt: 2000 })).toBe(25);
    sampler.retain(new Set(["a/host01"]));
    expect(sampler.size).toBe(1);
    // b's container went and came back: a first sample again.
    expect(sampler.sample("b/host01", { cpuSeconds: 0.1, readAt: 3000 })).toBe(0);
  });

  it("measures a sample taken right after another against the older one, which it keeps", () => {
    const sampler = new CpuSampler(250);
    sampler.sample("a/host01", { cpuSeconds: 0, readAt: 0 });
    expect(sampler.sample("a/host01", { cpuSeconds: 1, readAt: 1000 })).toBe(100);
    // 10 ms later: still against the reading at 1000 ms, which stays.
    expect(sampler.sample("a/host01", { cpuSeconds: 1.005, readAt: 1010 })).toBeCloseTo(50);
    expect(sampler.sample("a/host01", { cpuSeconds: 1.5, readAt: 2000 })).toBe(50);
  });
});

import { describe, expect, it } from "vitest";
import { SubnetPool } from "./subnet-pool.ts";

describe("SubnetPool", () => {
  it("hands out /27s in order, skipping those in use, and takes them back", () => {
    const pool = new SubnetPool("10.213.0.0/16");
    pool.markUsed(["10.213.0.32/27", "172.17.0.0/16"]);
    expect(pool.take()).toBe("10.213.0.0/27");
    expect(pool.take()).toBe("10.213.0.64/27");
    pool.release("10.213.0.0/27");
    expect(pool.take()).toBe("10.213.0.0/27");
  });

  it("skips every /27 a larger network in use overlaps", () => {
    const pool = new SubnetPool("10.213.0.0/24");
    pool.markUsed(["10.213.0.0/25"]);
    expect(pool.take()).toBe("10.213.0.128/27");
  });

  it("runs out, and refuses nonsense ranges", () => {
    const pool = new SubnetPool("10.0.0.0/26");
    expect([pool.take(), pool.take(), pool.take()]).toEqual(["10.0.0.0/27", "10.0.0.32/27", undefined]);
    for (const bad of ["10.0.0.0", "300.0.0.0/16", "10.0.0.0/30", "x/16"]) {
      expect(() => new SubnetPool(bad)).toThrow(/Bad subnet range/);
    }
  });
});

import { describe, expect, it, vi } from "vitest";

vi.mock("server-only", () => ({}));
vi.mock("./env.ts", () => ({ env: () => ({ TRUST_PROXY: false }) }));
const { RateLimiter } = await import("./rate-limit.ts");

describe("RateLimiter", () => {
  it("lets `max` through per window, then says when to come back, and forgets old windows", () => {
    const limit = new RateLimiter(3, 60_000);
    const t = 1_000_000;
    expect([1, 2, 3].map(() => limit.hit("a", t).ok)).toEqual([true, true, true]);
    expect(limit.hit("a", t + 10_000)).toEqual({ ok: false, retryAfterSeconds: 50 });
    expect(limit.hit("b", t + 10_000).ok).toBe(true);
    expect(limit.hit("a", t + 60_000).ok).toBe(true);
  });

  it("peek says whether a key may go ahead without counting it", () => {
    const limit = new RateLimiter(2, 60_000);
    expect(limit.peek("a", 0).ok).toBe(true);
    limit.hit("a", 0);
    limit.hit("a", 1);
    expect(limit.peek("a", 2)).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(limit.peek("a", 60_000).ok).toBe(true);
  });

  it("reset clears a key at once", () => {
    const limit = new RateLimiter(1, 60_000);
    limit.hit("a", 0);
    expect(limit.hit("a", 1).ok).toBe(false);
    limit.reset("a");
    expect(limit.hit("a", 2).ok).toBe(true);
  });
});

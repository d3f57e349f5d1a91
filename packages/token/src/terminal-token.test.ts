import { describe, expect, it } from "vitest";
import { mintTerminalToken, verifyTerminalToken } from "./terminal-token.ts";

const claims = { sub: "user-1", sid: "session-abc", host: "host01", mode: "write" as const };

describe("terminal tokens", () => {
  it("round-trips claims with an expiry", () => {
    const token = mintTerminalToken(claims, "s3cret", { now: 1_000_000 });
    const result = verifyTerminalToken(token, "s3cret", 1_000_000);
    expect(result).toEqual({ ok: true, value: { ...claims, jti: expect.any(String), exp: 1060 } });
  });

  it("gives every token its own id", () => {
    const ids = new Set(
      Array.from({ length: 50 }, () => {
        const result = verifyTerminalToken(mintTerminalToken(claims, "s3cret"), "s3cret");
        return result.ok ? result.value.jti : "";
      }),
    );
    expect(ids.size).toBe(50);
  });

  it("rejects a token signed with another secret", () => {
    const token = mintTerminalToken(claims, "other");
    const result = verifyTerminalToken(token, "s3cret");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/signature/);
  });

  it("rejects an expired token", () => {
    const token = mintTerminalToken(claims, "s3cret", { now: 0, ttlSeconds: 60 });
    const result = verifyTerminalToken(token, "s3cret", 61_000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/expired/);
  });

  it("rejects a token whose claims were changed", () => {
    const token = mintTerminalToken(claims, "s3cret");
    const [, signature] = token.split(".");
    const forged = `${Buffer.from(JSON.stringify({ ...claims, sid: "session-xyz", jti: "abcdefghij", exp: 9e9 })).toString("base64url")}.${signature}`;
    expect(verifyTerminalToken(forged, "s3cret").ok).toBe(false);
  });

  it.each(["", "abc", "a.b.c", "..", "not-base64.%%%"])("rejects garbage %j", (garbage) => {
    const result = verifyTerminalToken(garbage, "s3cret");
    expect(result).toMatchObject({ ok: false, error: { code: "UNAUTHENTICATED" } });
  });
});

import { dockyardError, err, ok } from "@dockyard/protocol";
import { describe, expect, it } from "vitest";
import { HealthCheck } from "./health-check.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("HealthCheck", () => {
  it("asks Docker once for many readers at once, and again only after maxAgeMs", async () => {
    let asked = 0;
    const check = new HealthCheck({
      ping: async () => {
        asked += 1;
        await sleep(50);
        return ok({ version: "27.0" });
      },
      isReady: () => true,
      maxAgeMs: 200,
    });
    const bodies = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? check.full() : check.brief())));
    expect(asked).toBe(1);
    expect(bodies[0]).toEqual({ ok: true, docker: { ok: true } });
    expect(bodies[1]).toEqual({ ok: true, docker: { ok: true, version: "27.0" } });
    await check.brief();
    expect(asked).toBe(1);
    await sleep(250);
    await check.brief();
    expect(asked).toBe(2);
  });

  it("tells the public only ok or not per component; the details stay in the full answer", async () => {
    const check = new HealthCheck({
      ping: async () => err(dockyardError("DOCKER_UNAVAILABLE", "engine tcp://10.0.0.5:2376 does not answer")),
      isReady: () => true,
      isolation: { ok: false, error: "iptables failed (not root)." },
    });
    const brief = await check.brief();
    expect(brief).toEqual({ ok: false, docker: { ok: false }, isolation: { ok: false } });
    expect(JSON.stringify(brief)).not.toContain("10.0.0.5");
    expect(await check.full()).toEqual({
      ok: false,
      docker: { ok: false, error: "engine tcp://10.0.0.5:2376 does not answer" },
      isolation: { ok: false, error: "iptables failed (not root)." },
    });
  });

  it("says starting until the sessions are taken stock of, without waiting for a new answer", async () => {
    let ready = false;
    const check = new HealthCheck({ ping: async () => ok({ version: "27.0" }), isReady: () => ready });
    expect(await check.brief()).toEqual({ ok: false, docker: { ok: true }, starting: true });
    ready = true;
    expect(await check.brief()).toEqual({ ok: true, docker: { ok: true } });
  });
});

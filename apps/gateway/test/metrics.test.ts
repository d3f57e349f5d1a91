import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { type PrometheusSample, parsePrometheusText, sumOf } from "@dockyard/protocol";
import { DockerDriver } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startSession, tempDb, testGateway } from "./temp-db.ts";

// /metrics on the gateway's internal listener, in Prometheus' text format, parsed line by line.
const SECRET = "metrics-test-secret-0123456789";
const store = await tempDb();
const driver = new DockerDriver({ docker: new Docker(), instance: `metrics-${randomBytes(3).toString("hex")}` });
const gateway = testGateway(store, { driver, secret: SECRET, engine: `metrics-${randomBytes(3).toString("hex")}` });
const sessionId = `s-${randomBytes(8).toString("hex")}`;
let publicBase = "";
let internalBase = "";

async function scrape() {
  const res = await fetch(`${internalBase}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

const value = (samples: PrometheusSample[], name: string, labels: Record<string, string> = {}) =>
  sumOf(samples, name, labels);

beforeAll(async () => {
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => gateway.internal.listen(0, "127.0.0.1", resolve));
  publicBase = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  internalBase = `http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`;
});

afterAll(async () => {
  gateway.terminals.closeAll();
  await driver.removeSession(sessionId);
  gateway.server.close();
  gateway.internal.close();
  await store.drop();
});

describe("gateway metrics", () => {
  it("count sandboxes, starts and their time, terminal connections and errors, in Prometheus' format", async () => {
    const before = await scrape();
    expect(before.types.get("dockyard_session_starts_total")).toBe("counter");
    expect(before.types.get("dockyard_session_start_seconds")).toBe("histogram");
    expect(before.types.get("dockyard_sessions")).toBe("gauge");
    expect(before.types.get("dockyard_pool_ready")).toBe("gauge");
    expect(value(before.samples, "dockyard_sessions")).toBe(0);

    expect(await startSession(internalBase, SECRET, sessionId, "metrics")).toContain('"ready"');
    const bad = await fetch(`${internalBase}/internal/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(bad.status).toBe(400);
    const token = mintTerminalToken({ sub: "metrics", sid: sessionId, host: "host01", mode: "write" }, SECRET);
    const ws = new WebSocket(`${publicBase.replace("http", "ws")}/terminal?token=${token}`, {
      headers: { origin: publicBase },
    });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const refused = new WebSocket(`${publicBase.replace("http", "ws")}/terminal?token=forged`, {
      headers: { origin: publicBase },
    });
    await new Promise((resolve) => refused.once("unexpected-response", resolve));

    const after = await scrape();
    expect(value(after.samples, "dockyard_session_starts_total", { result: "ok" })).toBe(1);
    expect(value(after.samples, "dockyard_session_start_seconds_count")).toBe(1);
    expect(value(after.samples, "dockyard_session_start_seconds_sum")).toBeGreaterThan(0);
    expect(value(after.samples, "dockyard_sessions")).toBe(1);
    expect(value(after.samples, "dockyard_terminal_connections")).toBe(1);
    expect(value(after.samples, "dockyard_gateway_errors_total", { code: "BAD_REQUEST" })).toBe(1);
    expect(value(after.samples, "dockyard_gateway_errors_total", { code: "UNAUTHENTICATED" })).toBe(1);
    // Node's own figures, under the gateway's prefix.
    expect(value(after.samples, "dockyard_gateway_process_resident_memory_bytes")).toBeGreaterThan(0);
    ws.close();
  });
});

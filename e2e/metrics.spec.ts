import { parsePrometheusText, sumOf } from "@dockyard/protocol";
import { expect, test } from "@playwright/test";

// The web app's /metrics, for Prometheus: a bearer token, the text format, and check results and errors counted.
const auth = { authorization: "Bearer e2e-metrics-token-0123456789" };

test("/metrics needs its token, and counts check results and errors in Prometheus' text format", async ({
  request,
}) => {
  expect((await request.get("/metrics")).status()).toBe(401);
  expect(
    (await request.get("/metrics", { headers: { authorization: "Bearer wrong-token-0123456789" } })).status(),
  ).toBe(401);
  const scrape = async () => {
    const res = await request.get("/metrics", { headers: auth });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };
  const before = await scrape();
  expect(before.types.get("dockyard_checks_total")).toBe("counter");

  // A check without a sandbox is refused (an error counted by code); with one, it fails (a result counted).
  await request.get("/");
  const refused = await request.post("/api/scenarios/authoring/check", { data: { step: 0 } });
  expect(refused.status()).toBe(409);
  const started = await request.post("/api/scenarios/authoring/session");
  expect(started.status()).toBe(200);
  // The last session event names the sandbox (a warm one is handed over under its own id).
  const sessionId = [...(await started.text()).matchAll(/"sessionId":"([^"]+)"/g)].at(-1)?.[1];
  const checked = await request.post("/api/scenarios/authoring/check", { data: { step: 0 } });
  expect(await checked.json()).toMatchObject({ passed: false });

  const after = await scrape();
  const delta = (name: string, labels: Record<string, string>) =>
    sumOf(after.samples, name, labels) - sumOf(before.samples, name, labels);
  expect(delta("dockyard_web_errors_total", { code: "CONFLICT" })).toBe(1);
  expect(delta("dockyard_checks_total", { result: "fail" })).toBe(1);
  expect(sumOf(after.samples, "dockyard_web_process_resident_memory_bytes")).toBeGreaterThan(0);
  expect((await request.delete(`/api/sessions/${sessionId}`)).status()).toBe(200);
});

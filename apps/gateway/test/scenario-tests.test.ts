import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BuildImagesEvent, buildImagesEvent, scenarioTestStatus } from "@dockyard/protocol";
import { DockerDriver } from "@dockyard/sandbox";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeTestGateway, tempDb, testGateway } from "./temp-db.ts";

// An instructor's "Test" through the real gateway: the real `dockyard test` in a child process, making real
// sandboxes on the real Docker engine, its output streamed and its report kept.
const SECRET = "scenario-tests-secret-0123456789";
const auth = { authorization: `Bearer ${SECRET}`, "content-type": "application/json" };
const dir = mkdtempSync(join(tmpdir(), "dockyard-scenario-tests-"));
const passing = join(dir, "workshop-warmup");
const failing = join(dir, "never-passes");
cpSync(resolve(import.meta.dirname, "../../../e2e/fixtures/scenarios/workshop-warmup"), passing, { recursive: true });
cpSync(passing, failing, { recursive: true });
writeFileSync(join(failing, "verify2.sh"), '#!/bin/sh\necho "FAIL: this check never passes"\nexit 1\n');

const store = await tempDb();
const driver = new DockerDriver({ docker: new Docker(), instance: `tests-${randomBytes(3).toString("hex")}` });
const gateway = testGateway(store, { driver, secret: SECRET });
let base = "";

beforeAll(async () => {
  await new Promise<void>((r) => gateway.internal.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await closeTestGateway(gateway, driver, store);
  rmSync(dir, { recursive: true, force: true });
});

async function runTest(scenario: string) {
  const res = await fetch(`${base}/internal/scenario-tests`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ dir: scenario }),
  });
  expect(res.status).toBe(200);
  return (await res.text())
    .trim()
    .split("\n")
    .map((line) => buildImagesEvent.parse(JSON.parse(line)) as BuildImagesEvent);
}

describe("scenario tests", () => {
  it("runs dockyard test on a scenario: output as it goes, then the report; a passing one passes", async () => {
    const events = await runTest(passing);
    expect(events[0]?.type).toBe("started");
    const lines = events.flatMap((e) => (e.type === "line" ? [e.line] : []));
    expect(lines.join("\n")).toContain("Make a file");
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", ok: true, exitCode: 0 });
    if (done?.type !== "done") throw new Error("no done");
    expect(done.report?.failedSteps).toBe(0);
    expect(done.report?.scenarios[0]?.steps.map((s) => s.ok)).toEqual([true, true]);
  }, 120_000);

  it("says which step fails and why, and keeps each folder's last result", async () => {
    const events = await runTest(failing);
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", ok: false, exitCode: 1 });
    if (done?.type !== "done") throw new Error("no done");
    const step = done.report?.scenarios[0]?.steps.find((s) => !s.ok);
    expect(step).toMatchObject({ index: 1, ok: false });
    expect(step?.message).toContain("this check never passes");
    const status = scenarioTestStatus.parse(
      await (await fetch(`${base}/internal/scenario-tests`, { headers: auth })).json(),
    );
    expect(status.running).toBeNull();
    expect(new Map(status.results.map((r) => [r.dir, r.ok]))).toEqual(
      new Map([
        [passing, true],
        [failing, false],
      ]),
    );
  }, 120_000);

  it("runs one at a time, refuses a relative folder, and wants the secret", async () => {
    const first = fetch(`${base}/internal/scenario-tests`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ dir: passing }),
    });
    // The first has started once its headers are back.
    const started = await first;
    const second = await fetch(`${base}/internal/scenario-tests`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ dir: failing }),
    });
    expect(second.status).toBe(409);
    await started.text();
    const relative = await fetch(`${base}/internal/scenario-tests`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ dir: "scenarios/x" }),
    });
    expect(relative.status).toBe(400);
    expect((await fetch(`${base}/internal/scenario-tests`)).status).toBe(401);
  }, 120_000);
});

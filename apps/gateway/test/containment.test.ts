import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { DockerDriver } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { tempDb, testGateway } from "./temp-db.ts";

// A fork bomb, a memory hog and a disk filler, each in a real sandbox beside a neighbour whose terminal is in use.
const SECRET = "containment-test-secret-0123456789";
const IMAGE = "dockyard/sandbox:latest";
const store = await tempDb();
const driver = new DockerDriver({
  docker: new Docker(),
  instance: `contain-${randomBytes(3).toString("hex")}`,
  limits: { diskBytes: 200 * 1024 * 1024, memoryBytes: 256 * 1024 * 1024, pids: 256 },
});
const gateway = testGateway(store, {
  driver,
  secret: SECRET,
});
const sid = () => `s-${randomBytes(8).toString("hex")}`;
const neighbour = sid();
let terminal: WebSocket;
let output = "";
let publicBase = "";

async function make(sessionId: string) {
  const admitted = await gateway.manager.admit({
    sessionId,
    userId: `user-${sessionId}`,
    scenario: "contain",
    hosts: [{ name: "host01", image: IMAGE }],
  });
  if (!admitted.ok) throw new Error(admitted.error.message);
  const made = await gateway.manager.create(admitted.value, () => undefined);
  if (!made.ok) throw new Error(made.error.message);
}

/** The neighbour's terminal echo round trip, in ms. */
async function echo(): Promise<number> {
  const word = `ping-${randomBytes(4).toString("hex")}`;
  const started = performance.now();
  terminal.send(Buffer.from(`echo ${word}\r`), { binary: true });
  // The answer is the word alone on a line (after the shell's own echo of the command).
  while (!new RegExp(`[\\r\\n]${word}\\r\\n`).test(output)) {
    if (performance.now() - started > 10_000)
      throw new Error(`the neighbour terminal stopped answering: ${JSON.stringify(output.slice(-300))}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - started;
}

/** Echo round trips while `during` runs: the neighbour must stay usable throughout. */
async function neighbourWhile(during: Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  let done = false;
  void during.finally(() => {
    done = true;
  });
  while (!done || times.length < 5) {
    times.push(await echo());
    await new Promise((r) => setTimeout(r, 200));
  }
  return times;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
  publicBase = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  await make(neighbour);
  const token = mintTerminalToken({ sub: `user-${neighbour}`, sid: neighbour, host: "host01", mode: "write" }, SECRET);
  terminal = new WebSocket(`${publicBase.replace("http", "ws")}/terminal?token=${encodeURIComponent(token)}`, {
    headers: { origin: publicBase },
  });
  terminal.on("message", (data, binary) => {
    if (binary) output += data.toString();
  });
  await new Promise((resolve, reject) => {
    terminal.once("open", resolve);
    terminal.once("error", reject);
  });
  await echo();
}, 60_000);

afterAll(async () => {
  terminal?.close();
  const listed = await driver.listSessions();
  if (listed.ok) await Promise.all(listed.value.map((s) => driver.removeSession(s.sessionId)));
  gateway.server.close();
  await store.drop();
});

describe("a sandbox misbehaving", () => {
  it("a memory hog is killed inside its sandbox, which lives on", async () => {
    const hog = sid();
    await make(hog);
    const run = driver.runScript({
      sessionId: hog,
      host: "host01",
      script: "python3 -c 'b = bytearray(1024 * 1024 * 1024); print(len(b))'",
      timeoutMs: 60_000,
      env: {},
    });
    const times = await neighbourWhile(run);
    const result = await run;
    expect(result.ok && result.value.exitCode).toBe(137);
    const after = await driver.runScript({
      sessionId: hog,
      host: "host01",
      script: "echo alive",
      timeoutMs: 5_000,
      env: {},
    });
    expect(after.ok && after.value.stdout.trim()).toBe("alive");
    expect(Math.max(...times)).toBeLessThan(2_000);
  }, 120_000);

  it("a fork bomb stops at the process limit; the neighbour and the gateway keep going; Stop still works", async () => {
    const bomb = sid();
    await make(bomb);
    await driver.runBackground({
      sessionId: bomb,
      host: "host01",
      name: "bomb",
      script: "bomb() { bomb | bomb & }; bomb",
      env: {},
    });
    const times = await neighbourWhile(new Promise((r) => setTimeout(r, 8_000)));
    expect(Math.max(...times)).toBeLessThan(2_000);
    const state = await driver.inspectSession(bomb);
    expect(state.ok && state.value.hosts[0]?.running).toBe(true);
    const health = await fetch(`${publicBase}/healthz`);
    expect(health.status).toBe(200);
    const removed = await gateway.manager.remove(bomb);
    expect(removed.ok).toBe(true);
  }, 120_000);

  it("a disk filler is stopped by the disk watch (this engine cannot cap disk itself), its neighbour left alone", async () => {
    const filler = sid();
    await make(filler);
    const fill = driver.runScript({
      sessionId: filler,
      host: "host01",
      script: "dd if=/dev/zero of=/root/fill bs=1M count=300 status=none; sync; echo wrote",
      timeoutMs: 60_000,
      env: {},
    });
    const times = await neighbourWhile(fill);
    expect(Math.max(...times)).toBeLessThan(2_000);
    const reaped = await gateway.manager.reap();
    expect(driver.diskLimit().enforcedByEngine === true || reaped.disk.includes(filler)).toBe(true);
    expect((await driver.inspectSession(filler)).ok).toBe(false);
    expect(reaped.disk).not.toContain(neighbour);
    expect((await driver.inspectSession(neighbour)).ok).toBe(true);
  }, 120_000);
});

import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { DockerDriver } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { tempDb, testGateway } from "./temp-db.ts";

// Thousands of malformed frames at a real terminal: the gateway keeps serving it and everyone else.
const SECRET = "fuzz-test-secret-0123456789";
const store = await tempDb();
const driver = new DockerDriver({ docker: new Docker(), instance: `fuzz-${randomBytes(3).toString("hex")}` });
const gateway = testGateway(store, {
  driver,
  secret: SECRET,
});
const sessionId = `s-${randomBytes(8).toString("hex")}`;
let base = "";

function connect() {
  const token = mintTerminalToken({ sub: "fuzzer", sid: sessionId, host: "host01", mode: "write" }, SECRET);
  const ws = new WebSocket(`${base.replace("http", "ws")}/terminal?token=${encodeURIComponent(token)}`, {
    headers: { origin: base },
  });
  let output = "";
  let errors = 0;
  ws.on("message", (data, binary) => {
    if (binary) output += data.toString();
    else if (String(data).includes('"type":"error"')) errors += 1;
  });
  return {
    ws,
    output: () => output,
    errors: () => errors,
    opened: new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    }),
  };
}

/** Text frames of every wrong kind: not JSON, wrong shapes, wrong types, huge numbers, deep nesting, binary junk. */
function garbage(i: number): string {
  const kinds = [
    () => randomBytes(1 + (i % 200)).toString("latin1"),
    () => JSON.stringify({ type: "resize", cols: -i, rows: "x" }),
    () => JSON.stringify({ type: "ping", id: "nope" }),
    () => JSON.stringify({ type: `unknown-${i}` }),
    () => JSON.stringify({ type: "resize", cols: 1e9, rows: 1e9 }),
    () => `${"[".repeat(500)}${"]".repeat(500)}`,
    () => JSON.stringify(null),
    () => "{",
    () => JSON.stringify({ type: "resize", cols: 80, note: "x".repeat(1000) }),
    () => JSON.stringify({ type: "input", seq: -i, data: "x" }),
    () => JSON.stringify({ type: "input", seq: i + 1, data: 42 }),
    () => JSON.stringify({ type: "input", seq: 1e300, data: "echo never\r" }),
    () => JSON.stringify({ type: "ack", bytes: "all" }),
    () => JSON.stringify({ type: "ack", bytes: 1e15 }),
    () => JSON.stringify({ type: "share", allowControl: "yes" }),
  ];
  const kind = kinds[i % kinds.length];
  return kind ? kind() : "{";
}

beforeAll(async () => {
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  const made = await driver.createSession(
    { sessionId, userId: "fuzzer", scenario: "fuzz", hosts: [{ name: "host01", image: "dockyard/sandbox:latest" }] },
    () => undefined,
  );
  if (!made.ok) throw new Error(made.error.message);
});

afterAll(async () => {
  await driver.removeSession(sessionId);
  gateway.server.close();
  await store.drop();
});

describe("garbage on the terminal socket", () => {
  it("is answered with errors, 5000 frames of it, and the shell still works afterwards", async () => {
    const fuzzed = connect();
    const bystander = connect();
    await Promise.all([fuzzed.opened, bystander.opened]);
    for (let i = 0; i < 5000; i++) fuzzed.ws.send(garbage(i));
    for (let i = 0; i < 100 && fuzzed.errors() < 5000; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fuzzed.errors()).toBe(5000);
    expect(fuzzed.ws.readyState).toBe(WebSocket.OPEN);

    for (const t of [fuzzed, bystander]) t.ws.send(Buffer.from("echo still-$((6*7))\r"), { binary: true });
    for (let i = 0; i < 100 && !/still-42\r?\n/.test(bystander.output() + fuzzed.output()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(fuzzed.output()).toMatch(/still-42\r?\n/);
    expect(bystander.output()).toMatch(/still-42\r?\n/);
    fuzzed.ws.close();
    bystander.ws.close();
  }, 60_000);

  it("closes only the socket that sends a frame over the limit", async () => {
    const big = connect();
    const other = connect();
    await Promise.all([big.opened, other.opened]);
    const closed = new Promise<number>((resolve) => big.ws.once("close", (code) => resolve(code)));
    big.ws.send(Buffer.alloc(200 * 1024, 97), { binary: true });
    expect(await closed).toBe(1009);
    other.ws.send(Buffer.from("echo other-fine\r"), { binary: true });
    for (let i = 0; i < 100 && !/other-fine\r?\n/.test(other.output()); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(other.output()).toMatch(/other-fine\r?\n/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    other.ws.close();
  });
});

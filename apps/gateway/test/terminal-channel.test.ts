import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  OUTPUT_WINDOW_BYTES,
  parseTerminalServerMessage,
  type SocketLike,
  TerminalClient,
  type TerminalServerMessage,
  type TerminalTokenClaims,
  WS_CLOSE_REPLACED,
} from "@dockyard/protocol";
import { DockerDriver } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startSession, tempDb, testGateway } from "./temp-db.ts";

// The terminal channel against the real gateway and a real sandbox: resuming after cuts with input written exactly
// once, flow control by acknowledgements, watchers and who may type, and session events.
const SECRET = "channel-test-secret-0123456789";
const store = await tempDb();
const driver = new DockerDriver({ docker: new Docker(), instance: `chan-${randomBytes(3).toString("hex")}` });
const gateway = testGateway(store, { driver, secret: SECRET });
const sessionId = `s-${randomBytes(8).toString("hex")}`;
let base = "";
let internalBase = "";

type Claims = Omit<TerminalTokenClaims, "exp" | "jti" | "sid" | "host">;
const owner: Claims = { sub: "attendee", mode: "write" };

function url(claims: Claims, query: Record<string, string | number>) {
  const token = mintTerminalToken({ sid: sessionId, host: "host01", ...claims }, SECRET);
  const params = new URLSearchParams({ token, cols: "100", rows: "30" });
  for (const [k, v] of Object.entries(query)) params.set(k, String(v));
  return `${base.replace("http", "ws")}/terminal?${params}`;
}

async function until(predicate: () => boolean, what: string | (() => string), ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The protocol's own client, as the browser uses it, over `ws`; `cut()` destroys its TCP connection. */
function client(claims: Claims, query: Record<string, string | number> = {}) {
  let output = "";
  const messages: TerminalServerMessage[] = [];
  let socket: WebSocket | undefined;
  let dials = 0;
  const terminal = new TerminalClient({
    dial: async (resume) => {
      dials += 1;
      socket = new WebSocket(url(claims, { ...query, client: resume.client, received: resume.received }), {
        headers: { origin: base },
      });
      return { ok: true, socket: socket as unknown as SocketLike };
    },
    write: (bytes, done) => {
      output += Buffer.from(bytes).toString("utf8");
      setImmediate(done);
    },
    onMessage: (message) => messages.push(message),
  });
  terminal.start();
  return {
    terminal,
    messages,
    output: () => output,
    dials: () => dials,
    cut: () => socket?.terminate(),
    connected: () => until(() => terminal.connectionState === "connected", "connected"),
    waitFor: (text: string) => until(() => output.includes(text), JSON.stringify(text)),
  };
}

/** A bare socket that never acknowledges anything. */
function rawSocket(claims: Claims, query: Record<string, string | number> = {}) {
  const ws = new WebSocket(url(claims, query), { headers: { origin: base } });
  let bytes = 0;
  let text = "";
  const messages: TerminalServerMessage[] = [];
  let closeCode = 0;
  ws.on("message", (data, binary) => {
    const buffer = data as Buffer;
    if (binary) {
      bytes += buffer.length;
      text = (text + buffer.toString("latin1")).slice(-4096);
    } else {
      const parsed = parseTerminalServerMessage(buffer.toString());
      if (parsed.ok) messages.push(parsed.message);
    }
  });
  ws.on("close", (code) => {
    closeCode = code;
  });
  return {
    ws,
    messages,
    bytes: () => bytes,
    tail: () => text,
    closeCode: () => closeCode,
    opened: new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    }),
    send: (message: object) => ws.send(JSON.stringify(message)),
  };
}

/** Polls a shell test in the sandbox until it succeeds. */
async function untilInSandbox(script: string, what: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const run = await driver.runScript({ sessionId, host: "host01", script, timeoutMs: 5000, env: {} });
    if (run.ok && run.value.exitCode === 0) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function sandboxFile(path: string): Promise<string> {
  const run = await driver.runScript({ sessionId, host: "host01", script: `cat ${path}`, timeoutMs: 5000, env: {} });
  if (!run.ok) throw new Error(run.error.message);
  return run.value.stdout;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => gateway.internal.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  internalBase = `http://127.0.0.1:${(gateway.internal.address() as AddressInfo).port}`;
  expect(await startSession(internalBase, SECRET, sessionId, "attendee")).toContain('"ready"');
}, 60_000);

afterAll(async () => {
  gateway.terminals.closeAll();
  await driver.removeSession(sessionId);
  gateway.server.close();
  gateway.internal.close();
  await store.drop();
});

describe("terminal channels", () => {
  it("writes every keystroke exactly once, in order, across 10 cuts of the connection", async () => {
    const c = client(owner, { name: "cuts" });
    await c.connected();
    c.terminal.input("stty -echo; cat > /tmp/typed\r");
    await new Promise((r) => setTimeout(r, 300));
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    const typed = Array.from({ length: 440 }, (_, i) => alphabet[(i * 7) % alphabet.length]).join("");
    for (let i = 0; i < typed.length; i++) {
      c.terminal.input(typed[i] as string);
      if (i % 40 === 20) {
        await c.connected();
        c.cut();
      }
      await new Promise((r) => setTimeout(r, 4));
    }
    c.terminal.input("\r\x04");
    await until(() => c.terminal.connectionState === "connected" && c.terminal.unconfirmedInput === 0, "input sent");
    await until(() => c.dials() >= 11, "ten reconnects");
    const ready = c.messages.filter((m) => m.type === "ready");
    expect(ready.length).toBeGreaterThanOrEqual(11);
    expect(ready.slice(1).every((m) => m.type === "ready" && m.resumed)).toBe(true);
    await untilInSandbox("test -s /tmp/typed", "the typed file");
    expect(await sandboxFile("/tmp/typed")).toBe(`${typed}\n`);
    c.terminal.dispose();
  });

  it("writes a resent input number once", async () => {
    const raw = rawSocket(owner, { client: `dup-${randomBytes(6).toString("hex")}` });
    await raw.opened;
    raw.send({ type: "input", seq: 1, data: "echo one-" });
    raw.send({ type: "input", seq: 2, data: "two-" });
    raw.send({ type: "input", seq: 1, data: "echo one-" });
    raw.send({ type: "input", seq: 2, data: "two-" });
    raw.send({ type: "input", seq: 3, data: "three\r" });
    // A gap is refused rather than written out of order.
    raw.send({ type: "input", seq: 9, data: "echo skipped\r" });
    await until(() => /one-two-three\r?\n/.test(raw.tail()), "the echo");
    await until(() => raw.messages.some((m) => m.type === "input-ack" && m.seq === 3), "the ack");
    expect(raw.messages.some((m) => m.type === "error" && /Input 9 came before 4/.test(m.message))).toBe(true);
    expect(raw.tail()).not.toContain("skipped");
    raw.ws.close();
  });

  it("pauses a fast writer when the client stops acknowledging, and goes on when it acknowledges", async () => {
    const raw = rawSocket(owner);
    await raw.opened;
    raw.ws.send(Buffer.from("yes 0123456789abcdefghijklmnopqrstuvwxyz\r"), { binary: true });
    await until(() => raw.bytes() > OUTPUT_WINDOW_BYTES, "a window of output");
    await new Promise((r) => setTimeout(r, 1500));
    const stalled = raw.bytes();
    // One window, plus at most the chunk that crossed it.
    expect(stalled).toBeLessThanOrEqual(OUTPUT_WINDOW_BYTES + 256 * 1024);
    await new Promise((r) => setTimeout(r, 500));
    expect(raw.bytes()).toBe(stalled);
    raw.send({ type: "ack", bytes: stalled });
    await until(() => raw.bytes() > stalled + 100_000, "more output after the ack");
    // Acknowledging more than was sent is an error, and changes nothing.
    raw.send({ type: "ack", bytes: raw.bytes() + 1e9 });
    await until(() => raw.messages.some((m) => m.type === "error" && /Acknowledged/.test(m.message)), "the refusal");
    raw.ws.close();
  });

  it("holds back output from a client that acknowledges without reading", async () => {
    const raw = rawSocket(owner);
    await raw.opened;
    raw.ws.send(Buffer.from("yes\r"), { binary: true });
    // Stop reading the socket, and acknowledge ever more: a lie the gateway cannot see through by counting alone.
    const tcp = (raw.ws as unknown as { _socket: import("node:net").Socket })._socket;
    tcp.pause();
    for (let k = 1; k <= 600; k++) {
      raw.send({ type: "ack", bytes: k * 64 * 1024 });
      await new Promise((r) => setTimeout(r, 10));
    }
    // Answered after every refusal, on the same socket: its pong means all of them have been read. (The first
    // refusals come before the output and the rest after it, several MB later where the kernel's buffers are large:
    // stopping at the first one would count only a few.)
    raw.send({ type: "ping", id: 600 });
    tcp.resume();
    await until(
      () => raw.messages.some((m) => m.type === "pong" && m.id === 600),
      "every reply to the acknowledgements",
    );
    // Acknowledgements beyond what was produced are refused with the count: the shell stopped being read.
    // Each refusal says how much had been sent when its acknowledgement came: 600 of them over 6 s.
    const sent = raw.messages.flatMap((m) =>
      m.type === "error" ? [Number(/of (\d+) sent/.exec(m.message)?.[1] ?? 0)] : [],
    );
    expect(sent.length).toBeGreaterThan(300);
    // The shell stopped being read: over the last three seconds not one more byte went out. (How much went out
    // before that is one window plus what the kernel's socket buffers hold, which it sizes itself: about 0.5 MB on
    // some machines, 4.5 MB on one whose send buffers grow to 4 MB.) Counting acknowledgements alone let output go on
    // for as long as the test ran.
    const lastThreeSeconds = sent.slice(-Math.floor(sent.length / 2));
    expect(Math.min(...lastThreeSeconds)).toBe(Math.max(...lastThreeSeconds));
    expect(Math.max(...sent)).toBeLessThan(16 * 1024 * 1024);
    raw.ws.close();
  });

  it("lets the owner's client stop a flood with Ctrl-C within a second", async () => {
    const c = client(owner);
    await c.connected();
    c.terminal.input("yes flood\r");
    await until(() => c.output().length > 2_000_000, "a flood");
    const interrupted = Date.now();
    c.terminal.input("\x03");
    c.terminal.input("echo after-$((6*7))\r");
    await c.waitFor("after-42");
    expect(Date.now() - interrupted).toBeLessThan(5000);
    c.terminal.dispose();
  });

  it("replaces a stale socket of the same client instead of doubling it", async () => {
    const id = `stale-${randomBytes(6).toString("hex")}`;
    const first = rawSocket(owner, { client: id });
    await first.opened;
    const second = rawSocket(owner, { client: id });
    await second.opened;
    await until(() => first.closeCode() === WS_CLOSE_REPLACED, "the old socket closed as replaced");
    await until(() => second.messages.some((m) => m.type === "ready" && m.resumed), "the new one resumed");
    second.ws.send(JSON.stringify({ type: "input", seq: 1, data: "echo only-once\r" }));
    await until(() => second.tail().includes("only-once\r\n"), "the echo");
    second.ws.close();
  });

  it("shows the owner who watches; a watcher cannot type until the owner allows it", async () => {
    const mine = client(owner, { name: "t1-1" });
    await mine.connected();
    mine.terminal.input("echo owner-$((1+1))\r");
    await mine.waitFor("owner-2");

    const readOnly = rawSocket({ sub: "teacher", mode: "read", as: "instructor", who: "Ada" }, { name: "t1-1" });
    await readOnly.opened;
    await until(() => readOnly.tail().includes("owner-2"), "the watcher sees the owner's screen");
    await until(
      () =>
        mine.messages.some(
          (m) => m.type === "viewers" && m.viewers.some((v) => v.who === "Ada" && v.role === "instructor"),
        ),
      "the owner sees Ada",
    );
    readOnly.send({ type: "input", seq: 1, data: "touch /tmp/watcher-typed\r" });
    readOnly.ws.send(Buffer.from("touch /tmp/watcher-raw\r"), { binary: true });
    await until(() => readOnly.messages.some((m) => m.type === "error" && m.code === "FORBIDDEN"), "refusal");
    readOnly.send({ type: "share", allowControl: true });
    await until(() => readOnly.messages.filter((m) => m.type === "error").length >= 2, "share refused");

    const helper = rawSocket({ sub: "teacher", mode: "write", as: "instructor", who: "Ada" }, { name: "t1-1" });
    await helper.opened;
    await until(() => helper.messages.some((m) => m.type === "ready" && m.mode === "read"), "read until allowed");
    helper.send({ type: "input", seq: 1, data: "touch /tmp/helper-early\r" });
    await until(() => helper.messages.some((m) => m.type === "error" && m.code === "FORBIDDEN"), "refused");
    mine.terminal.share(true);
    await until(
      () => helper.messages.some((m) => m.type === "viewers" && m.allowControl),
      "control shared with the watchers",
    );
    await until(() => helper.messages.some((m) => m.type === "mode" && m.mode === "write"), "told it may type");
    // The refused input used up its number, and is not written now that control is shared.
    helper.send({ type: "input", seq: 2, data: "touch /tmp/helper-typed\r" });
    await untilInSandbox("test -f /tmp/helper-typed", "the helper's command to run");
    const leftovers = await driver.runScript({
      sessionId,
      host: "host01",
      script: "ls /tmp/watcher-typed /tmp/watcher-raw /tmp/helper-early 2>/dev/null | wc -l",
      timeoutMs: 5000,
      env: {},
    });
    expect(leftovers.ok && leftovers.value.stdout.trim()).toBe("0");
    // The read-only watcher stays read-only even while control is shared.
    expect(
      mine.messages.some(
        (m) => m.type === "viewers" && m.allowControl && m.viewers.some((v) => v.mode === "read" && v.who === "Ada"),
      ),
    ).toBe(true);
    readOnly.ws.close();
    helper.ws.close();
    mine.terminal.dispose();
  });

  it("refuses input from the owner's own read-only token", async () => {
    const raw = rawSocket({ sub: "attendee", mode: "read" });
    await raw.opened;
    await until(() => raw.messages.some((m) => m.type === "ready" && m.mode === "read"), "ready");
    raw.ws.send(Buffer.from("touch /tmp/read-only-typed\r"), { binary: true });
    await until(() => raw.messages.some((m) => m.type === "error" && m.code === "FORBIDDEN"), "the refusal");
    await new Promise((r) => setTimeout(r, 300));
    expect(await sandboxFile("/tmp/read-only-typed 2>&1")).toMatch(/No such file/);
    raw.ws.close();
  });

  it("refuses a ninth terminal with 429, and a resumed channel takes its new token's rights", async () => {
    await until(
      () => gateway.terminals.channelCount(sessionId) === 0,
      () => `earlier terminals to close (${gateway.terminals.debugChannels(sessionId)})`,
      40_000,
    );
    const id = `rights-${randomBytes(6).toString("hex")}`;
    const open = [rawSocket(owner, { client: id })];
    for (let i = 1; i < 8; i++) open.push(rawSocket(owner));
    await Promise.all(open.map((o) => o.opened));
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url(owner, {}), { headers: { origin: base } });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => resolve(101));
      ws.on("error", () => undefined);
    });
    expect(status).toBe(429);
    // The first one comes back with a read-only token: same channel, and now it may not type.
    open[0]?.ws.terminate();
    const again = rawSocket({ sub: "attendee", mode: "read" }, { client: id });
    await again.opened;
    await until(() => again.messages.some((m) => m.type === "ready" && m.resumed && m.mode === "read"), "resumed");
    expect(again.messages.some((m) => m.type === "lease")).toBe(true);
    again.send({ type: "share", allowControl: true });
    await until(() => again.messages.some((m) => m.type === "error" && m.code === "FORBIDDEN"), "no sharing");
    for (const o of [again, ...open]) o.ws.close();
    await until(() => gateway.terminals.channelCount(sessionId) === 0, "the terminals to close");
  });

  it("tells a connected terminal about the lease and about the sandbox's removal", async () => {
    const raw = rawSocket(owner);
    await raw.opened;
    await until(() => raw.messages.some((m) => m.type === "lease"), "the lease");
    const extended = await fetch(`${internalBase}/internal/sessions/${sessionId}/extend`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(extended.status).toBe(200);
    await until(() => raw.messages.filter((m) => m.type === "lease").length >= 2, "the new lease");
    const removed = await fetch(`${internalBase}/internal/sessions/${sessionId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(removed.status).toBe(200);
    await until(() => raw.messages.some((m) => m.type === "ended"), "the end");
    await until(() => raw.closeCode() === 4404, "the close");
  });
});

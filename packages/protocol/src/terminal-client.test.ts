import { describe, expect, it } from "vitest";
import { type SocketLike, splitInput, TerminalClient } from "./terminal-client.ts";
import { type TerminalServerMessage, WS_CLOSE_REPLACED } from "./terminal-messages.ts";

// The client's bookkeeping against a scripted socket. The real exchange with the gateway is proven in
// apps/gateway/test/terminal-channel.test.ts and in the browser journeys.

class ScriptedSocket implements SocketLike {
  readyState = 1;
  binaryType = "blob";
  sent: unknown[] = [];
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  send(data: string | Uint8Array) {
    this.sent.push(typeof data === "string" ? JSON.parse(data) : data);
  }
  close() {
    this.readyState = 3;
  }
  deliver(message: TerminalServerMessage | Uint8Array) {
    this.onmessage?.({ data: message instanceof Uint8Array ? message.buffer : JSON.stringify(message) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }
  inputs() {
    return this.sent.filter((m): m is { type: "input"; seq: number; data: string } => {
      return typeof m === "object" && m !== null && (m as { type?: string }).type === "input";
    });
  }
}

const ready = (over: Partial<Extract<TerminalServerMessage, { type: "ready" }>> = {}): TerminalServerMessage => ({
  type: "ready",
  sessionId: "s-1",
  host: "host01",
  mode: "write",
  resumed: false,
  inputSeq: 0,
  outputSeq: 0,
  windowBytes: 1024,
  ...over,
});

function setup(options: { maxRetries?: number } = {}) {
  const sockets: ScriptedSocket[] = [];
  const dials: { client: string; received: number }[] = [];
  const screen: Uint8Array[] = [];
  const states: string[] = [];
  const client = new TerminalClient({
    dial: async (resume) => {
      dials.push(resume);
      const socket = new ScriptedSocket();
      sockets.push(socket);
      return { ok: true, socket };
    },
    write: (bytes, done) => {
      screen.push(bytes);
      done();
    },
    onState: (state) => states.push(state),
    keepaliveMs: 60_000,
    ...options,
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { client, sockets, dials, screen, states, settle, last: () => sockets.at(-1) as ScriptedSocket };
}

describe("TerminalClient", () => {
  it("holds input until ready, numbers it, and forgets what the gateway confirmed", async () => {
    const t = setup();
    t.client.input("ls");
    t.client.start();
    await t.settle();
    expect(t.last().inputs()).toEqual([]);
    t.last().deliver(ready());
    t.client.input("\r");
    expect(
      t
        .last()
        .inputs()
        .map((m) => [m.seq, m.data]),
    ).toEqual([
      [1, "ls"],
      [2, "\r"],
    ]);
    t.last().deliver({ type: "input-ack", seq: 1 });
    expect(t.client.unconfirmedInput).toBe(1);
    t.client.dispose();
  });

  it("resends after a cut only what the resumed channel did not write, and reports the bytes it has", async () => {
    const t = setup();
    t.client.start();
    await t.settle();
    t.last().deliver(ready());
    t.last().deliver(new TextEncoder().encode("hello"));
    t.client.input("a");
    t.client.input("b");
    t.client.input("c");
    t.last().drop();
    t.client.input("d");
    await new Promise((r) => setTimeout(r, 300));
    expect(t.dials.at(-1)).toMatchObject({ received: 5, client: t.dials[0]?.client });
    t.last().deliver(ready({ resumed: true, inputSeq: 2, outputSeq: 5 }));
    expect(
      t
        .last()
        .inputs()
        .map((m) => [m.seq, m.data]),
    ).toEqual([
      [3, "c"],
      [4, "d"],
    ]);
    // Output on screen is acknowledged (within 100 ms), in the channel's own counting.
    await new Promise((r) => setTimeout(r, 150));
    expect(t.last().sent).toContainEqual({ type: "ack", bytes: 5 });
    t.client.dispose();
  });

  it("on a new channel drops input of unknown fate, sends the never-sent, and counts output afresh", async () => {
    const t = setup();
    t.client.start();
    await t.settle();
    t.last().deliver(ready());
    t.client.input("sent-maybe-written");
    t.last().drop();
    t.client.input("typed-while-away");
    await new Promise((r) => setTimeout(r, 300));
    t.last().deliver(ready({ resumed: false }));
    expect(
      t
        .last()
        .inputs()
        .map((m) => [m.seq, m.data]),
    ).toEqual([[1, "typed-while-away"]]);
    t.last().deliver(new Uint8Array([65, 66]));
    await new Promise((r) => setTimeout(r, 150));
    expect(t.last().sent).toContainEqual({ type: "ack", bytes: 2 });
    t.client.dispose();
  });

  it("stops when replaced by a newer connection, and reconnects on a plain drop", async () => {
    const t = setup();
    t.client.start();
    await t.settle();
    t.last().deliver(ready());
    t.last().drop(WS_CLOSE_REPLACED);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.sockets).toHaveLength(1);
    expect(t.client.connectionState).toBe("closed");
    t.client.reconnect();
    await t.settle();
    expect(t.sockets).toHaveLength(2);
    t.client.dispose();
  });

  it("opens a new shell after one ends, but gives up on a shell that ends as soon as it starts", async () => {
    const t = setup({ maxRetries: 3 });
    t.client.start();
    for (let round = 0; round < 12 && t.client.connectionState !== "closed"; round++) {
      for (let i = 0; i < 100 && t.sockets.length <= round; i++) await new Promise((r) => setTimeout(r, 50));
      await t.settle();
      t.last().deliver(ready());
      t.last().deliver({ type: "exit", exitCode: 1 });
      t.last().drop(1000);
    }
    expect(t.client.connectionState).toBe("closed");
    // Three tries, with growing waits between them (0.5 s, then 1 s).
    expect(t.sockets.length).toBe(3);
    t.client.dispose();
  }, 15_000);

  it("dials once when several wake-ups ask for a reconnect together", async () => {
    const t = setup();
    t.client.start();
    t.client.reconnect();
    t.client.reconnect();
    await t.settle();
    expect(t.dials).toHaveLength(1);
    t.client.dispose();
  });

  it("splits a long paste without cutting a character in two", () => {
    const pieces = splitInput(`${"x".repeat(9)}😀${"y".repeat(5)}`, 10);
    expect(pieces.join("")).toBe(`${"x".repeat(9)}😀${"y".repeat(5)}`);
    expect(pieces[0]).toBe("x".repeat(9));
    expect(pieces.every((p) => p.length <= 10)).toBe(true);
  });
});

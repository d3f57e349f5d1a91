import { describe, expect, it } from "vitest";
import { errorCodeOfWsClose, errorCodes, httpStatusOf, wsCloseCodeOf } from "./error-codes.ts";
import { createSessionRequest, labStartEvent, runScriptRequest } from "./internal-api.ts";
import { parseTerminalClientMessage, parseTerminalServerMessage } from "./terminal-messages.ts";

describe("terminal client messages", () => {
  it("accepts a resize and a ping", () => {
    expect(parseTerminalClientMessage('{"type":"resize","cols":120,"rows":40}')).toEqual({
      ok: true,
      message: { type: "resize", cols: 120, rows: 40 },
    });
    expect(parseTerminalClientMessage('{"type":"ping","id":3}')).toMatchObject({ ok: true });
  });

  it("accepts numbered input, acknowledgements and sharing", () => {
    expect(parseTerminalClientMessage('{"type":"input","seq":1,"data":"ls\\r"}')).toEqual({
      ok: true,
      message: { type: "input", seq: 1, data: "ls\r" },
    });
    expect(parseTerminalClientMessage('{"type":"input","seq":2,"data":"\\u001b[M","encoding":"binary"}')).toMatchObject(
      {
        ok: true,
      },
    );
    expect(parseTerminalClientMessage('{"type":"ack","bytes":65536}')).toMatchObject({ ok: true });
    expect(parseTerminalClientMessage('{"type":"share","allowControl":true}')).toMatchObject({ ok: true });
  });

  it.each([
    ["not JSON", "{oops", /not JSON/],
    ["an unknown type", '{"type":"exec","cmd":"rm -rf /"}', /type/],
    ["a negative size", '{"type":"resize","cols":-1,"rows":10}', /cols/],
    ["a huge size", '{"type":"resize","cols":100000,"rows":10}', /cols/],
    ["a fractional size", '{"type":"resize","cols":80.5,"rows":10}', /cols/],
    ["a string size", '{"type":"resize","cols":"80","rows":10}', /cols/],
    ["an array", "[1,2,3]", /./],
    ["null", "null", /./],
    ["input number 0", '{"type":"input","seq":0,"data":"x"}', /seq/],
    ["fractional input number", '{"type":"input","seq":1.5,"data":"x"}', /seq/],
    ["input without data", '{"type":"input","seq":1}', /data/],
    ["oversized input", JSON.stringify({ type: "input", seq: 1, data: "x".repeat(9000) }), /data/],
    ["an unknown encoding", '{"type":"input","seq":1,"data":"x","encoding":"utf16"}', /encoding/],
    ["a negative ack", '{"type":"ack","bytes":-1}', /bytes/],
    ["share without a flag", '{"type":"share"}', /allowControl/],
  ])("rejects %s with a reason", (_name, text, reason) => {
    const parsed = parseTerminalClientMessage(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe("terminal server messages", () => {
  it("accepts each message the gateway sends", () => {
    for (const message of [
      {
        type: "ready",
        sessionId: "s-1",
        host: "host01",
        mode: "write",
        resumed: false,
        inputSeq: 0,
        outputSeq: 0,
        windowBytes: 524288,
      },
      { type: "input-ack", seq: 4 },
      { type: "mode", mode: "read" },
      {
        type: "viewers",
        viewers: [{ who: "Ada", role: "instructor", mode: "read", host: "host01" }],
        allowControl: false,
      },
      { type: "lease", expiresAt: "2026-11-28T04:00:00.000Z" },
      { type: "lease", expiresAt: null },
      { type: "ended", reason: "expired" },
      { type: "pong", id: 1 },
      { type: "exit", exitCode: 0 },
      { type: "exit", exitCode: null },
      { type: "error", code: "FORBIDDEN", message: "no" },
    ]) {
      expect(parseTerminalServerMessage(JSON.stringify(message))).toEqual({ ok: true, message });
    }
  });

  it("rejects an error with an unknown code", () => {
    expect(parseTerminalServerMessage('{"type":"error","code":"NOPE","message":"x"}').ok).toBe(false);
  });
});

describe("internal API schemas", () => {
  const good = { sessionId: "s-0123456789", userId: "u", scenario: "basics", hosts: [{ name: "host01", image: "i" }] };

  it("accepts a session request and rejects unsafe ids and names", () => {
    expect(createSessionRequest.safeParse(good).success).toBe(true);
    for (const sessionId of ["../../etc", "UPPER-case1", "a", "x".repeat(80), "s 1234567"]) {
      expect(createSessionRequest.safeParse({ ...good, sessionId }).success).toBe(false);
    }
    expect(createSessionRequest.safeParse({ ...good, hosts: [] }).success).toBe(false);
    expect(createSessionRequest.safeParse({ ...good, hosts: [{ name: "Host;rm", image: "i" }] }).success).toBe(false);
  });

  it("fills script defaults and refuses bad environment names", () => {
    expect(runScriptRequest.parse({ script: "true" })).toEqual({
      host: "host01",
      script: "true",
      timeoutMs: 30_000,
      env: {},
    });
    expect(runScriptRequest.safeParse({ script: "true", env: { "A=B": "x" } }).success).toBe(false);
    expect(runScriptRequest.safeParse({ script: "true", timeoutMs: 10 }).success).toBe(false);
  });

  it("tells the session id apart from progress events when a lab starts", () => {
    expect(labStartEvent.parse({ type: "session", sessionId: "s-0123456789" })).toMatchObject({ type: "session" });
    expect(labStartEvent.parse({ type: "progress", phase: "network", message: "m" })).toMatchObject({
      phase: "network",
    });
    expect(labStartEvent.safeParse({ type: "progress", phase: "teleport", message: "m" }).success).toBe(false);
  });
});

describe("error codes", () => {
  it("map to distinct HTTP statuses and WebSocket close codes in the application range", () => {
    const codes = Object.keys(errorCodes) as (keyof typeof errorCodes)[];
    const ws = codes.map(wsCloseCodeOf);
    expect(new Set(ws).size).toBe(codes.length);
    for (const code of codes) {
      expect(wsCloseCodeOf(code)).toBeGreaterThanOrEqual(4000);
      expect(wsCloseCodeOf(code)).toBeLessThan(5000);
      expect(errorCodeOfWsClose(wsCloseCodeOf(code))).toBe(code);
      expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    }
    expect(errorCodeOfWsClose(1000)).toBeUndefined();
  });
});

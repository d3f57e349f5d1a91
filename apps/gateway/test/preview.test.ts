import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { PREVIEW_AUTH_PATH, PREVIEW_COOKIE, PREVIEW_STATE_COOKIE } from "@dockyard/protocol";
import { DockerDriver } from "@dockyard/sandbox";
import { mintPreviewCookie, mintPreviewToken } from "@dockyard/token";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDb, testGateway } from "./temp-db.ts";

// Port previews through the real gateway, to a real server inside a real sandbox.
const SECRET = "preview-test-secret-0123456789";
const IMAGE = "dockyard/sandbox:latest";
const WEB = "http://localhost:39999";
const store = await tempDb();
const driver = new DockerDriver({ docker: new Docker() });
const { server } = testGateway(store, { driver, secret: SECRET, webUrl: WEB });
const sessionId = `s-${randomBytes(8).toString("hex")}`;
const owner = "preview-owner";
let port = 0;

/** Answers GET with what it received (request line and headers), and echoes raw bytes after an Upgrade. */
const ECHO_SERVER = `
import json, socket, threading
def handle(c):
    data = b''
    while b'\\r\\n\\r\\n' not in data:
        chunk = c.recv(4096)
        if not chunk: return
        data += chunk
    head, _, rest = data.partition(b'\\r\\n\\r\\n')
    lines = head.decode().split('\\r\\n')
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(':', 1) for l in lines[1:])}
    if headers.get('upgrade', '').lower() == 'websocket':
        c.sendall(b'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n' + rest)
        while True:
            d = c.recv(4096)
            if not d: break
            c.sendall(d)
    else:
        body = json.dumps({'line': lines[0], 'headers': headers}).encode()
        c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n' % len(body) + body)
    c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 8000))
s.listen()
while True:
    c, _ = s.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
`;

/** A raw HTTP request through the gateway with a chosen Host header (fetch may not set Host). */
function get(host: string, path: string, cookie?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path, headers: { host, ...(cookie ? { cookie } : {}) } },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => {
            body += c.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on("error", reject);
      req.end();
    },
  );
}

const hostOf = (p: number, h = "host01") =>
  h === "host01" ? `${sessionId}-${p}.localhost:${port}` : `${sessionId}-${h}-${p}.localhost:${port}`;
const STATE = "state-of-this-browser-0123";
const stateCookie = `${PREVIEW_STATE_COOKIE}=${STATE}`;
const tokenFor = (p: number, host = "host01", state = STATE) =>
  mintPreviewToken(owner, { sessionId, host, port: p }, state, SECRET);
const cookieFor = (p: number, viewer = owner) =>
  `${PREVIEW_COOKIE}=${mintPreviewCookie({ sub: viewer, sid: sessionId, host: "host01", port: p }, SECRET)}`;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  const made = await driver.createSession(
    { sessionId, userId: owner, scenario: "preview-test", hosts: [{ name: "host01", image: IMAGE }] },
    () => undefined,
  );
  if (!made.ok) throw new Error(made.error.message);
  const started = await driver.runBackground({
    sessionId,
    host: "host01",
    name: "echo-server",
    script: `cat > /tmp/echo.py <<'PY'\n${ECHO_SERVER}\nPY\nexec python3 /tmp/echo.py`,
    env: {},
  });
  if (!started.ok) throw new Error(started.error.message);
  // Wait until the server listens.
  for (let i = 0; i < 100; i++) {
    const probe = await get(hostOf(8000), "/", cookieFor(8000));
    if (probe.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the echo server in the sandbox did not start");
});

afterAll(async () => {
  await store.drop();
  await driver.removeSession(sessionId);
  server.close();
});

describe("port previews", () => {
  it("sends a viewer without the cookie to the web app, with the way back and a state of its own", async () => {
    const res = await get(hostOf(8000), "/app?x=1");
    expect(res.status).toBe(302);
    const location = new URL(String(res.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(`${WEB}/previews/authorize`);
    expect(location.searchParams.get("url")).toBe(`http://${hostOf(8000)}/app?x=1`);
    const state = location.searchParams.get("state");
    expect(state).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(String(res.headers["set-cookie"])).toContain(`${PREVIEW_STATE_COOKIE}=${state}; Path=${PREVIEW_AUTH_PATH}`);
  });

  it("sends Katacoda's <session>-<port>-<host> names to the one canonical name", async () => {
    const res = await get(`${sessionId}-8000-host01.localhost:${port}`, "/x?y=1");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`http://${hostOf(8000)}/x?y=1`);
  });

  it("trades a token from the web app once for the cookie, then proxies without passing the cookie on", async () => {
    const token = tokenFor(8000);
    const path = `${PREVIEW_AUTH_PATH}?token=${encodeURIComponent(token)}&next=${encodeURIComponent("/hello?a=b")}`;
    // A link minted for someone else's browser (no state cookie, or another one) is refused.
    expect((await get(hostOf(8000), path)).body).toMatch(/did not keep the preview/);
    expect((await get(hostOf(8000), path, `${PREVIEW_STATE_COOKIE}=another-browser-state-99`)).body).toMatch(
      /made for another browser/,
    );
    const traded = await get(hostOf(8000), path, stateCookie);
    expect(traded.status).toBe(302);
    expect(traded.headers.location).toBe("/hello?a=b");
    const setCookie = String((traded.headers["set-cookie"] as string[])[0]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure; SameSite=None; Partitioned/);
    const cookie = setCookie.split(";")[0] ?? "";

    const again = await get(hostOf(8000), path, stateCookie);
    expect(again.status).toBe(403);
    expect(again.body).toMatch(/used already/);

    const proxied = await get(hostOf(8000), "/hello?a=b", `${cookie}; theirs=1`);
    expect(proxied.status).toBe(200);
    const seen = JSON.parse(proxied.body) as { line: string; headers: Record<string, string> };
    expect(seen.line).toBe("GET /hello?a=b HTTP/1.1");
    expect(seen.headers.cookie).toBe("theirs=1");
    expect(seen.headers.host).toBe(hostOf(8000));
    expect(seen.headers["x-forwarded-host"]).toBe(hostOf(8000));
  });

  it("keeps a framed-page cookie only where browsers allow it: https and *.localhost; Lax on plain http elsewhere", async () => {
    const trade = async (host: string, proto?: string) => {
      const token = tokenFor(8000);
      return new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port,
            path: `${PREVIEW_AUTH_PATH}?token=${token}`,
            headers: { host, cookie: stateCookie, ...(proto ? { "x-forwarded-proto": proto } : {}) },
          },
          (res) => {
            res.resume();
            resolve(String(res.headers["set-cookie"]));
          },
        );
        req.on("error", reject);
        req.end();
      });
    };
    expect(await trade(`${sessionId}-8000.labs.example.com`)).toMatch(/SameSite=Lax/);
    expect(await trade(`${sessionId}-8000.labs.example.com`, "https")).toMatch(/Secure; SameSite=None; Partitioned/);
  });

  it("refuses tokens for another port, forged cookies and cookies of another port", async () => {
    const otherPort = tokenFor(8001);
    expect((await get(hostOf(8000), `${PREVIEW_AUTH_PATH}?token=${otherPort}`, stateCookie)).status).toBe(403);
    const forged = `${PREVIEW_COOKIE}=${mintPreviewCookie({ sub: owner, sid: sessionId, host: "host01", port: 8000 }, "another-secret-0123456789")}`;
    expect((await get(hostOf(8000), "/", forged)).status).toBe(302);
    expect((await get(hostOf(8000), "/", cookieFor(8001))).status).toBe(302);
    expect((await get(hostOf(8000), "/", `${PREVIEW_COOKIE}=garbage.garbage`)).status).toBe(302);
  });

  it("never redirects off the preview host after the trade", async () => {
    for (const next of ["//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example"]) {
      const token = tokenFor(8000);
      const res = await get(
        hostOf(8000),
        `${PREVIEW_AUTH_PATH}?token=${token}&next=${encodeURIComponent(next)}`,
        stateCookie,
      );
      expect(res.headers.location).toBe("/");
    }
  });

  it("proxies WebSocket upgrades both ways", async () => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    socket.on("data", (d) => {
      received += d.toString();
    });
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: ${hostOf(8000)}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nCookie: ${cookieFor(8000)}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    const waitFor = async (needle: string) => {
      for (let i = 0; i < 100 && !received.includes(needle); i++) await new Promise((r) => setTimeout(r, 50));
      expect(received).toContain(needle);
    };
    await waitFor("101 Switching Protocols");
    socket.write("ping-through-the-proxy");
    await waitFor("ping-through-the-proxy");
    socket.destroy();

    const refused = connect({ host: "127.0.0.1", port });
    let answer = "";
    refused.on("data", (d) => {
      answer += d.toString();
    });
    refused.write(`GET /ws HTTP/1.1\r\nHost: ${hostOf(8000)}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
    await new Promise((r) => refused.once("close", r));
    expect(answer).toMatch(/^HTTP\/1.1 401/);
  });

  it("survives clients that vanish in the middle of an upgrade", async () => {
    for (let i = 0; i < 20; i++) {
      const socket = connect({ host: "127.0.0.1", port });
      socket.on("error", () => undefined);
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: ${hostOf(8000)}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nCookie: ${cookieFor(8000)}\r\n\r\n`,
      );
      socket.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(`127.0.0.1:${port}`, "/healthz")).status).toBe(200);
  });

  it("says plainly when nothing listens, the host does not exist, or the sandbox is gone", async () => {
    const closed = await get(hostOf(8081), "/", cookieFor(8081));
    expect(closed.status).toBe(502);
    expect(closed.body).toMatch(/Nothing is listening on port 8081 of host01/);
    expect(closed.body).toMatch(/0\.0\.0\.0/);

    const noHost = await get(
      hostOf(8000, "host09"),
      "/",
      `${PREVIEW_COOKIE}=${mintPreviewCookie({ sub: owner, sid: sessionId, host: "host09", port: 8000 }, SECRET)}`,
    );
    expect(noHost.status).toBe(404);

    const ghost = "s-0000000000000000";
    const gone = await get(
      `${ghost}-8000.localhost`,
      "/",
      `${PREVIEW_COOKIE}=${mintPreviewCookie({ sub: owner, sid: ghost, host: "host01", port: 8000 }, SECRET)}`,
    );
    expect(gone.status).toBe(404);
    expect(gone.body).toMatch(/sandbox is gone/);
  });

  it("leaves other host names to the gateway's own routes", async () => {
    expect((await get(`127.0.0.1:${port}`, "/healthz")).status).toBe(200);
    expect((await get(`s-nothex-80.localhost`, "/healthz")).status).toBe(200);
  });
});

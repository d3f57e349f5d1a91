import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BuildImagesEvent,
  buildImagesEvent,
  buildImagesStatus,
  errorBody,
  gatewaySettings,
  imageInfoList,
} from "@dockyard/protocol";
import { DockerDriver } from "@dockyard/sandbox";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIFETIME, DEFAULT_LIMITS } from "../src/gateway-server.ts";
import { closeTestGateway, tempDb, testGateway } from "./temp-db.ts";

// The admin's images and settings through the real gateway: images inspected on the real Docker engine, builds run
// as real child processes (a fake script the tests rewrite, and once the real docker/build-images.sh).
const SECRET = "images-test-secret-0123456789";
const IMAGE = "dockyard/sandbox:latest";
const auth = { authorization: `Bearer ${SECRET}` };
const dir = mkdtempSync(join(tmpdir(), "dockyard-images-test-"));
const script = join(dir, "build.sh");

const store = await tempDb();
const driver = new DockerDriver({
  docker: new Docker(),
  instance: `images-${randomBytes(3).toString("hex")}`,
  limits: { diskBytes: 2048 * 1024 * 1024 },
});
const gateway = testGateway(store, {
  driver,
  secret: SECRET,
  limits: { maxSessions: 7, maxPerUser: 2, maxStarting: 4 },
  lifetime: { ttlSeconds: 900, maxTtlSeconds: 2700, idleSeconds: 300 },
  pool: { size: 3, warm: [] },
  internet: false,
  allowDocker: true,
  isolation: { ok: false, error: "no iptables", required: true },
  imageBuildScript: script,
});
// Defaults everywhere, and the real build script.
const realStore = await tempDb();
const realDriver = new DockerDriver({ docker: new Docker(), instance: `images-${randomBytes(3).toString("hex")}` });
const real = testGateway(realStore, { driver: realDriver, secret: SECRET });
let base = "";
let realBase = "";

const listen = async (g: typeof gateway) => {
  await new Promise<void>((resolve) => g.internal.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(g.internal.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  base = await listen(gateway);
  realBase = await listen(real);
});

afterAll(async () => {
  await closeTestGateway(gateway, driver, store);
  await closeTestGateway(real, realDriver, realStore);
  rmSync(dir, { recursive: true, force: true });
});

const images = (query: string, headers: Record<string, string> = auth) =>
  fetch(`${base}/internal/images?${query}`, { headers });

const post = (at: string, body: object, init: RequestInit = {}) =>
  fetch(`${at}/internal/images/build`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify(body),
    ...init,
  });

/** The events of a build's response, parsed as the web app parses them. */
async function eventsOf(res: Response): Promise<BuildImagesEvent[]> {
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/x-ndjson");
  const text = await res.text();
  return text
    .trim()
    .split("\n")
    .map((l) => buildImagesEvent.parse(JSON.parse(l)));
}

const linesOf = (events: BuildImagesEvent[]) => events.flatMap((e) => (e.type === "line" ? [e.line] : []));

async function status(at = base) {
  const res = await fetch(`${at}/internal/images/build`, { headers: auth });
  expect(res.status).toBe(200);
  return buildImagesStatus.parse(await res.json());
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a process runs (a zombie waiting for whoever adopted it to reap it does not). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

describe("GET /internal/images", () => {
  it("reports an image the engine has, with its id, size, build time and hash, and one it has not", async () => {
    const missing = `dockyard/no-such-image-${randomBytes(4).toString("hex")}:latest`;
    const res = await images(`name=${encodeURIComponent(IMAGE)}&name=${encodeURIComponent(missing)}`);
    expect(res.status).toBe(200);
    const { images: listed } = imageInfoList.parse(await res.json());
    expect(listed.map((i) => i.name)).toEqual([IMAGE, missing]);
    const [present, absent] = listed;
    expect(present?.present).toBe(true);
    expect(present?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(present?.sizeBytes).toBeGreaterThan(0);
    expect(Date.parse(present?.createdAt ?? "")).toBeLessThanOrEqual(Date.now());
    // docker/build-images.sh labels what it builds with the hash of its context.
    expect(present?.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(absent).toEqual({ name: missing, present: false });
  });

  it("refuses a malformed name, a name too long and too many names with 400, and no secret with 401", async () => {
    for (const query of [
      `name=${encodeURIComponent("Not An Image!")}`,
      `name=${encodeURIComponent(IMAGE)}&name=${encodeURIComponent("UPPER/case")}`,
      `name=${"a".repeat(257)}`,
      Array.from({ length: 51 }, (_, i) => `name=image${i}`).join("&"),
    ]) {
      const res = await images(query);
      expect(res.status, query).toBe(400);
      expect(errorBody.parse(await res.json()).error.code).toBe("BAD_REQUEST");
    }
    expect((await images(`name=${IMAGE}`, {})).status).toBe(401);
    expect((await images(`name=${IMAGE}`, { authorization: "Bearer wrong" })).status).toBe(401);
  });
});

describe("GET /internal/settings", () => {
  it("reports the gateway's limits, lifetimes, pool, network, docker, firewall and disk settings", async () => {
    const res = await fetch(`${base}/internal/settings`, { headers: auth });
    expect(res.status).toBe(200);
    expect(gatewaySettings.parse(await res.json())).toEqual({
      limits: { maxSessions: 7, maxPerUser: 2, maxStarting: 4 },
      lifetime: { ttlSeconds: 900, maxTtlSeconds: 2700, idleSeconds: 300 },
      pool: { size: 3, reservedMax: 30 },
      internet: false,
      allowDocker: true,
      firewall: "failed",
      diskMb: 2048,
    });
    expect((await fetch(`${base}/internal/settings`)).status).toBe(401);
  });

  it("reports the defaults of a gateway given none", async () => {
    const res = await fetch(`${realBase}/internal/settings`, { headers: auth });
    expect(gatewaySettings.parse(await res.json())).toEqual({
      limits: DEFAULT_LIMITS,
      lifetime: DEFAULT_LIFETIME,
      pool: { size: 0, reservedMax: 30 },
      internet: true,
      allowDocker: false,
      firewall: "off",
      diskMb: 4096,
    });
  });
});

describe("POST /internal/images/build", () => {
  it("streams a build that succeeds: started, every line of stdout and stderr without the prefix, then done", async () => {
    writeFileSync(
      script,
      [
        'echo "[images] first on stdout"',
        'echo "[images] second on stderr" >&2',
        'echo "rebuild=$DOCKYARD_REBUILD cwd=$PWD"',
        "printf 'x%.0s' $(seq 1 3000); echo",
        "printf 'no newline at the end'",
      ].join("\n"),
    );
    const before = Date.now();
    const events = await eventsOf(await post(base, { rebuild: true }));
    expect(events[0]?.type).toBe("started");
    if (events[0]?.type === "started") expect(Date.parse(events[0].at)).toBeGreaterThanOrEqual(before - 1000);
    const lines = linesOf(events);
    expect(lines).toHaveLength(5);
    expect(lines).toEqual(expect.arrayContaining(["first on stdout", "second on stderr", "no newline at the end"]));
    expect(lines).toContain(`rebuild=1 cwd=${join(import.meta.dirname, "../../..")}`);
    expect(lines.find((l) => l.startsWith("xxx"))).toHaveLength(2000);
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", ok: true, exitCode: 0 });
    expect(done?.type === "done" && done.seconds).toBeGreaterThanOrEqual(0);

    // Without `rebuild`, the script is told not to force anything.
    expect(linesOf(await eventsOf(await post(base, {})))).toContain(
      `rebuild=0 cwd=${join(import.meta.dirname, "../../..")}`,
    );
  });

  it("reports a build that fails with its exit code, and GET shows its last lines and result", async () => {
    writeFileSync(
      script,
      'for i in $(seq 1 250); do echo "[images] line $i"; done\necho "[images] error: broken" >&2\nexit 3',
    );
    const events = await eventsOf(await post(base, { rebuild: false }));
    expect(events.at(-1)).toMatchObject({ type: "done", ok: false, exitCode: 3 });
    expect(linesOf(events)).toHaveLength(251);

    const after = await status();
    expect(after.running).toBe(false);
    expect(after.lines).toHaveLength(200);
    expect(after.lines[0]).toBe("line 52");
    expect(after.lines.at(-1)).toBe("error: broken");
    expect(after.lastResult).toMatchObject({ ok: false, exitCode: 3 });
    expect(Date.parse(after.lastResult?.finishedAt ?? "")).toBeGreaterThan(Date.parse(after.startedAt ?? ""));
  });

  it("runs one build at a time: a second POST while one runs is 409, and the first still finishes", async () => {
    writeFileSync(script, 'echo "[images] working"\nsleep 1.5\necho "[images] finished"');
    const first = await post(base, {});
    // Headers come with `started`: the build runs.
    expect(first.status).toBe(200);
    const during = await status();
    expect(during.running).toBe(true);
    expect(Date.parse(during.startedAt ?? "")).toBeLessThanOrEqual(Date.now());

    const second = await post(base, { rebuild: true });
    expect(second.status).toBe(409);
    expect(errorBody.parse(await second.json()).error).toMatchObject({
      code: "CONFLICT",
      message: "A build is running",
    });

    const events = await eventsOf(first);
    expect(linesOf(events)).toEqual(["working", "finished"]);
    expect(events.at(-1)).toMatchObject({ type: "done", ok: true, exitCode: 0 });
    expect((await status()).lastResult).toMatchObject({ ok: true, exitCode: 0 });
  });

  it("goes on when the client disconnects, and the status shows how it ended", async () => {
    const marker = join(dir, `after-${randomBytes(3).toString("hex")}`);
    writeFileSync(script, `echo "[images] before"\nsleep 1\necho "[images] after"\ntouch ${marker}`);
    const abort = new AbortController();
    const res = await post(base, {}, { signal: abort.signal });
    expect(res.status).toBe(200);
    abort.abort();
    const ended = await until(async () => {
      const s = await status();
      return s.running ? undefined : s;
    }, "the build to end");
    expect(ended.lines).toEqual(["before", "after"]);
    expect(ended.lastResult).toMatchObject({ ok: true, exitCode: 0 });
    expect(readFileSync(marker, "utf8")).toBe("");
  });

  it("kills the build and what it started when the gateway stops", async () => {
    const pids = join(dir, "pids");
    writeFileSync(script, `sleep 60 & echo "$$ $!" > ${pids}\necho "[images] sleeping"\nwait`);
    const res = await post(base, {});
    const [scriptPid, sleepPid] = (
      await until(
        async () => (existsSync(pids) ? readFileSync(pids, "utf8").trim() || undefined : undefined),
        "the pids",
      )
    )
      .split(" ")
      .map(Number);
    expect(alive(sleepPid ?? 0)).toBe(true);
    gateway.images.stop();
    const events = await eventsOf(res);
    expect(events.at(-1)).toMatchObject({ type: "done", ok: false, exitCode: null });
    expect(alive(scriptPid ?? 0)).toBe(false);
    await until(async () => (alive(sleepPid ?? 0) ? undefined : true), "the script's child to go");
  });

  it("ends when the script exits, even if something it started still holds its output", async () => {
    const pids = join(dir, "stray");
    writeFileSync(script, `sleep 30 & echo $! > ${pids}\necho "[images] left a child"`);
    const events = await eventsOf(await post(base, {}));
    expect(linesOf(events)).toEqual(["left a child"]);
    expect(events.at(-1)).toMatchObject({ type: "done", ok: true, exitCode: 0 });
    process.kill(Number(readFileSync(pids, "utf8")), "SIGKILL");
  });

  it("refuses a bad body with 400 and no secret with 401, starting nothing", async () => {
    const before = await status();
    const bad = await post(base, { rebuild: "yes" });
    expect(bad.status).toBe(400);
    const anonymous = await fetch(`${base}/internal/images/build`, { method: "POST", body: "{}" });
    expect(anonymous.status).toBe(401);
    expect((await fetch(`${base}/internal/images/build`)).status).toBe(401);
    expect(await status()).toEqual(before);
  });

  it("runs the real docker/build-images.sh, which finds the images up to date (or builds them)", {
    timeout: 120_000,
  }, async () => {
    const events = await eventsOf(await post(realBase, { rebuild: false }));
    const lines = linesOf(events);
    expect(events.at(-1), lines.join("\n")).toMatchObject({ type: "done", ok: true, exitCode: 0 });
    // Each image is up to date or was built; either way the line names the hash the image now carries.
    const hashOf = (image: string) => {
      const name = image.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return lines
        .map((l) =>
          new RegExp(`^(?:${name} is up to date \\(|building ${name} from .* \\(context )([0-9a-f]{16})\\)`).exec(l),
        )
        .find(Boolean)?.[1];
    };
    const res = await fetch(`${realBase}/internal/images?name=${IMAGE}&name=dockyard/sandbox-docker:latest`, {
      headers: auth,
    });
    const listed = imageInfoList.parse(await res.json()).images;
    expect(listed[0]?.hash).toBe(hashOf(IMAGE));
    expect(listed[1]?.hash).toBe(hashOf("dockyard/sandbox-docker:latest"));
    expect((await status(realBase)).lastResult).toMatchObject({ ok: true, exitCode: 0 });
  });
});

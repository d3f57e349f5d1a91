import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type BuildImagesEvent,
  backgroundScriptRequest,
  buildImagesRequest,
  type CreateSessionEvent,
  createSessionRequest,
  dockyardError,
  engineName,
  engineRegistration,
  engineUpdate,
  type GatewaySettings,
  imageInfoQuery,
  type MirrorImages,
  ok,
  poolReservationsRequest,
  preloadImagesRequest,
  putFilesRequest,
  type Result,
  removeSessionRequest,
  runScriptRequest,
  scenarioTestRequest,
  sessionId as sessionIdSchema,
} from "@dockyard/protocol";
import type { RegistryMirror, SandboxDriver } from "@dockyard/sandbox";
import type { z } from "zod";
import type { EngineRegistry } from "./engine-registry.ts";
import { readJson, sendError, sendJson, sendResult } from "./http-io.ts";
import type { ImageBuilder, ImagePreloader } from "./image-builder.ts";
import type { GatewayMetrics } from "./metrics.ts";
import type { ScenarioTester } from "./scenario-tester.ts";
import type { SessionManager } from "./session-manager.ts";

function authorized(req: IncomingMessage, secret: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? "");
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Streams a job's events as NDJSON. The job is not the request's: a client that goes stops following it, and it runs
 * to its end; a refusal (one is running) is a plain error.
 */
function follow(
  res: ServerResponse,
  start: (send: (event: BuildImagesEvent) => void) => Result<{ detach: () => void }>,
): void {
  const send = (event: BuildImagesEvent) => {
    if (!res.headersSent) res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
    res.write(`${JSON.stringify(event)}\n`);
    if (event.type === "done") res.end();
  };
  const started = start(send);
  if (!started.ok) {
    sendError(res, started.error);
    return;
  }
  res.once("close", started.value.detach);
}

/** Reads a job's start request and follows the job it starts; a bad body is a 400. */
async function startJob<T extends z.ZodType>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: T,
  start: (body: z.infer<T>, send: (event: BuildImagesEvent) => void) => Result<{ detach: () => void }>,
): Promise<void> {
  const body = await readJson(req, schema);
  if (!body.ok) return sendError(res, body.error);
  follow(res, (send) => start(body.value, send));
}

/** What the control API works with. */
export interface InternalApiContext {
  driver: SandboxDriver;
  manager: SessionManager;
  secret: string;
  metrics?: GatewayMetrics;
  /** Rebuilds the sandbox images (the admin's button). */
  images: ImageBuilder;
  /** Runs `dockyard test` on a scenario (an instructor's button). */
  tests: ScenarioTester;
  /** Preloads course images into the registry mirror (the admin's button). */
  preloads: ImagePreloader;
  /** The registry mirror nested engines pull through. */
  mirror?: RegistryMirror;
  /** The configuration the admin sees. */
  settings: () => GatewaySettings;
  /** The Docker engines, when this gateway places sessions on several (the admin registers and changes them). */
  engines?: EngineRegistry;
  /** A script ran in the session: the other gateways hear it is in use. */
  onActivity?: (sessionId: string) => void;
}

/**
 * The web app's control API: create (streaming progress), list (the admin's view), inspect and remove sessions, run
 * scripts inside them; the admin's images (inspect, rebuild with streaming output) and settings. Returns false when
 * the path is not ours.
 */
export async function handleInternalApi(
  req: IncomingMessage,
  res: ServerResponse,
  context: InternalApiContext,
): Promise<boolean> {
  const { driver, manager, secret, metrics } = context;
  const url = new URL(req.url ?? "/", "http://gateway");
  if (!url.pathname.startsWith("/internal/")) return false;
  if (!authorized(req, secret)) {
    sendError(res, dockyardError("UNAUTHENTICATED", "The internal API needs the shared secret."));
    return true;
  }

  if (url.pathname === "/internal/sessions" && req.method === "POST") {
    const body = await readJson(req, createSessionRequest);
    if (!body.ok) {
      sendError(res, body.error);
      return true;
    }
    // Limits are decided before the stream starts: a refusal is a plain 429 and nothing is made.
    const started = performance.now();
    const admitted = await manager.admit(body.value);
    if (!admitted.ok) {
      metrics?.starts.inc({ result: admitted.error.code });
      sendError(res, admitted.error);
      return true;
    }
    res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
    const send = (event: CreateSessionEvent) => res.write(`${JSON.stringify(event)}\n`);
    const result = await manager.create(admitted.value, send);
    metrics?.starts.inc({ result: result.ok ? "ok" : result.error.code });
    if (result.ok) metrics?.startSeconds.observe((performance.now() - started) / 1000);
    send(
      result.ok
        ? {
            type: "ready",
            hosts: result.value.hosts.map((h) => h.name),
            ...(result.value.sessionId !== body.value.sessionId ? { sessionId: result.value.sessionId } : {}),
          }
        : { type: "error", code: result.error.code, message: result.error.message },
    );
    res.end();
    return true;
  }

  if (url.pathname === "/internal/pools") {
    if (req.method === "GET") {
      sendResult(res, ok(manager.poolStatus()));
      return true;
    }
    if (req.method === "PUT") {
      const body = await readJson(req, poolReservationsRequest);
      if (!body.ok) {
        sendError(res, body.error);
        return true;
      }
      sendResult(res, ok(await manager.reserve(body.value.reservations)));
      return true;
    }
  }

  if (url.pathname === "/internal/images" && req.method === "GET") {
    const names = imageInfoQuery.safeParse(url.searchParams.getAll("name"));
    if (!names.success) {
      const issues = names.error.issues.map((i) => `name${i.path.length ? `[${i.path.join(".")}]` : ""}: ${i.message}`);
      sendError(res, dockyardError("BAD_REQUEST", issues.join("; ")));
      return true;
    }
    const images = await driver.inspectImages(names.data);
    sendResult(res, images.ok ? ok({ images: images.value }) : images);
    return true;
  }

  // Long jobs: GET tells where the job is, POST starts it and follows its lines.
  const jobs: Record<
    string,
    { status: () => unknown; start: (req: IncomingMessage, res: ServerResponse) => Promise<void> }
  > = {
    "/internal/images/build": {
      status: () => context.images.status(),
      start: (req, res) =>
        startJob(req, res, buildImagesRequest, (body, send) => context.images.start(body.rebuild, send)),
    },
    "/internal/images/preload": {
      status: () => context.preloads.status(),
      start: (req, res) =>
        startJob(req, res, preloadImagesRequest, (body, send) => context.preloads.start(body.images, send)),
    },
    "/internal/scenario-tests": {
      status: () => context.tests.testStatus(),
      start: (req, res) => startJob(req, res, scenarioTestRequest, (body, send) => context.tests.start(body.dir, send)),
    },
  };
  const job = jobs[url.pathname];
  if (job && req.method === "GET") {
    sendJson(res, 200, job.status());
    return true;
  }
  if (job && req.method === "POST") {
    await job.start(req, res);
    return true;
  }

  if (url.pathname === "/internal/mirror" && req.method === "GET") {
    const names = imageInfoQuery.safeParse(url.searchParams.getAll("name"));
    if (!names.success) {
      sendError(res, dockyardError("BAD_REQUEST", names.error.issues.map((i) => i.message).join("; ")));
      return true;
    }
    const where = context.mirror ? await context.mirror.endpoint() : undefined;
    if (!where?.ok) {
      sendJson(res, 200, {
        url: null,
        images: names.data.map((name) => ({ name, held: false })),
      } satisfies MirrorImages);
      return true;
    }
    const images = await Promise.all(
      names.data.map(async (name) => {
        const held = await context.mirror?.imageId(name, where.value.url);
        return { name, held: held?.ok === true && held.value !== undefined };
      }),
    );
    sendJson(res, 200, { url: where.value.url, images } satisfies MirrorImages);
    return true;
  }

  if (url.pathname === "/internal/engines" || url.pathname.startsWith("/internal/engines/")) {
    await handleEngines(req, res, url, context.engines);
    return true;
  }

  if (url.pathname === "/internal/settings" && req.method === "GET") {
    sendJson(res, 200, context.settings());
    return true;
  }

  if (url.pathname === "/internal/sessions" && req.method === "GET") {
    sendResult(res, await manager.adminList());
    return true;
  }

  const match = /^\/internal\/sessions\/([^/]+)(\/scripts|\/background|\/files|\/extend)?$/.exec(url.pathname);
  const id = sessionIdSchema.safeParse(match?.[1]);
  if (!match || !id.success) {
    sendError(res, dockyardError("NOT_FOUND", `No route ${req.method} ${url.pathname}.`));
    return true;
  }

  if (match[2] === "/background" && req.method === "POST") {
    const body = await readJson(req, backgroundScriptRequest);
    if (!body.ok) {
      sendError(res, body.error);
      return true;
    }
    manager.touch(id.data);
    context.onActivity?.(id.data);
    const result = await driver.runBackground({ sessionId: id.data, ...body.value });
    sendResult(res, result);
    return true;
  }
  if (match[2] === "/files" && req.method === "PUT") {
    const body = await readJson(req, putFilesRequest, 24 * 1024 * 1024);
    if (!body.ok) {
      sendError(res, body.error);
      return true;
    }
    const files = body.value.files.map((f) => ({
      path: f.path,
      content: Buffer.from(f.contentBase64, "base64"),
      mode: f.mode,
    }));
    const result = await driver.putFiles(id.data, body.value.host, files);
    sendResult(res, result);
    return true;
  }
  if (match[2] === "/scripts" && req.method === "POST") {
    const body = await readJson(req, runScriptRequest);
    if (!body.ok) {
      sendError(res, body.error);
      return true;
    }
    manager.touch(id.data);
    context.onActivity?.(id.data);
    const result = await driver.runScript({ sessionId: id.data, ...body.value });
    sendResult(res, result);
    return true;
  }
  if (match[2] === "/extend" && req.method === "POST") {
    sendResult(res, await manager.extend(id.data));
    return true;
  }
  if (!match[2] && req.method === "GET") {
    const result = await manager.info(id.data);
    sendResult(res, result);
    return true;
  }
  if (!match[2] && req.method === "DELETE") {
    // No body is no reason: the user is told only that the sandbox was stopped.
    const body = await readJson(req, removeSessionRequest);
    if (!body.ok) {
      sendError(res, body.error);
      return true;
    }
    const result = await manager.remove(id.data, body.value.reason);
    sendResult(res, result);
    return true;
  }
  sendError(res, dockyardError("NOT_FOUND", `No route ${req.method} ${url.pathname}.`));
  return true;
}

/** The admin's engines: list, register (once it answers), change, remove (once it runs no users' sandboxes). */
async function handleEngines(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  engines: EngineRegistry | undefined,
): Promise<void> {
  if (!engines) {
    sendError(res, dockyardError("NOT_FOUND", "This gateway runs sandboxes on one engine, without a registry."));
    return;
  }
  if (url.pathname === "/internal/engines") {
    if (req.method === "GET") return sendJson(res, 200, await engines.list());
    if (req.method === "POST") {
      const body = await readJson(req, engineRegistration, 256 * 1024);
      return sendResult(res, body.ok ? await engines.register(body.value) : body);
    }
  }
  const name = engineName.safeParse(decodeURIComponent(url.pathname.slice("/internal/engines/".length)));
  if (name.success && req.method === "PATCH") {
    const body = await readJson(req, engineUpdate);
    return sendResult(res, body.ok ? await engines.update(name.data, body.value) : body);
  }
  if (name.success && req.method === "DELETE") return sendResult(res, await engines.remove(name.data));
  sendError(res, dockyardError("NOT_FOUND", `No route ${req.method} ${url.pathname}.`));
}

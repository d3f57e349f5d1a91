import "server-only";
import {
  adminSessionList,
  type BackgroundScriptRequest,
  buildImagesStatus,
  type CreateSessionRequest,
  type DockyardError,
  dockyardError,
  type EngineRegistration,
  type EngineUpdate,
  engineList,
  engineRow,
  errorBody,
  gatewayHealth,
  gatewaySettings,
  imageInfoList,
  mirrorImages,
  type PoolReservation,
  type PutFilesRequest,
  poolStatus,
  type Result,
  type RunScriptRequest,
  removeSessionResult,
  runScriptResult,
  scenarioTestStatus,
  sessionInfo,
  sessionLease,
} from "@dockyard/protocol";
import { z } from "zod";
import { env } from "./env.ts";

/** A gateway that hangs must not hang the page: every call has a deadline. */
const CALL_TIMEOUT_MS = 15_000;

async function call<T extends z.ZodType>(
  path: string,
  init: RequestInit,
  schema: T,
  timeoutMs = CALL_TIMEOUT_MS,
): Promise<Result<z.output<T>, DockyardError>> {
  const { GATEWAY_URL, DOCKYARD_SECRET } = env();
  let res: Response;
  try {
    res = await fetch(`${GATEWAY_URL}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${DOCKYARD_SECRET}`, "content-type": "application/json" },
      cache: "no-store",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if ((error as Error).name === "TimeoutError") {
      return { ok: false, error: dockyardError("TIMEOUT", "The gateway took too long to answer.") };
    }
    return { ok: false, error: dockyardError("SANDBOX_FAILED", "The gateway does not answer. Is it running?") };
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const parsed = errorBody.safeParse(json);
    return {
      ok: false,
      error: parsed.success ? parsed.data.error : dockyardError("INTERNAL", `Gateway ${res.status}`),
    };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return { ok: false, error: dockyardError("INTERNAL", "The gateway answered in a shape we do not know.") };
  return { ok: true, value: parsed.data };
}

/** Asks the gateway for a sandbox; its body is the gateway's stream of newline-delimited progress events. */
export async function requestSession(request: CreateSessionRequest): Promise<Result<ReadableStream<Uint8Array>>> {
  const { GATEWAY_URL, DOCKYARD_SECRET } = env();
  try {
    const res = await fetch(`${GATEWAY_URL}/internal/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${DOCKYARD_SECRET}`, "content-type": "application/json" },
      body: JSON.stringify(request),
      cache: "no-store",
      // Covers the whole start, including an image the engine has to unpack first.
      signal: AbortSignal.timeout(5 * 60_000),
    });
    if (!res.ok || !res.body) {
      const parsed = errorBody.safeParse(await res.json().catch(() => undefined));
      return { ok: false, error: parsed.success ? parsed.data.error : dockyardError("SANDBOX_FAILED") };
    }
    return { ok: true, value: res.body };
  } catch {
    return { ok: false, error: dockyardError("SANDBOX_FAILED", "The gateway does not answer. Is it running?") };
  }
}

/** Removes a sandbox; `reason` is what its user's terminals and page are told. */
export const removeSession = (sessionId: string, reason?: string) =>
  call(
    `/internal/sessions/${sessionId}`,
    { method: "DELETE", ...(reason ? { body: JSON.stringify({ reason }) } : {}) },
    removeSessionResult,
  );

/** Every user's live sandbox with its lease and live figures (CPU, memory, pids, network), for the admin page. */
export const listAllSessions = () => call("/internal/sessions", { method: "GET" }, adminSessionList);

/** The gateway ends a script by its timeout (and 5 s of grace); this waits a little longer than that. */
export const runScript = (sessionId: string, request: RunScriptRequest) =>
  call(
    `/internal/sessions/${sessionId}/scripts`,
    { method: "POST", body: JSON.stringify(request) },
    runScriptResult,
    (request.timeoutMs ?? 30_000) + 10_000,
  );

export const gatewayHealthCheck = () => call("/healthz", { method: "GET" }, gatewayHealth);

export const startBackground = (sessionId: string, request: BackgroundScriptRequest) =>
  call(
    `/internal/sessions/${sessionId}/background`,
    { method: "POST", body: JSON.stringify(request) },
    z.object({ pid: z.number() }),
  );

export const putFiles = (sessionId: string, request: PutFilesRequest) =>
  call(
    `/internal/sessions/${sessionId}/files`,
    { method: "PUT", body: JSON.stringify(request) },
    z.object({ files: z.number() }),
    60_000,
  );

export const inspectSession = (sessionId: string) =>
  call(`/internal/sessions/${sessionId}`, { method: "GET" }, sessionInfo);

/** Adds time to a sandbox's lease, up to its maximum. */
export const extendSession = (sessionId: string) =>
  call(`/internal/sessions/${sessionId}/extend`, { method: "POST" }, sessionLease);

/** The warm pools events need (the whole set: what is not listed is let go); answers what each pool holds. */
export const reservePools = (reservations: PoolReservation[]) =>
  call("/internal/pools", { method: "PUT", body: JSON.stringify({ reservations }) }, poolStatus);

export const warmPoolStatus = () => call("/internal/pools", { method: "GET" }, poolStatus);

/** Whether each named image exists on the engine, with its size, age and build hash. */
export const inspectImages = (names: string[]) =>
  call(
    `/internal/images?${names.map((n) => `name=${encodeURIComponent(n)}`).join("&")}`,
    { method: "GET" },
    imageInfoList,
  );

/** The gateway's limits, lifetimes, pool size and switches, for the admin's page. */
export const gatewaySettingsOf = () => call("/internal/settings", { method: "GET" }, gatewaySettings);

/** The image build: running or not, its last lines and last result. */
export const imageBuildStatus = () => call("/internal/images/build", { method: "GET" }, buildImagesStatus);

/** Starts a job on the gateway (an image build, a scenario's test); the body is its NDJSON stream of lines. */
async function startJob(path: string, body: unknown): Promise<Result<ReadableStream<Uint8Array>>> {
  const { GATEWAY_URL, DOCKYARD_SECRET } = env();
  try {
    const res = await fetch(`${GATEWAY_URL}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${DOCKYARD_SECRET}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
      signal: AbortSignal.timeout(30 * 60_000),
    });
    if (!res.ok || !res.body) {
      const parsed = errorBody.safeParse(await res.json().catch(() => undefined));
      return {
        ok: false,
        error: parsed.success ? parsed.data.error : dockyardError("INTERNAL", `Gateway ${res.status}`),
      };
    }
    return { ok: true, value: res.body };
  } catch {
    return { ok: false, error: dockyardError("SANDBOX_FAILED", "The gateway does not answer. Is it running?") };
  }
}

/** Builds Dockyard's images (or rebuilds them all), streaming the build's lines. */
export const startImageBuild = (rebuild: boolean) => startJob("/internal/images/build", { rebuild });

/** Whether the registry mirror runs, and which of the named images it holds. */
export const mirrorHolds = (names: string[]) =>
  call(
    `/internal/mirror?${names.map((n) => `name=${encodeURIComponent(n)}`).join("&")}`,
    { method: "GET" },
    mirrorImages,
  );

/** The course image preload: running or not, its last lines and last result. */
export const imagePreloadStatus = () => call("/internal/images/preload", { method: "GET" }, buildImagesStatus);

/** Builds the named course images where missing and puts them into the registry mirror, streaming the lines. */
export const startImagePreload = (images: string[]) => startJob("/internal/images/preload", { images });

/** Runs `dockyard test` on a scenario's folder, streaming its lines; `done` carries the report. */
export const startScenarioTest = (dir: string) => startJob("/internal/scenario-tests", { dir });

/** The running scenario test and each tested folder's last result. */
export const scenarioTests = () => call("/internal/scenario-tests", { method: "GET" }, scenarioTestStatus);

/** The Docker engines sandboxes run on, with their state, sandboxes and capacity. */
export const listEngines = () => call("/internal/engines", { method: "GET" }, engineList);

/** Registers an engine; the gateway first checks that it answers. */
export const registerEngine = (input: EngineRegistration) =>
  call("/internal/engines", { method: "POST", body: JSON.stringify(input) }, engineRow, 30_000);

/** Changes an engine's capacity, labels or whether it takes new sandboxes. */
export const updateEngine = (name: string, patch: EngineUpdate) =>
  call(`/internal/engines/${encodeURIComponent(name)}`, { method: "PATCH", body: JSON.stringify(patch) }, engineRow);

/** Removes an engine that runs no users' sandboxes. */
export const removeEngine = (name: string) =>
  call(`/internal/engines/${encodeURIComponent(name)}`, { method: "DELETE" }, z.object({ removed: z.string() }));

import "server-only";
import {
  type CreateSessionRequest,
  type DockyardError,
  dockyardError,
  errorBody,
  gatewayHealth,
  type Result,
  type RunScriptRequest,
  removeSessionResult,
  runScriptResult,
  sessionState,
} from "@dockyard/protocol";
import type { z } from "zod";
import { env } from "./env.ts";

async function call<T extends z.ZodType>(
  path: string,
  init: RequestInit,
  schema: T,
): Promise<Result<z.output<T>, DockyardError>> {
  const { GATEWAY_URL, DOCKYARD_SECRET } = env();
  let res: Response;
  try {
    res = await fetch(`${GATEWAY_URL}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${DOCKYARD_SECRET}`, "content-type": "application/json" },
      cache: "no-store",
    });
  } catch {
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

export const removeSession = (sessionId: string) =>
  call(`/internal/sessions/${sessionId}`, { method: "DELETE" }, removeSessionResult);

export const runScript = (sessionId: string, request: RunScriptRequest) =>
  call(`/internal/sessions/${sessionId}/scripts`, { method: "POST", body: JSON.stringify(request) }, runScriptResult);

export const gatewayHealthCheck = () => call("/healthz", { method: "GET" }, gatewayHealth);

export const inspectSession = (sessionId: string) =>
  call(`/internal/sessions/${sessionId}`, { method: "GET" }, sessionState);

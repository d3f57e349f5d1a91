import "server-only";
import { type DockyardError, dockyardError, type ErrorCode, httpStatusOf } from "@dockyard/protocol";
import type { z } from "zod";
import { metrics } from "./metrics.ts";

/** The error's status and body; a limit also says when to try again (Retry-After). */
export function errorResponse(error: DockyardError): Response {
  const headers: Record<string, string> =
    error.retryAfterSeconds === undefined ? {} : { "retry-after": String(error.retryAfterSeconds) };
  metrics().errors.inc({ code: error.code });
  return Response.json({ error }, { status: httpStatusOf(error.code), headers });
}

export const fail = (code: ErrorCode, message?: string) => errorResponse(dockyardError(code, message));

/** Parses a JSON request body with a schema; a bad body is a 400 with the reasons. */
export async function parseBody<T extends z.ZodType>(
  request: Request,
  schema: T,
): Promise<{ ok: true; value: z.output<T> } | { ok: false; response: Response }> {
  const json: unknown = await request.json().catch(() => undefined);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    return { ok: false, response: fail("BAD_REQUEST", message) };
  }
  return { ok: true, value: parsed.data };
}
